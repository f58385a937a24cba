"""A feed's health as moderators see it, derived from the fetch state on its row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class HealthState(StrEnum):
    OK = "ok"
    FAILING = "failing"
    NEVER_FETCHED = "never"
    DISABLED = "disabled"


@dataclass(frozen=True)
class FeedHealth:
    name: str
    url: str
    language: str
    themes: tuple[str, ...]
    interval_minutes: int
    enabled: bool
    origin: str
    last_checked_at: datetime | None
    last_success_at: datetime | None
    last_status: int | None
    last_error: str | None
    consecutive_failures: int
    disabled_reason: str | None
    last_warning: str | None = None
    items_seen: int = 0
    average_item_interval: timedelta | None = None  # how often the feed publishes, from its articles

    @property
    def state(self) -> HealthState:
        if not self.enabled:
            return HealthState.DISABLED
        if self.consecutive_failures > 0:
            return HealthState.FAILING
        if self.last_checked_at is None:
            return HealthState.NEVER_FETCHED
        return HealthState.OK


@dataclass(frozen=True)
class HealthSummary:
    total: int
    ok: int
    failing: int
    never_fetched: int
    disabled: int

    @classmethod
    def of(cls, feeds: list[FeedHealth]) -> HealthSummary:
        states = [feed.state for feed in feeds]
        return cls(
            total=len(feeds),
            ok=states.count(HealthState.OK),
            failing=states.count(HealthState.FAILING),
            never_fetched=states.count(HealthState.NEVER_FETCHED),
            disabled=states.count(HealthState.DISABLED),
        )
