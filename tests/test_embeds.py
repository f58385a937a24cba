"""Embeds fit Discord's limits by construction, whatever the feeds' names and errors hold."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import discord
import pytest

from bot.casestudy.model import (
    KEY_TERM_MAX,
    KEY_TERMS,
    QUESTION_MAX,
    SITUATION_MAX,
    SOURCE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    CaseStudy,
    TextSource,
)
from bot.feeds.health import FeedHealth
from bot.feeds.text import shorten
from bot.status import StatusReport
from cogs.embeds import casestudy_embed, clean, fit, status_embed


def failing_feed(index: int, name: str, error: str) -> FeedHealth:
    return FeedHealth(
        name=name,
        url=f"https://example.org/{index}",
        language="fr",
        themes=(),
        interval_minutes=60,
        enabled=True,
        origin="config",
        last_checked_at=datetime.now(UTC),
        last_success_at=None,
        last_status=500,
        last_error=error,
        consecutive_failures=3,
        disabled_reason=None,
    )


def check_limits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= 256
    assert len(embed.fields) <= 25
    for field in embed.fields:
        assert len(field.name or "") <= 256
        assert 0 < len(field.value or "") <= 1024
    assert len(embed) <= 6000


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_worst_case_status_still_fits(locale: str) -> None:
    # 100-character names made only of markdown characters double in length once escaped.
    feeds = [failing_feed(i, "_*" * 50, "~|" * 500) for i in range(500)]
    report = StatusReport(version="9.9.9", feeds=feeds, next_casestudy_at=None, next_digest_at=None)

    embed = status_embed(report, locale)  # type: ignore[arg-type]

    check_limits(embed)
    value = embed.fields[0].value or ""
    assert value.splitlines()[-1] in ("… et 497 autres", "… and 497 more")


def test_third_party_text_cannot_ping_or_format() -> None:
    mention = "<@123456789012345678>"
    assert (
        clean(f"@everyone **bold** {mention}")
        == "@\u200beveryone \\*\\*bold\\*\\* <@\u200b123456789012345678>"
    )


def test_shorten_cuts_between_words() -> None:
    assert shorten("the site blocks automated readers", 20) == "the site blocks…"
    assert shorten("short", 20) == "short"
    assert shorten("  spaced   out  ", 20) == "spaced out"


def test_next_times_are_shown_in_each_readers_time_zone() -> None:
    moment = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    report = StatusReport(version="1", feeds=[], next_casestudy_at=moment, next_digest_at=None)

    embed = status_embed(report, "en")

    assert embed.fields[0].value == "No feed configured: add some to `feeds.toml`."
    assert embed.fields[1].value == f"<t:{int(moment.timestamp())}:F> (<t:{int(moment.timestamp())}:R>)"
    assert embed.fields[2].value == "Not scheduled yet."


def worst_case_study(language: str) -> CaseStudy:
    """Every text at its limit and made of markdown characters, which escaping doubles."""
    return CaseStudy(
        title="*_" * (TITLE_MAX // 2),
        url="https://example.org/" + "a" * 2000,
        source_name="|~" * (SOURCE_MAX // 2),
        published_at=datetime(2026, 11, 20, tzinfo=UTC),
        reading_minutes=999,
        language=language,
        locale="fr",
        theme="video-cv",
        summary=("**" * (SUMMARY_MAX // 4) + ".", "__" * (SUMMARY_MAX // 4 - 2) + "."),
        key_terms=tuple("`" * KEY_TERM_MAX for _ in range(KEY_TERMS)),
        questions=tuple(">" * QUESTION_MAX for _ in range(3)),
        situation="*" * SITUATION_MAX,
        text_source=TextSource.FEED,
        fallback_reason="the page has too little text (3 words)",
    )


@pytest.mark.parametrize(("locale", "language"), [("fr", "en"), ("en", "fr")])
def test_the_worst_case_study_still_fits(locale: str, language: str) -> None:
    case = worst_case_study(language)
    assert len(case.summary_text) <= SUMMARY_MAX

    embed = casestudy_embed(case, "Le CV vidéo " * 8, locale)  # type: ignore[arg-type]

    check_limits(embed)
    assert embed.description is not None and "\\*" in embed.description  # escaped, not cut
    assert len(embed.fields[2].value.splitlines()) == 3  # type: ignore[union-attr]  # three questions


def test_a_case_study_embed_shows_every_part() -> None:
    case = replace(
        worst_case_study("fr"),
        title="Le CV vidéo séduit les recruteurs",
        url="https://example.org/cv-video",
        source_name="Le Blog",
        summary=("Première phrase du résumé.", "Deuxième phrase."),
        key_terms=("CV vidéo", "TikTok"),
        questions=("Q1 ?", "Q2 ?", "Q3 ?"),
        situation="Vous êtes recruteur.",
        reading_minutes=4,
        text_source=TextSource.PAGE,
        fallback_reason=None,
    )

    embed = casestudy_embed(case, "Le CV vidéo", "fr")

    assert embed.title == "Le CV vidéo séduit les recruteurs"
    assert embed.url == "https://example.org/cv-video"
    assert embed.description == "Première phrase du résumé. Deuxième phrase."
    fields = {field.name: field.value for field in embed.fields}
    assert fields["Thème"] == "Le CV vidéo"
    assert fields["Termes clés"] == "CV vidéo · TikTok"
    assert fields["Questions pour le débat"] == "1. Q1 ?\n2. Q2 ?\n3. Q3 ?"
    assert fields["Mise en situation"] == "Vous êtes recruteur."
    assert (
        fields["Source"] == "**Le Blog** · [Lire l'article](https://example.org/cv-video) · 4 min de lecture"
    )


def test_fit_keeps_as_much_as_fits_once_escaped() -> None:
    title = fit("*_ " * 100, 256)
    assert 240 <= len(title) <= 256
    assert fit("Le CV vidéo", 256) == "Le CV vidéo"


def test_a_link_with_brackets_stays_one_markdown_link() -> None:
    case = replace(worst_case_study("fr"), url="https://example.org/a_(b) c", reading_minutes=None)
    source = casestudy_embed(case, "Thème", "fr").fields[-1].value or ""
    assert "(https://example.org/a_%28b%29%20c)" in source
