"""Where the command line writes: results to stdout, errors and warnings to stderr."""

from __future__ import annotations

from dataclasses import dataclass
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
