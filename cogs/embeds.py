"""Core results rendered as Discord embeds, within Discord's limits by construction."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.casestudy.model import CaseStudy
from bot.feeds.health import FeedHealth, HealthState, HealthSummary
from bot.feeds.text import shorten
from bot.i18n import Locale, t
from bot.status import StatusReport

# A failing feed takes one line: its name and error are shortened *before* escaping (escaping can
# double a text's length), so that the worst case still fits a 1,024-character field.
NAME_LIMIT = 40
ERROR_LIMIT = 80
FAILING_SHOWN = 3
COLOUR = discord.Colour(0x2B6CB0)
URL_IN_TEXT_MAX = 400


def clean(text: str) -> str:
    """User or third-party text made inert: no markdown, no mentions."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def fit(text: str, limit: int) -> str:
    """`text` escaped; if escaping makes it longer than `limit` (markdown characters double), the
    longest word-boundary cut whose escaped form fits."""
    cleaned = clean(text)
    if len(cleaned) <= limit:
        return cleaned
    low, high = 1, len(text)  # clean(shorten(text, n)) grows with n: search the largest n that fits
    while low < high:
        middle = (low + high + 1) // 2
        if len(clean(shorten(text, middle))) <= limit:
            low = middle
        else:
            high = middle - 1
    return clean(shorten(text, low))


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


def casestudy_embed(case: CaseStudy, theme_label: str, locale: Locale) -> discord.Embed:
    """A case study as one embed. Every text is at most its `bot.casestudy.model` limit, and
    escaping at most doubles it, so the worst case (checked in tests) stays within 6,000."""
    embed = discord.Embed(
        title=fit(case.title, 256),
        url=case.url,
        description=clean(case.summary_text),
        colour=COLOUR,
        timestamp=case.published_at,
    )
    embed.add_field(name=t("casestudy.theme", locale), value=fit(theme_label, 200), inline=True)
    if case.key_terms:
        embed.add_field(
            name=t("casestudy.key_terms", locale), value=fit(" · ".join(case.key_terms), 500), inline=True
        )
    questions = "\n".join(f"{n}. {fit(q, 330)}" for n, q in enumerate(case.questions, start=1))
    embed.add_field(name=t("casestudy.questions", locale), value=questions, inline=False)
    embed.add_field(name=t("casestudy.situation", locale), value=fit(case.situation, 1024), inline=False)
    embed.add_field(name=t("casestudy.source", locale), value=_source_value(case, locale), inline=False)
    embed.set_footer(text=t("casestudy.footer", locale))
    return embed


def _source_value(case: CaseStudy, locale: Locale) -> str:
    parts = [f"**{fit(case.source_name, 200)}**"]
    if case.url and len(case.url) <= URL_IN_TEXT_MAX:  # the title links to it anyway
        link = case.url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")  # keeps markdown whole
        parts.append(f"[{t('casestudy.read', locale)}]({link})")
    if case.reading_minutes:
        parts.append(t("casestudy.reading", locale, count=case.reading_minutes))
    if case.language != locale:
        parts.append(t(f"casestudy.language_{case.language}", locale))
    line = " · ".join(parts)
    if case.fallback_reason:
        line += "\n" + t("casestudy.from_feed", locale)
    return line
