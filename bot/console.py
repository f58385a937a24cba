"""Where the command line writes: results to stdout, errors and warnings to stderr."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TextIO

from bot.errors import VeilleError


@dataclass
class Console:
    out: TextIO
    err: TextIO

    def echo(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def error(self, problem: VeilleError) -> None:
        self.err.write(f"error: {problem.one_line()}\n")
        for detail in getattr(problem, "details", []):
            self.err.write(f"  - {detail}\n")

    def warn(self, text: str) -> None:
        self.err.write(f"warning: {text}\n")


def duration_text(span: timedelta | None) -> str:
    """A span as people read it in a table: "12 min", "5 h", "3 days", or "—"."""
    if span is None:
        return "—"
    minutes = int(span.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"
