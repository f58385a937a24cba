"""Core results rendered as Discord embeds, within Discord's limits by construction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import discord

from bot.casestudy.model import CaseStudy
from bot.feeds.health import FeedHealth, HealthState, HealthSummary
from bot.feeds.text import shorten
from bot.i18n import Locale, t
from bot.posting.config import GuildConfig, describe_themes
from bot.posting.model import STANCES, Tally
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


THREAD_NAME_MAX = 100  # Discord's limit for a thread's name


def thread_name(title: str) -> str:
    """A thread is named after the article (plain text: Discord shows thread names verbatim)."""
    name = shorten(" ".join(title.split()), THREAD_NAME_MAX)
    return name or "…"


def questions_text(case: CaseStudy, locale: Locale) -> str:
    """The thread's first message: the questions to discuss, then how to give one's take.
    At most 3 × 330 + ~300 characters: within a message's 2,000."""
    lines = [f"**{t('casestudy.questions', locale)}**"]
    lines += [f"{n}. {fit(question, 330)}" for n, question in enumerate(case.questions, start=1)]
    lines += ["", t("casestudy.how_to_take", locale)]
    return "\n".join(lines)


def tally_text(tally: Tally | None, locale: Locale) -> str:
    """ "📊 12 takes: 5 agree, 4 nuanced, 3 disagree" (hidden takes are not counted)."""
    if tally is None or tally.total == 0:
        return t("tally.none", locale)
    parts = ", ".join(t(f"tally.{stance}", locale, count=tally.counts.get(stance, 0)) for stance in STANCES)
    return t("tally.line", locale, count=tally.total, parts=parts)


def setup_embed(
    config: GuildConfig,
    next_post: datetime | None,
    theme_labels: Mapping[str, Mapping[str, str]],
    locale: Locale,
) -> discord.Embed:
    embed = discord.Embed(title=t("setup.title", locale), colour=COLOUR)
    for name, value in setup_fields(config, next_post, theme_labels, locale):
        embed.add_field(name=name, value=value, inline=False)
    return embed


def setup_fields(
    config: GuildConfig,
    next_post: datetime | None,
    theme_labels: Mapping[str, Mapping[str, str]],
    locale: Locale,
) -> list[tuple[str, str]]:
    """The group's set-up, one (name, value) per line of `/veille setup` and `/veille status`."""
    if config.channel_id is None:
        return [(t("setup.channel", locale), t("setup.not_set_up", locale))]
    days = ", ".join(t(f"days.{day}", locale) for day in config.days.split(","))
    themes = (
        fit(describe_themes(config.themes, theme_labels, locale), 1000)
        if config.themes
        else t("setup.all_themes", locale)
    )
    fields = [
        (t("setup.channel", locale), f"<#{config.channel_id}>"),
        (
            t("setup.schedule", locale),
            t("setup.schedule_value", locale, days=days, time=config.at, tz=config.timezone),
        ),
        (t("setup.next_post", locale), timestamp(next_post, locale)),
        (
            t("setup.digest", locale),
            t(
                "setup.digest_value",
                locale,
                day=t(f"days.{config.digest_day}", locale),
                time=config.digest_at,
                channel=f"<#{config.digest_channel}>",
            ),
        ),
        (t("setup.language", locale), t(f"setup.language_{config.locale}", locale)),
        (t("setup.themes", locale), themes),
        (t("setup.anonymous", locale), t("setup.yes" if config.anonymous_takes else "setup.no", locale)),
        (
            t("setup.notify", locale),
            f"<@&{config.notify_role_id}>" if config.ping_role_id else t("setup.no", locale),
        ),
    ]
    if config.moderator_role_id:
        fields.append((t("setup.moderators", locale), f"<@&{config.moderator_role_id}>"))
    if config.paused_reason:
        fields.append((t("setup.paused", locale), fit(config.paused_reason, 900)))
    return fields
