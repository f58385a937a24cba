"""What the questions quote: a debatable claim, a figure, an organisation, as the article writes them."""

from __future__ import annotations

from bot.casestudy.analysis import analyse
from bot.casestudy.bank import load_bank
from bot.casestudy.build import BuildContext, Draft, draft
from bot.casestudy.keyterms import TermStats
from bot.casestudy.model import ArticleInput, Extraction
from bot.casestudy.sentences import sentences
from bot.casestudy.slots import Quotes, quotes
from bot.casestudy.worker import FetchedPage, choose_text
from bot.config.feeds_file import load_feeds_file
from bot.services import theme_keywords, theme_labels
from tests.conftest import SHIPPED_FEEDS

ARTICLE = [
    "L'entreprise a recruté quarante personnes en six mois. Elle estime que la méthode a fait ses preuves.",
    "Selon la CNIL, les recruteurs n'ont pas le droit de consulter les comptes privés des candidats, "
    "mais beaucoup le font pourtant.",
    "Dans l'enquête, 62 % des recruteurs disent avoir déjà écarté un candidat pour une publication.",
    "« Nous regardons tout. Les candidats le savent. » La directrice parle de transparence.",
    "Faut-il pour autant tout effacer de ses comptes avant de postuler sur LinkedIn ?",
    "Les candidats passent leurs comptes en privé avant de postuler, sur LinkedIn comme sur Instagram.",
]


def sentences_of(paragraphs: list[str]) -> list[str]:
    return [sentence for paragraph in paragraphs for sentence in sentences(paragraph)]


def test_the_claim_is_a_whole_debatable_sentence_that_reads_on_its_own() -> None:
    found = quotes(sentences_of(ARTICLE), "fr")

    assert found.claim == (
        "Selon la CNIL, les recruteurs n'ont pas le droit de consulter les comptes privés des candidats, "
        "mais beaucoup le font pourtant."
    )
    assert found.figure == (
        "Dans l'enquête, 62 % des recruteurs disent avoir déjà écarté un candidat pour une publication."
    )


def test_no_claim_needs_the_sentence_before_it_nor_asks_a_question() -> None:
    found = quotes(sentences_of(ARTICLE[:1] + ARTICLE[4:5]), "fr")
    assert found.claim is None  # « Elle estime… » points back; the other one is a question


def test_the_summary_sentences_are_quoted_only_when_nothing_else_will_do() -> None:
    claim = sentences_of(ARTICLE)[2]
    assert quotes(sentences_of(ARTICLE), "fr", avoid=[claim]).claim == claim  # nothing else will do
    unions = "Les syndicats estiment que ces pratiques restent injustes pour les plus jeunes candidats."
    assert quotes([*sentences_of(ARTICLE), unions], "fr", avoid=[claim]).claim == unions


def test_organisations_come_with_the_determiner_the_article_writes() -> None:
    analysis = analyse(ARTICLE, "Les recruteurs et les réseaux", "fr", source="Le Fil RH")
    names = [organisation.with_determiner for organisation in analysis.organisations]
    assert set(names) == {"LinkedIn", "la CNIL", "Instagram"}


def test_people_and_the_publisher_are_not_organisations() -> None:
    paragraphs = [
        "Olivia Chen, head of talent at Brightwave, said the tool works. Chen added that Brightwave "
        "will keep it. The Hiring Desk asked Brightwave about the EEOC and its rules on hiring tools.",
        "Brightwave hired 40 people with the tool last year, the EEOC said in a letter to The Hiring Desk.",
    ]
    analysis = analyse(paragraphs, "A hiring tool", "en", source="The Hiring Desk")
    names = [organisation.name for organisation in analysis.organisations]

    assert "olivia" in analysis.people and "chen" in analysis.people
    assert "EEOC" in names and "Brightwave" in names
    assert not any("Chen" in name or "Hiring Desk" in name for name in names)
    eeoc = next(org for org in analysis.organisations if org.name == "EEOC")
    assert eeoc.with_determiner == "the EEOC"


def test_a_count_out_of_a_total_is_a_figure() -> None:
    count = "By the workshop's own count, 212 of the roughly 600 people coached have landed interviews."
    claim = "Critics argue that filmed applications are unfair to candidates who are not at ease on camera."
    assert quotes([claim, count], "en") == Quotes(claim, count)


def test_an_article_without_a_strong_claim_still_gives_one_to_quote() -> None:
    story = [
        "On a gray Tuesday morning, the library basement fills with job seekers and their phones.",
        "“Federal anti-discrimination law applies to a video exactly the way it applies to a handshake,” "
        "the lawyer says.",
    ]
    assert quotes(story, "en").claim == story[1]  # an opinion reported, with a pointer: weaker, still one


def test_a_sentence_without_a_verb_is_never_quoted() -> None:
    paragraphs = [
        "Des promesses en l'air, selon les syndicats, et aucune explication pour les candidats.",
        "Selon les syndicats, les plateformes publient des chiffres que personne ne peut vérifier.",
    ]
    analysis = analyse(paragraphs, "Les chiffres des plateformes", "fr")
    assert analysis.sentences_with_a_verb() == [paragraphs[1]]
    assert quotes(analysis.sentences_with_a_verb(), "fr").claim == paragraphs[1]


def test_a_platform_among_the_key_terms_fills_no_term_slot() -> None:
    config = load_feeds_file(SHIPPED_FEEDS)
    themes = theme_keywords(config)
    bank = load_bank(SHIPPED_FEEDS.parent / "casestudies.toml", [theme.id for theme in themes])
    context = BuildContext(themes, theme_labels(config), bank, TermStats(), locale="fr")
    paragraphs = [
        "Sur LinkedIn, les recruteurs cherchent désormais des profils rédigés en deux langues. LinkedIn "
        "propose un profil bilingue, et LinkedIn le met en avant auprès des recruteurs étrangers.",
        "Le profil bilingue séduit les cabinets de Genève, selon une étude publiée en mars : 40 % des "
        "recruteurs disent lire d'abord la version anglaise du profil bilingue.",
        "Pourtant, un profil bilingue mal traduit fait plus de tort qu'un profil unique, estiment-ils.",
        "Les écoles de commerce conseillent à leurs étudiants de rédiger chaque version du profil bilingue "
        "eux-mêmes, sans outil de traduction automatique, et de soigner le niveau de langue annoncé.",
        "Les candidats qui visent la Suisse ou le Canada mettent en avant leurs séjours à l'étranger et "
        "leurs certifications, quand les recruteurs locaux regardent surtout l'expérience concrète.",
    ]
    title = "Le profil bilingue, nouvelle vitrine sur LinkedIn"
    body = (
        f"<html lang='fr'><body><article><h1>{title}</h1>"
        + "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
        + "</article></body></html>"
    )
    url = "https://news.example/profil-bilingue"
    article = ArticleInput(
        title=title, url=url, summary="", language="fr", published_at=None, source_name="X"
    )
    extraction = choose_text(article, FetchedPage(body.encode(), "text/html", url))
    assert isinstance(extraction, Extraction)
    made = draft(article, extraction, context)

    assert isinstance(made, Draft)
    assert "LinkedIn" in made.case_study.key_terms  # on the card, as the article's platform
    assert made.values["term"] == "profil bilingue"  # the article's concept comes first
    assert made.values["org"] == "LinkedIn"  # asked about as an organisation
