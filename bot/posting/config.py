"""How a group is set up (where and when it gets case studies, in which language…), and the changes
a moderator asks for, checked before anything is saved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time

from bot.errors import UserProblem
from bot.feeds.text import fold
from bot.i18n import Locale, supported_locale
from bot.posting.schedule import (
    WEEKDAYS,
    PostingSchedule,
    parse_days,
    parse_time,
    parse_timezone,
    schedule_of,
)

DEFAULT_DAYS = "mon,wed,fri"
DEFAULT_TIME = "12:30"
DEFAULT_TIMEZONE = "Europe/Paris"
DEFAULT_DIGEST_DAY = "fri"
DEFAULT_DIGEST_TIME = "17:00"


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    locale: Locale = "fr"
    timezone: str = DEFAULT_TIMEZONE
    channel_id: int | None = None  # None: not set up yet, nothing is posted
    days: str = DEFAULT_DAYS
    at: str = DEFAULT_TIME
    themes: tuple[str, ...] = ()  # empty: every theme
    anonymous_takes: bool = True
    moderator_role_id: int | None = None
    alerts_channel_id: int | None = None
    notify_enabled: bool = False
    notify_role_id: int | None = None
    replies_as_takes: bool = False
    paused_reason: str | None = None
    skip_slot: str | None = None
    set_up_at: datetime | None = None  # first set up: slots before it are not caught up
    digest_channel_id: int | None = None  # None: the digest goes to the case-study channel
    digest_day: str = DEFAULT_DIGEST_DAY
    digest_at: str = DEFAULT_DIGEST_TIME

    @property
    def ready(self) -> bool:
        """Set up and not paused: its slots post."""
        return self.channel_id is not None and self.paused_reason is None

    @property
    def schedule(self) -> PostingSchedule:
        return schedule_of(self.days, self.at, self.timezone)

    @property
    def digest_schedule(self) -> PostingSchedule:
        return schedule_of(self.digest_day, self.digest_at, self.timezone)

    @property
    def digest_channel(self) -> int | None:
        return self.digest_channel_id or self.channel_id

    @property
    def ping_role_id(self) -> int | None:
        return self.notify_role_id if self.notify_enabled else None


@dataclass(frozen=True)
class SetupChange:
    """What a moderator changes with `/veille setup`; None leaves a setting as it is."""

    channel_id: int | None = None
    days: str | None = None
    at: str | None = None
    timezone: str | None = None
    locale: str | None = None
    themes: str | None = None
    anonymous_takes: bool | None = None
    moderator_role_id: int | None = None
    alerts_channel_id: int | None = None
    notify_enabled: bool | None = None
    notify_role_id: int | None = None  # the role made when notifications were first turned on
    replies_as_takes: bool | None = None
    digest_channel_id: int | None = None
    digest_day: str | None = None
    digest_at: str | None = None


def apply_change(
    config: GuildConfig, change: SetupChange, theme_labels: Mapping[str, Mapping[str, str]]
) -> GuildConfig:
    """The new configuration, or `UserProblem` naming the first value that is wrong (nothing saved).

    Setting anything resumes a group whose posting was paused: a moderator looked at it.
    """
    updated = replace(config, paused_reason=None)
    if change.channel_id is not None:
        updated = replace(updated, channel_id=change.channel_id)
    if change.days is not None:
        updated = replace(updated, days=",".join(WEEKDAYS[d] for d in parse_days(change.days)))
    if change.at is not None:
        updated = replace(updated, at=_hhmm(parse_time(change.at)))
    if change.digest_day is not None:
        days = parse_days(change.digest_day)
        if len(days) != 1:
            raise UserProblem("setup.digest_one_day", value=change.digest_day)
        updated = replace(updated, digest_day=WEEKDAYS[days[0]])
    if change.digest_at is not None:
        updated = replace(updated, digest_at=_hhmm(parse_time(change.digest_at)))
    if change.timezone is not None:
        updated = replace(updated, timezone=parse_timezone(change.timezone))
    if change.locale is not None:
        locale = supported_locale(change.locale)
        if locale is None:
            raise UserProblem("setup.bad_language", value=change.locale)
        updated = replace(updated, locale=locale)
    if change.themes is not None:
        updated = replace(updated, themes=parse_themes(change.themes, theme_labels))
    settable = (
        "anonymous_takes",
        "moderator_role_id",
        "alerts_channel_id",
        "notify_enabled",
        "notify_role_id",
        "replies_as_takes",
        "digest_channel_id",
    )
    for name in settable:
        value = getattr(change, name)
        if value is not None:
            updated = replace(updated, **{name: value})
    if updated.channel_id is None:
        raise UserProblem("setup.channel_first")
    if updated.schedule != config.schedule:
        updated = replace(updated, skip_slot=None)  # a skipped slot of the old schedule means nothing now
    return updated


def parse_themes(text: str, theme_labels: Mapping[str, Mapping[str, str]]) -> tuple[str, ...]:
    """`"all"` / `"tous"` → every theme; else ids or labels (either language), comma-separated."""
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    if not wanted or fold(wanted[0]) in ("all", "tous", "toutes", "*"):
        return ()
    by_name: dict[str, str] = {}
    for theme_id, labels in theme_labels.items():
        by_name[fold(theme_id)] = theme_id
        for label in labels.values():
            by_name[fold(label)] = theme_id
    chosen: list[str] = []
    for name in wanted:
        found = by_name.get(fold(name))
        if found is None:
            raise UserProblem("setup.bad_theme", value=name, known=", ".join(theme_labels))
        if found not in chosen:
            chosen.append(found)
    return tuple(chosen)


def theme_choices(
    query: str, theme_labels: Mapping[str, Mapping[str, str]], locale: Locale, limit: int = 25
) -> list[tuple[str, str]]:
    """(label, id) of the themes whose id or label contains `query`, for autocompletion."""
    folded = fold(query.strip())
    found = []
    for theme_id, labels in theme_labels.items():
        label = labels.get(locale) or theme_id
        if not folded or folded in fold(label) or folded in fold(theme_id):
            found.append((label, theme_id))
    return found[:limit]


def _hhmm(moment: time) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def describe_themes(
    themes: Sequence[str], theme_labels: Mapping[str, Mapping[str, str]], locale: Locale
) -> str:
    return ", ".join(theme_labels.get(theme, {}).get(locale, theme) for theme in themes)
