"""The bot's clock: the time now, in UTC, which a sandbox or a test can move forward.

Every service that decides by the time (slots, digests, retries) reads this one clock, so that
"fast-forward to the next slot" moves the whole bot consistently rather than one job.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance_to(self, moment: datetime) -> None:
        """From now on, the time is `moment` plus the time that passes (never moves back)."""
        self._offset = max(self._offset, moment - datetime.now(UTC))
