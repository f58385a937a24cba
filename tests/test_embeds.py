"""Embeds fit Discord's limits by construction, whatever the feeds' names and errors hold."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
import pytest

from bot.feeds.health import FeedHealth
from bot.status import StatusReport
from cogs.embeds import clean, shorten, status_embed


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
