"""Discord's global rate limit: at most N bot requests in any rolling one-second window."""

from __future__ import annotations

from collections import deque

WINDOW = 1.0


class GlobalRateLimit:
    """Counts the bot's REST requests by loop time; each deque only grows at its right end and is
    trimmed from its left, so every request costs O(1) amortised."""

    def __init__(self) -> None:
        self._admitted: deque[float] = deque()
        self._seen: deque[float] = deque()
        self.rate_limited = 0
        self.peak_rate = 0

    def admit(self, now: float, limit: int | None) -> float | None:
        """Record one request at `now`: None if it may go through, else the seconds to wait."""
        _trim(self._seen, now)
        self._seen.append(now)
        self.peak_rate = max(self.peak_rate, len(self._seen))
        _trim(self._admitted, now)
        if limit is not None and len(self._admitted) >= limit:
            self.rate_limited += 1
            # The window frees when its oldest admitted request leaves it.
            return max(self._admitted[0] + WINDOW - now, 0.001)
        self._admitted.append(now)
        return None


def _trim(window: deque[float], now: float) -> None:
    while window and window[0] <= now - WINDOW:
        window.popleft()
