"""When to check a feed next: its interval, its own hints, failures, and jitter so feeds spread out."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

MIN_INTERVAL = timedelta(minutes=5)
MAX_INTERVAL = timedelta(hours=24)
MAX_BACKOFF = timedelta(hours=24)
JITTER = 0.1  # ±10 %


def after_success(
    now: datetime,
    interval_minutes: int,
    *,
    feed_hint_minutes: int | None = None,
    max_age_seconds: int | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """The feed's interval, lengthened (never shortened) by its own `ttl`/`sy:updatePeriod` or the
    server's `Cache-Control: max-age`, within [5 min, 24 h], with jitter."""
    wait = timedelta(minutes=interval_minutes)
    if feed_hint_minutes:
        wait = max(wait, timedelta(minutes=feed_hint_minutes))
    if max_age_seconds:
        wait = max(wait, timedelta(seconds=max_age_seconds))
    wait = min(max(wait, MIN_INTERVAL), max(MAX_INTERVAL, timedelta(minutes=interval_minutes)))
    return now + _jittered(wait, rng)


def after_failure(
    now: datetime,
    interval_minutes: int,
    failures: int,
    *,
    retry_after_seconds: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """Exponential back-off from the interval (×2 per consecutive failure), capped at 24 h; a
    server's `Retry-After` is honoured when it asks for longer (also within 24 h)."""
    exponent = min(max(failures - 1, 0), 16)
    wait = min(timedelta(minutes=interval_minutes) * 2**exponent, MAX_BACKOFF)
    if retry_after_seconds:
        wait = max(wait, min(timedelta(seconds=retry_after_seconds), MAX_BACKOFF))
    return now + _jittered(wait, rng)


def first_check(now: datetime, interval_minutes: int, rng: random.Random | None = None) -> datetime:
    """A new feed is due soon, at a random moment within its first interval's first tenth."""
    spread = timedelta(minutes=interval_minutes) * JITTER
    return now + spread * (rng or random).random()


def _jittered(wait: timedelta, rng: random.Random | None) -> timedelta:
    factor = 1 + JITTER * (2 * (rng or random).random() - 1)
    return wait * factor
