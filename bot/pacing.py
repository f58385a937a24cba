"""A token bucket that keeps the bot's own calls to a platform under its global rate limit.

Discord allows 50 requests per second per bot; discord.py waits out a 429 once it has one, but
200 groups posting in the same minute would hit the limit again and again. Pacing ourselves
below it means no 429 at all.
"""

from __future__ import annotations

import asyncio
import time


class Pacer:
    def __init__(self, rate: float, burst: int | None = None) -> None:
        self._rate = rate
        self._capacity = float(burst if burst is not None else max(1, int(rate)))
        self._tokens = self._capacity
        self._updated = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait for a free slot (callers are served in the order they came)."""
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self._rate)
