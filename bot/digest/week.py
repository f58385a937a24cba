"""ISO weeks (`2026-W48`), the unit of a digest, and their bounds in a group's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import UserProblem

_WEEK = re.compile(r"^\s*(\d{4})\s*-?\s*[wW]\s*(\d{1,2})\s*$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """`"2026-W48"` (also `2026W48`, `2026-w48`); `UserProblem` for anything else, or a week
        that does not exist (`2026-W54`, or `W53` of a year that has 52)."""
        match = _WEEK.match(text)
        if match is None:
            raise UserProblem("digest.bad_week", value=text.strip()[:40])
        year, week = int(match[1]), int(match[2])
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise UserProblem("digest.no_such_week", value=text.strip()[:40]) from None
        return cls.of_day(monday)

    @classmethod
    def of_day(cls, day: date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @classmethod
    def of(cls, moment: datetime, timezone: str) -> IsoWeek:
        """The week `moment` falls in, as the group's calendar sees it."""
        return cls.of_day(moment.astimezone(ZoneInfo(timezone)).date())

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def start(self, timezone: str) -> datetime:
        """Monday 00:00 in the group's time zone, in UTC."""
        return datetime.combine(self.monday, time(), tzinfo=ZoneInfo(timezone)).astimezone(UTC)

    def end(self, timezone: str) -> datetime:
        """The next Monday 00:00 (exclusive)."""
        return self.shifted(1).start(timezone)

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.of_day(self.monday + timedelta(weeks=weeks))

    def day(self, weekday: int) -> date:
        """The date of `weekday` (0 = Monday) in this week."""
        return self.monday + timedelta(days=weekday)
