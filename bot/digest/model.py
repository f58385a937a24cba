"""What a digest holds, and what it is built from: plain data, stored as JSON once posted.

A posted digest is kept as it was posted (`Digest.to_dict`), so that re-showing a past week shows
what students read then, even after takes were edited or hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.i18n import Locale, locale_from

CHARTED_THEMES = 12  # as many as the themes section lists: the picture never shows more than the text


class Trend(StrEnum):
    NEW = "new"  # not discussed in the previous four weeks
    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"


# ── what a digest is built from (read from the database) ───────────────────────────────────────


@dataclass(frozen=True)
class PostedCase:
    id: int
    title: str
    url: str | None
    theme: str
    channel_id: int | None
    thread_id: int | None
    posted_at: datetime
    useful_votes: int = 0  # students who found the case study useful


@dataclass(frozen=True)
class WeekTake:
    case_study_id: int
    user_id: int
    stance: str
    text: str
    useful: int = 0  # other students who marked this take useful
    created_at: datetime | None = None
    take_id: int | None = None


@dataclass(frozen=True)
class WeekActivity:
    """One group's week: its posted case studies and their visible takes, and the weeks before."""

    case_studies: tuple[PostedCase, ...]
    takes: tuple[WeekTake, ...]
    previous_takes: int = 0
    previous_students: int = 0
    # theme → takes in each of the previous four weeks (oldest first)
    theme_history: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    # Students who chose to be named in the digest (the group must allow it too).
    named: frozenset[int] = frozenset()


# ── the digest ──────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Quote:
    stance: str
    text: str  # as the student wrote it; renderers excerpt and escape it
    useful: int = 0
    author_id: int | None = None  # set only when the group allows it and the student opted in
    # The take quoted: what `/forget-me` and the retention job find and remove in kept digests.
    take_id: int | None = None


@dataclass(frozen=True)
class CaseStudyEntry:
    case_study_id: int
    title: str
    url: str | None
    theme: str
    theme_label: str
    channel_id: int | None
    thread_id: int | None
    thread_url: str | None  # where students discuss it
    posted_at: datetime
    takes: int
    stances: Mapping[str, int]
    useful_votes: int
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class SuggestionLine:
    """Something students suggested during the week (no author: suggestions are the group's)."""

    kind: str  # feed | article | topic
    title: str
    votes: int = 0
    approved: bool = False
    # Found and removed from kept digests when its author is forgotten.
    suggestion_id: int | None = None


@dataclass(frozen=True)
class Participation:
    takes: int
    students: int
    previous_takes: int
    previous_students: int
    most_debated: int | None  # a case study's id


@dataclass(frozen=True)
class ThemeTrend:
    theme: str
    label: str
    takes: int
    case_studies: int
    stances: Mapping[str, int]
    previous_average: float  # takes a week over the previous four weeks
    trend: Trend


@dataclass(frozen=True)
class Digest:
    guild_id: int
    week: str  # "2026-W48"
    locale: Locale
    timezone: str
    built_at: datetime
    case_studies: tuple[CaseStudyEntry, ...]
    participation: Participation
    themes: tuple[ThemeTrend, ...]
    upcoming: tuple[datetime, ...] = ()  # next week's case-study slots
    suggestions: tuple[SuggestionLine, ...] = ()  # what students suggested during the week
    attributed: bool = False  # the group names the authors who opted in
    partial: bool = False  # a preview of a week still going on
    late: bool = False  # posted after its slot because the bot was down then

    @property
    def empty(self) -> bool:
        """Nothing was posted this week: the digest invites participation instead."""
        return not self.case_studies

    @property
    def charted_themes(self) -> tuple[ThemeTrend, ...]:
        """The themes that drew takes this week, most discussed first (what the chart shows)."""
        drew = [theme for theme in self.themes if theme.takes]
        return tuple(sorted(drew, key=lambda theme: (-theme.takes, theme.label))[:CHARTED_THEMES])

    def entry(self, case_study_id: int | None) -> CaseStudyEntry | None:
        return next((e for e in self.case_studies if e.case_study_id == case_study_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "guild_id": self.guild_id,
            "week": self.week,
            "locale": self.locale,
            "timezone": self.timezone,
            "built_at": self.built_at.isoformat(),
            "case_studies": [_entry_dict(entry) for entry in self.case_studies],
            "participation": vars(self.participation).copy(),
            "themes": [vars(theme) | {"stances": dict(theme.stances)} for theme in self.themes],
            "upcoming": [moment.isoformat() for moment in self.upcoming],
            "suggestions": [vars(line).copy() for line in self.suggestions],
            "attributed": self.attributed,
            "partial": self.partial,
            "late": self.late,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Digest:
        return cls(
            guild_id=int(data["guild_id"]),
            week=str(data["week"]),
            locale=locale_from(data.get("locale")),
            timezone=str(data["timezone"]),
            built_at=datetime.fromisoformat(data["built_at"]),
            case_studies=tuple(_entry_of(item) for item in data["case_studies"]),
            participation=Participation(**data["participation"]),
            themes=tuple(
                ThemeTrend(**(theme | {"trend": Trend(theme["trend"])})) for theme in data["themes"]
            ),
            upcoming=tuple(datetime.fromisoformat(moment) for moment in data.get("upcoming", [])),
            suggestions=tuple(SuggestionLine(**line) for line in data.get("suggestions", [])),
            attributed=bool(data.get("attributed", False)),
            partial=bool(data.get("partial", False)),
            late=bool(data.get("late", False)),
        )


def _entry_dict(entry: CaseStudyEntry) -> dict[str, Any]:
    data = vars(entry).copy()
    data["posted_at"] = entry.posted_at.isoformat()
    data["stances"] = dict(entry.stances)
    data["quotes"] = [vars(quote).copy() for quote in entry.quotes]
    return data


def _entry_of(data: Mapping[str, Any]) -> CaseStudyEntry:
    values = dict(data)
    values["posted_at"] = datetime.fromisoformat(values["posted_at"])
    values["quotes"] = tuple(Quote(**quote) for quote in values["quotes"])
    return CaseStudyEntry(**values)
