"""The question bank: the shipped file loads, mistakes are reported with their line, filling works."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.casestudy.bank import QUESTIONS_PER_CASE, load_bank
from bot.casestudy.model import QUESTION_MAX, SITUATION_MAX
from bot.config.feeds_file import load_feeds_file
from bot.errors import ConfigError
from tests.conftest import SHIPPED_FEEDS

ROOT = SHIPPED_FEEDS.parent
THEMES = [theme.id for theme in load_feeds_file(SHIPPED_FEEDS).themes]
VALUES_FR = {"term": "marque employeur", "term2": "TikTok", "source": "Le Monde", "theme": "Le CV vidéo"}
VALUES_EN = {"term": "employer branding", "term2": "TikTok", "source": "TechCrunch", "theme": "The video CV"}

GOOD_DEFAULT = """
[default]
questions.fr = ["Q1 « {term} » ?", "Q2 ?", "Q3 ?", "Q4 ?"]
questions.en = ["Q1 \\"{term}\\"?", "Q2?", "Q3?", "Q4?"]
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
            questions, situation = bank.pick(theme, language, values, seed="article-1")
            assert len(questions) == QUESTIONS_PER_CASE
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
    questions, _ = bank.pick("video-cv", "fr", {"source": "X", "theme": "Y"}, seed="s")
    assert set(questions) == {"Q2 ?", "Q3 ?", "Q4 ?"}
    filled, _ = bank.pick("video-cv", "en", {"term": "LinkedIn"}, seed="s")
    assert 'Q1 "LinkedIn"?' in filled


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[themes.video-cv]\nquestions.fr = ['Q ?']\n", "missing the [default] table"),
        (GOOD_DEFAULT.replace("Q2 ?", "Q2 {terme} ?"), "unknown placeholder {terme}"),
        (GOOD_DEFAULT.replace("Q2 ?", "Q2 {term ?"), "Q2 {term ?"),
        (
            GOOD_DEFAULT.replace("Q2 ?", "Q" * 190 + " {term} ?"),
            "can reach 233 characters once filled; the limit is 200",
        ),
        (GOOD_DEFAULT.replace("situations.en", "situation.en"), "unknown key 'situation'"),
        (GOOD_DEFAULT.replace('"Q3 ?"', "3"), "must be a list of strings"),
        (
            GOOD_DEFAULT.replace(
                'questions.fr = ["Q1 « {term} » ?", "Q2 ?", "Q3 ?", "Q4 ?"]', 'questions.fr = ["Q ?"]'
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
    text = GOOD_DEFAULT.replace('"Q2 ?", "Q3 ?"', '"Q2 « {term} » ?", "Q3 « {term2} » ?"')
    assert text != GOOD_DEFAULT
    with pytest.raises(ConfigError, match=r"at least 3 questions.fr without \{term\} or \{term2\}"):
        load_bank(bank_file(tmp_path, text), THEMES)


def test_an_unsupported_locale_gets_french_rather_than_a_crash() -> None:
    bank = load_bank(ROOT / "casestudies.toml", THEMES)
    assert bank.pick("video-cv", "de", VALUES_FR, seed="a") == bank.pick(
        "video-cv", "fr", VALUES_FR, seed="a"
    )
