"""Core results rendered as Discord embeds, within Discord's limits by construction."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.feeds.health import FeedHealth, HealthState, HealthSummary
from bot.i18n import Locale, t
from bot.status import StatusReport

# A failing feed takes one line: its name and error are shortened *before* escaping (escaping can
# double a text's length), so that the worst case still fits a 1,024-character field.
NAME_LIMIT = 40
ERROR_LIMIT = 80
FAILING_SHOWN = 3
COLOUR = discord.Colour(0x2B6CB0)


def clean(text: str) -> str:
    """User or third-party text made inert: no markdown, no mentions."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def shorten(text: str, limit: int) -> str:
    """Cut at the last word boundary that fits, with an ellipsis, never inside a word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def timestamp(moment: datetime | None, locale: Locale) -> str:
    """Discord renders `<t:…>` in each reader's own time zone: the conversion happens at the edge."""
    if moment is None:
        return t("status.not_scheduled", locale)
    seconds = int(moment.timestamp())
    return f"<t:{seconds}:F> (<t:{seconds}:R>)"


def status_embed(report: StatusReport, locale: Locale) -> discord.Embed:
    summary = report.summary
    embed = discord.Embed(title=t("status.title", locale), colour=COLOUR)
    embed.add_field(
        name=t("status.feeds", locale, count=summary.total),
        value=_feeds_value(report.feeds, locale),
        inline=False,
    )
    embed.add_field(
        name=t("status.next_casestudy", locale),
        value=timestamp(report.next_casestudy_at, locale),
        inline=False,
    )
    embed.add_field(
        name=t("status.next_digest", locale),
        value=timestamp(report.next_digest_at, locale),
        inline=False,
    )
    embed.set_footer(text=t("status.footer", locale, version=report.version))
    return embed


def _feeds_value(feeds: list[FeedHealth], locale: Locale) -> str:
    if not feeds:
        return t("status.feeds_none", locale)
    summary = HealthSummary.of(feeds)
    lines = [
        t(
            "status.feeds_counts",
            locale,
            ok=summary.ok,
            failing=summary.failing,
            never=summary.never_fetched,
            disabled=summary.disabled,
        )
    ]
    failing = [feed for feed in feeds if feed.state is HealthState.FAILING]
    for feed in failing[:FAILING_SHOWN]:
        name = clean(shorten(feed.name, NAME_LIMIT))
        error = clean(shorten(feed.last_error or t("status.failing_unknown", locale), ERROR_LIMIT))
        lines.append(t("status.failing_line", locale, name=name, error=error))
    if len(failing) > FAILING_SHOWN:
        lines.append(t("status.more", locale, count=len(failing) - FAILING_SHOWN))
    return "\n".join(lines)
