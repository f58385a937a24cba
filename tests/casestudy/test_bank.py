"""The question bank: the shipped file loads, mistakes are reported with their line, filling works."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.casestudy.bank import QUESTIONS_PER_CASE, load_bank, template_key
from bot.casestudy.model import QUESTION_MAX, SITUATION_MAX
from bot.config.feeds_file import load_feeds_file
from bot.errors import ConfigError
from tests.conftest import SHIPPED_FEEDS

ROOT = SHIPPED_FEEDS.parent
THEMES = [theme.id for theme in load_feeds_file(SHIPPED_FEEDS).themes]
CLAIM_FR = "Selon l'étude, 62 % des recruteurs écartent un candidat pour une « publication » jugée déplacée."
CLAIM_EN = 'Critics say the tool "learns" the biases of past hiring, and the company disagrees.'
VALUES_FR = {
    "term": "marque employeur",
    "term2": "TikTok",
    "source": "Le Monde",
    "theme": "Le CV vidéo",
    "claim": CLAIM_FR,
    "figure": CLAIM_FR,
    "org": "la CNIL",
}
VALUES_EN = {
    "term": "employer branding",
    "term2": "TikTok",
    "source": "TechCrunch",
    "theme": "The video CV",
    "claim": CLAIM_EN,
    "figure": CLAIM_EN,
    "org": "the EEOC",
}

GOOD_DEFAULT = """
[default]
questions.fr = ["Q1 le terme « {term} » ?", "Q2 ?", "Q3 ?", "Q4 ?"]
questions.en = ["Q1 the term \\"{term}\\"?", "Q2?", "Q3?", "Q4?"]
situations.fr = ["Vous êtes recruteur."]
situations.en = ["You are a recruiter."]
"""


def bank_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "casestudies.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_bank_covers_every_theme_in_both_languages() -> None:
    bank = load_bank(ROOT / "casestudies.toml", THEMES)
    assert set(bank.themes) == set(THEMES)
    for theme in THEMES:
        for language, values in (("fr", VALUES_FR), ("en", VALUES_EN)):
            picked = bank.pick(theme, language, values, seed="article-1")
            questions, situation = picked.questions, picked.situation
            assert len(questions) == QUESTIONS_PER_CASE
            assert picked.citing >= 1  # one question quotes the article
            assert len(set(questions)) == QUESTIONS_PER_CASE
            assert all(len(q) <= QUESTION_MAX and "{" not in q for q in questions)
            assert len(situation) <= SITUATION_MAX and "{" not in situation
            assert situation.startswith("Vous êtes" if language == "fr" else "You are")


def test_picking_is_deterministic_and_varies_between_articles() -> None:
    bank = load_bank(ROOT / "casestudies.toml", THEMES)
    first = bank.pick("video-cv", "fr", VALUES_FR, seed="a")
    assert first == bank.pick("video-cv", "fr", VALUES_FR, seed="a")
    others = {bank.pick("video-cv", "fr", VALUES_FR, seed=str(n)) for n in range(20)}
    assert len(others) > 5


def test_templates_without_their_values_are_passed_over(tmp_path: Path) -> None:
    bank = load_bank(bank_file(tmp_path, GOOD_DEFAULT), THEMES)
    picked = bank.pick("video-cv", "fr", {"source": "X", "theme": "Y"}, seed="s")
    assert set(picked.questions) == {"Q2 ?", "Q3 ?", "Q4 ?"}  # no key term passed its checks: no Q1
    filled = bank.pick("video-cv", "en", {"term": "LinkedIn"}, seed="s")
    assert 'Q1 the term "LinkedIn"?' in filled.questions


QUOTING = """
[default]
questions.fr = [
    "Q1 le terme « {term} » ?", "Q2 ?", "Q3 ?", "Q4 ?",
    "L'article affirme : « {claim} » D'accord ?", "Le rôle joué par {org} ?",
]
questions.en = ["Q1 the term \\"{term}\\"?", "Q2?", "Q3?", "Q4?", "The article says: “{claim}” Agree?"]
situations.fr = ["Vous êtes recruteur A.", "Vous êtes recruteur B.", "Vous êtes recruteur C."]
situations.en = ["You are a recruiter."]
"""


def test_one_question_quotes_the_article_with_its_inner_quotes_made_right(tmp_path: Path) -> None:
    bank = load_bank(bank_file(tmp_path, QUOTING), THEMES)

    for seed in map(str, range(10)):
        picked = bank.pick("video-cv", "fr", VALUES_FR, seed=seed)
        assert picked.citing == 1  # one is enough: the others are the debate's own
    quoted = bank.pick("video-cv", "fr", {"claim": CLAIM_FR}, seed="s")
    claim_question = next(q for q in quoted.questions if q.startswith("L'article affirme"))
    assert claim_question == (
        "L'article affirme : « Selon l'étude, 62 % des recruteurs écartent un candidat pour une "
        "“publication” jugée déplacée. » D'accord ?"
    )
    english = bank.pick("video-cv", "en", {"claim": CLAIM_EN}, seed="s")
    assert (
        "The article says: “Critics say the tool 'learns' the biases of past hiring, and the company "
        "disagrees.” Agree?" in english.questions
    )


def test_a_term_the_template_already_says_is_not_filled_in(tmp_path: Path) -> None:
    text = GOOD_DEFAULT.replace('"Q1 le terme « {term} » ?"', '"Un CV vidéo, et la notion de « {term} » ?"')
    bank = load_bank(bank_file(tmp_path, text), THEMES)
    picked = bank.pick("video-cv", "fr", {"term": "CV vidéo"}, seed="s")
    assert not any("« CV vidéo »" in q for q in picked.questions)


def test_a_group_gets_templates_it_was_not_given_first(tmp_path: Path) -> None:
    bank = load_bank(bank_file(tmp_path, QUOTING), THEMES)
    used: list[str] = []
    situations = []
    for n in range(3):
        picked = bank.pick("video-cv", "fr", VALUES_FR, seed=f"article-{n}", used=used)
        situations.append(picked.situation)
        used = [*picked.templates, *used]
    assert sorted(situations) == [
        "Vous êtes recruteur A.",
        "Vous êtes recruteur B.",
        "Vous êtes recruteur C.",
    ]
    # All given: the one given longest ago comes back first.
    fourth = bank.pick("video-cv", "fr", VALUES_FR, seed="article-3", used=used)
    assert fourth.situation == situations[0]
    assert template_key("situations", situations[0]) in fourth.templates


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[themes.video-cv]\nquestions.fr = ['Q ?']\n", "missing the [default] table"),
        (GOOD_DEFAULT.replace("Q2 ?", "Q2 {terme} ?"), "unknown placeholder {terme}"),
        (GOOD_DEFAULT.replace("Q2 ?", "Q2 {term ?"), "Q2 {term ?"),
        (
            GOOD_DEFAULT.replace("Q2 ?", "Q" * 270 + " le terme « {term} » ?"),
            "can reach 326 characters once filled; the limit is 300",
        ),
        (
            GOOD_DEFAULT.replace("Q2 ?", "L'article dit : {claim} ?"),
            "write it alone inside quotes, « {claim} »",
        ),
        (GOOD_DEFAULT.replace("Q2 ?", "Q2 {term} ?"), "a key term is always quoted: « {term} »"),
        (
            GOOD_DEFAULT.replace("Q2 ?", "Une situation liée à « {term} » ?"),
            "a key term's gender and number are unknown: put a word that names it before it",
        ),
        (GOOD_DEFAULT.replace("Q2 ?", "{org} a-t-il raison ?"), "never start a sentence with it"),
        (GOOD_DEFAULT.replace("Q2 ?", "Le rôle de {org} ?"), "not after 'de'"),
        (GOOD_DEFAULT.replace("Q2?", "What did the {org} do?"), "not after 'the'"),
        (GOOD_DEFAULT.replace("situations.en", "situation.en"), "unknown key 'situation'"),
        (GOOD_DEFAULT.replace('"Q3 ?"', "3"), "must be a list of strings"),
        (
            GOOD_DEFAULT.replace(
                'questions.fr = ["Q1 le terme « {term} » ?", "Q2 ?", "Q3 ?", "Q4 ?"]',
                'questions.fr = ["Q ?"]',
            ),
            "at least 3 questions.fr",
        ),
        ("[default\n", "invalid TOML"),
    ],
)
def test_mistakes_are_reported_with_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = bank_file(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_bank(path, THEMES)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


def test_a_missing_bank_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CASESTUDIES_FILE"):
        load_bank(tmp_path / "nope.toml", THEMES)


def test_a_theme_unknown_to_feeds_toml_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    text = (
        GOOD_DEFAULT
        + "[themes.video-cvv]\nquestions.fr = ['Q ?']\n[themes.astrologie]\nquestions.fr = ['Q ?']\n"
    )
    path = bank_file(tmp_path, text)

    bank = load_bank(path, THEMES)

    assert set(bank.themes) == set()
    assert bank.warnings == (
        f"{path} line 7: unknown theme 'video-cvv'; did you mean 'video-cv'?",
        f"{path} line 9: unknown theme 'astrologie' (not in feeds.toml): templates unused",
    )


def test_default_templates_must_not_all_need_a_key_term(tmp_path: Path) -> None:
    text = GOOD_DEFAULT.replace('"Q2 ?", "Q3 ?"', '"Q2 le terme « {term} » ?", "Q3 le terme « {term2} » ?"')
    assert text != GOOD_DEFAULT
    with pytest.raises(ConfigError, match=r"at least 3 questions.fr without \{term\} or \{term2\}"):
        load_bank(bank_file(tmp_path, text), THEMES)


def test_the_shipped_role_plays_are_enough_for_a_semester() -> None:
    bank = load_bank(ROOT / "casestudies.toml", THEMES)
    for language in ("fr", "en"):
        assert len(bank.default[language].situations) >= 14
        for theme in THEMES:
            assert len(bank.themes[theme][language].situations) >= 6, (theme, language)


def test_an_unsupported_locale_gets_french_rather_than_a_crash() -> None:
    bank = load_bank(ROOT / "casestudies.toml", THEMES)
    assert bank.pick("video-cv", "de", VALUES_FR, seed="a") == bank.pick(
        "video-cv", "fr", VALUES_FR, seed="a"
    )
