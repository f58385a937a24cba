"""What flows between the posting core and its adapters about takes: stances, counts, a take."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

STANCES = ("agree", "nuanced", "disagree")


@dataclass(frozen=True)
class Tally:
    """How many students took each stance (hidden takes not counted)."""

    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class StoredTake:
    user_id: int
    stance: str
    text: str
    source: str
    hidden: bool
