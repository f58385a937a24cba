"""A group's posting schedule (days and a local time in its time zone) and the slots it makes.

A slot is one moment the schedule says to post, identified by its UTC minute (`2026-11-25T11:30Z`).
The slot key is what makes a slot fill once, however many times it is fired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import UserProblem
from bot.feeds.text import fold

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Day names a moderator may type, in French and English, full or short (accents folded away).
_DAY_NAMES: dict[str, int] = {}
for _index, _names in enumerate(
    (
        ("mon", "monday", "lun", "lundi"),
        ("tue", "tues", "tuesday", "mar", "mardi"),
        ("wed", "wednesday", "mer", "mercredi"),
        ("thu", "thur", "thurs", "thursday", "jeu", "jeudi"),
        ("fri", "friday", "ven", "vendredi"),
        ("sat", "saturday", "sam", "samedi"),
        ("sun", "sunday", "dim", "dimanche"),
    )
):
    for _name in _names:
        _DAY_NAMES[_name] = _index

_TIME = re.compile(r"^\s*(\d{1,2})\s*(?:[:hH.]\s*(\d{2})?)?\s*$")


@dataclass(frozen=True)
class PostingSchedule:
    days: tuple[int, ...]  # 0 = Monday
    at: time  # local wall-clock time
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def slots_between(self, start: datetime, end: datetime) -> list[datetime]:
        """The slots in (start, end], in UTC, oldest first."""
        zone = self.zone
        day = start.astimezone(zone).date()
        last = end.astimezone(zone).date()
        slots = []
        while day <= last:
            if day.weekday() in self.days:
                moment = datetime.combine(day, self.at, tzinfo=zone).astimezone(UTC)
                if start < moment <= end:
                    slots.append(moment)
            day += timedelta(days=1)
        return slots

    def latest(self, now: datetime) -> datetime | None:
        """The most recent slot at or before `now` (within the last week)."""
        slots = self.slots_between(now - timedelta(days=8), now)
        return slots[-1] if slots else None

    def next(self, now: datetime) -> datetime | None:
        slots = self.slots_between(now, now + timedelta(days=8))
        return slots[0] if slots else None

    def describe_days(self) -> str:
        return ",".join(WEEKDAYS[day] for day in self.days)


def slot_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_days(text: str) -> tuple[int, ...]:
    """`"lundi, mercredi et vendredi"`, `"mon wed fri"`, `"Tue"` → weekday numbers, sorted."""
    words = [w for w in re.split(r"[\s,;/+&]+|\bet\b|\band\b", fold(text)) if w]
    if not words:
        raise UserProblem("setup.no_days")
    days = set()
    for word in words:
        day = _DAY_NAMES.get(word.rstrip("."))
        if day is None:
            raise UserProblem("setup.bad_day", value=word)
        days.add(day)
    return tuple(sorted(days))


def parse_time(text: str) -> time:
    """`"12:30"`, `"12h30"`, `"9h"`, `"09.15"` → a time; `"25:00"` is refused."""
    match = _TIME.match(text)
    if match is None:
        raise UserProblem("setup.bad_time", value=text.strip())
    hour, minute = int(match[1]), int(match[2] or 0)
    if hour > 23 or minute > 59:
        raise UserProblem("setup.bad_time", value=text.strip())
    return time(hour, minute)


def parse_timezone(text: str) -> str:
    name = text.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserProblem("setup.bad_timezone", value=name) from None
    return name


def schedule_of(days: str, at: str, timezone: str) -> PostingSchedule:
    """The schedule stored on a guild row (`"mon,wed,fri"`, `"12:30"`, `"Europe/Paris"`)."""
    return PostingSchedule(parse_days(days), parse_time(at), timezone)
