"""Faults the fake Discord can inject into its REST answers: 429, 5xx, 403, 404, slow answers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Discord's own error bodies for the cases tests inject most.
ERROR_BODIES: dict[int, dict[str, Any]] = {
    401: {"message": "401: Unauthorized", "code": 0},
    403: {"message": "Missing Permissions", "code": 50013},
    404: {"message": "Unknown Channel", "code": 10003},
    500: {"message": "500: Internal Server Error", "code": 0},
    502: {"message": "502: Bad Gateway", "code": 0},
    503: {"message": "503: Service Unavailable", "code": 0},
}


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    times: int = 1
    body: dict[str, Any] | None = None
    retry_after: float | None = None
    is_global: bool = False
    delay: float = 0.0
    hold: float = 0.0
    hits: int = field(default=0, init=False)

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and self.method in ("*", method) and bool(self.path.fullmatch(path))

    def response_body(self) -> dict[str, Any]:
        if self.body is not None:
            return self.body
        if self.status == 429:
            return {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after or 0.1,
                "global": self.is_global,
            }
        return ERROR_BODIES.get(self.status, {"message": f"{self.status}", "code": 0})

    def headers(self) -> dict[str, str]:
        if self.status != 429:
            return {}
        return rate_limit_headers(self.retry_after or 0.1, is_global=self.is_global)


def rate_limit_headers(retry_after: float, *, is_global: bool) -> dict[str, str]:
    """The headers of one of Discord's 429 answers."""
    # Discord's own 429s pass through its proxy and carry `Via`; discord.py treats a 429 without it
    # as a Cloudflare ban and does not retry.
    headers = {
        "Retry-After": f"{retry_after:.3f}".rstrip("0").rstrip("."),
        "X-RateLimit-Scope": "global" if is_global else "user",
        "Via": "1.1 google",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    return headers


class Faults:
    def __init__(self) -> None:
        self._rules: list[Fault] = []

    def inject(
        self,
        method: str,
        path: str,
        status: int,
        *,
        times: int = 1,
        body: dict[str, Any] | None = None,
        retry_after: float | None = None,
        is_global: bool = False,
        delay: float = 0.0,
        hold: float = 0.0,
    ) -> Fault:
        """Answer the next `times` requests matching `method` and the `path` regex with `status`.

        `path` is matched against the path after the API prefix, e.g. r"/channels/\\d+/messages".
        `status=200` with a `delay` makes a slow but successful answer; with `hold`, Discord does
        what was asked, then keeps the answer back for `hold` seconds (or until the server stops),
        as when a connection dies after Discord acted: the bot cannot know whether it did.
        """
        fault = Fault(
            method.upper(),
            re.compile(path),
            status,
            times=times,
            body=body,
            retry_after=retry_after,
            is_global=is_global,
            delay=delay,
            hold=hold,
        )
        self._rules.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self._rules:
            if fault.matches(method, path):
                fault.times -= 1
                fault.hits += 1
                return fault
        return None

    def clear(self) -> None:
        self._rules.clear()
