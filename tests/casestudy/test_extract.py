"""Article pages → text → case study, over the pages of tests/data/articles: real sites' layouts
and the bad inputs (no text, images only, other languages, broken HTML, PDF, login, paywall)."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from bot.casestudy.build import BuildContext
from bot.casestudy.extract import NotAnArticle, extract_page
from bot.casestudy.keyterms import TermStats
from bot.casestudy.model import ArticleInput, CaseStudy, Rejection, TextSource
from bot.casestudy.worker import FetchedPage, make_case_study
from bot.config.feeds_file import load_feeds_file
from bot.services import theme_keywords, theme_labels
from tests.casestudy.test_service import BANK
from tests.conftest import REPO, SHIPPED_FEEDS

ARTICLES = REPO / "tests" / "data" / "articles"
EXPECTED = tomllib.loads((ARTICLES / "expected.toml").read_text(encoding="utf-8"))["articles"]
CONFIG = load_feeds_file(SHIPPED_FEEDS)
CONTEXT = BuildContext(theme_keywords(CONFIG), theme_labels(CONFIG), BANK, TermStats(), locale="fr")


def build_page(path: Path, summary: str = "", media: str = "text/html") -> CaseStudy | Rejection:
    article = ArticleInput(
        title="", url=f"https://news.example/{path.name}", summary=summary, language=None, published_at=None,
        source_name="News",
    )  # fmt: skip
    return make_case_study(article, FetchedPage(path.read_bytes(), media, article.url or ""), CONTEXT)


@pytest.mark.parametrize("entry", EXPECTED[:2] + EXPECTED[-2:], ids=lambda e: e["file"])
def test_a_news_page_gives_its_text_and_a_clean_case_study(entry: dict[str, object]) -> None:
    path = ARTICLES / str(entry["file"])
    page = extract_page(path.read_bytes(), "text/html; charset=utf-8", "https://news.example/a")
    text = "\n".join(page.paragraphs)

    case = build_page(path)

    assert page.language == entry["language"]
    assert str(entry["title"]).replace("’", "'") in (page.title or "").replace("’", "'")
    assert isinstance(case, CaseStudy)
    assert case.text_source is TextSource.PAGE
    assert case.language == entry["language"]
    assert 3 <= len(case.summary) <= 4
    for sentence in case.summary:
        assert sentence in text
        assert not any(junk in sentence or sentence in junk for junk in entry["boilerplate"])  # type: ignore[attr-defined]
    assert case.reading_minutes is not None and 1 <= case.reading_minutes <= 5


@pytest.mark.parametrize(
    ("file", "reason"),
    [
        ("no-text.html", "the page has too little text (0 words)"),
        ("images-only.html", "the page has too little text (12 words)"),
        ("login.html", "the link leads to a login page"),
        ("paywall.html", "the article is for subscribers only"),
        ("document.pdf", "the link is a PDF document, not a web page"),
    ],
)
def test_pages_without_an_article_fall_back_to_the_feed_summary(file: str, reason: str) -> None:
    media = "application/pdf" if file.endswith(".pdf") else "text/html"
    summary = (
        "Les recruteurs regardent les profils LinkedIn des candidats. "
        "Une candidature sur deux passe par un réseau professionnel."
    )

    with pytest.raises(NotAnArticle, match=reason.replace("(", r"\(").replace(")", r"\)")):
        extract_page((ARTICLES / "bad" / file).read_bytes(), media, "https://news.example/a")
    case = build_page(ARTICLES / "bad" / file, summary=summary, media=media)
    bare = build_page(ARTICLES / "bad" / file, media=media)

    assert isinstance(case, CaseStudy)
    assert case.text_source is TextSource.FEED and case.fallback_reason == reason
    assert case.summary == (
        "Les recruteurs regardent les profils LinkedIn des candidats.",
        "Une candidature sur deux passe par un réseau professionnel.",
    )
    assert bare == Rejection(f"{reason}, and the feed gives no summary")  # nothing half-made


@pytest.mark.parametrize(("file", "language"), [("spanish.html", "Spanish"), ("german.html", "German")])
def test_other_languages_are_refused_with_their_name(file: str, language: str) -> None:
    result = build_page(ARTICLES / "bad" / file)
    assert result == Rejection(f"the article is in {language}; case studies are in French or English")


def test_broken_html_is_still_read() -> None:
    case = build_page(ARTICLES / "bad" / "broken.html")
    assert isinstance(case, CaseStudy)
    assert case.text_source is TextSource.PAGE and case.language == "fr"
    assert case.theme == "e-reputation"


def test_a_100000_word_article_makes_a_case_study_of_normal_size(tmp_path: Path) -> None:
    paragraph = (
        "<p>Les recruteurs consultent les profils en ligne des candidats avant chaque entretien. "
        "Une traque numérique qui inquiète les étudiants, dit l'enquête numéro {n}.</p>"
    )
    body = "".join(paragraph.format(n=n) for n in range(4000))  # 25 words × 4,000
    path = tmp_path / "long.html"
    path.write_text(
        f"<html lang='fr'><body><article><h1>Long</h1>{body}</article></body></html>", encoding="utf-8"
    )

    case = build_page(path)

    assert isinstance(case, CaseStudy)
    assert 2 <= len(case.summary) <= 4  # near-identical sentences are not repeated
    assert case.reading_minutes is not None and case.reading_minutes > 400


def test_a_page_that_is_not_html() -> None:
    with pytest.raises(NotAnArticle, match=r"not a web page \(image/png\)"):
        extract_page(b"\x89PNG....", "image/png", "https://news.example/a.png")


@pytest.mark.allow_logged_errors
def test_an_error_inside_a_library_is_one_rejected_article() -> None:
    broken = replace(CONTEXT, theme_labels=None)  # type: ignore[arg-type]  # makes build() raise

    result = make_case_study(
        ArticleInput(
            "T",
            None,
            "Les recruteurs lisent les profils LinkedIn des candidats. "
            "Une candidature sur deux passe désormais par un réseau professionnel.",
            "fr",
            None,
            "S",
        ),
        FetchedPage(error="no page"),
        broken,
    )

    assert result == Rejection("the article could not be processed (AttributeError); the error is logged")


def test_an_article_in_another_language_than_asked() -> None:
    case = build_page(ARTICLES / "en-01-remote-hiring-default-mid-size-firms.html")
    refused = make_case_study(
        ArticleInput("", "https://news.example/a", "", None, None, "News"),
        FetchedPage(
            (ARTICLES / "en-01-remote-hiring-default-mid-size-firms.html").read_bytes(),
            "text/html",
            "https://news.example/a",
        ),
        replace(CONTEXT, required_language="fr"),
    )
    assert isinstance(case, CaseStudy)
    assert refused == Rejection("the article is not in French, the language asked for")


def page_with_date(head: str, body_extra: str = "") -> bytes:
    paragraphs = "".join(
        f"<p>Les recruteurs regardent les profils des candidats sur les réseaux sociaux, paragraphe {n}, "
        "et les candidats apprennent à soigner leur présence en ligne avant de postuler.</p>"
        for n in range(12)
    )
    return (
        f"<html lang='fr'><head><title>Un article</title>{head}</head><body><article><h1>Un article</h1>"
        f"{body_extra}{paragraphs}</article><footer><p>© 2024 Le Site. Tous droits réservés.</p>"
        "<time datetime='2024-01-01'>1er janvier 2024</time></footer></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("head", "body"),
    [
        ('<meta property="article:published_time" content="2026-10-14T08:30:00+02:00">', ""),
        (
            '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": '
            '"WebPage"}, {"@type": "NewsArticle", "datePublished": "2026-10-14T08:30:00+02:00"}]}</script>',
            "",
        ),
        (
            "",
            '<p class="byline">Par la rédaction, '
            '<time datetime="2026-10-14T08:30:00+02:00">14 octobre</time></p>',
        ),
        ("", '<meta itemprop="datePublished" content="2026-10-14T08:30:00+02:00">'),
    ],
    ids=["meta", "json-ld graph", "time", "microdata"],
)
def test_the_date_comes_from_the_page_metadata_never_from_its_footer(head: str, body: str) -> None:
    page = extract_page(page_with_date(head, body), "text/html", "https://news.example/a")
    assert page.published_at is not None
    assert page.published_at.date().isoformat() == "2026-10-14"


def test_a_page_that_only_has_a_footer_year_has_no_date() -> None:
    page = extract_page(page_with_date(""), "text/html", "https://news.example/a")
    assert page.published_at is None  # « © 2024 » and the footer's <time> say nothing of the article


def test_the_article_subheadings_are_known() -> None:
    page = extract_page(
        page_with_date("", "<h2>Ce que les recruteurs regardent vraiment</h2>"),
        "text/html",
        "https://news.example/a",
    )
    assert "Ce que les recruteurs regardent vraiment" in page.headings
