"""The one coordinator of personal data: a student's export (`/my-data`), their erasure
(`/forget-me`) and the daily retention job, each running every registered `PersonalData`.

An erasure runs in one transaction: it happens whole or not at all (a crash halfway leaves the
student's data as it was, and `/forget-me` can simply be run again).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import __version__
from bot.db.engine import write_transaction
from bot.privacy.catalogue import PERSONAL_DATA
from bot.privacy.registry import PersonalData, Row
from bot.store.suggestions import cards_of

log = logging.getLogger(__name__)
VOTES = ("useful_votes", "take_votes", "suggestion_votes")  # sections of PersonalData that are votes


@dataclass(frozen=True)
class PersonalExport:
    user_id: int
    exported_at: datetime
    sections: dict[str, list[Row]]

    @property
    def empty(self) -> bool:
        return not any(self.sections.values())

    def to_json(self) -> bytes:
        document = {
            "about": "Everything veille-bot stores about you (/my-data).",
            "user_id": str(self.user_id),
            "exported_at": self.exported_at.isoformat(),
            "bot_version": __version__,
            **self.sections,
        }
        return json.dumps(document, ensure_ascii=False, indent=2).encode()


@dataclass(frozen=True)
class Forgotten:
    counts: dict[str, int]
    # Where the student's suggestion cards were posted: the platform takes them down.
    cards: tuple[tuple[int, int], ...] = field(default_factory=tuple)

    @property
    def nothing(self) -> bool:
        return not any(self.counts.values())

    @property
    def votes(self) -> int:
        """Votes of every kind deleted (case studies, takes, suggestions)."""
        return sum(self.counts.get(name, 0) for name in VOTES)


class PrivacyService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        retention: timedelta,
        handlers: Sequence[PersonalData] = PERSONAL_DATA,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self.retention = retention
        self._handlers = tuple(handlers)
        self._clock = clock

    async def export(self, user_id: int) -> PersonalExport:
        async with self._sessions() as session:
            sections = {handler.name: await handler.export(session, user_id) for handler in self._handlers}
        return PersonalExport(user_id, self._clock(), sections)

    async def forget(self, user_id: int) -> Forgotten:
        async with write_transaction(self._sessions) as session:
            cards = tuple(await cards_of(session, user_id))
            counts = {handler.name: await handler.forget(session, user_id) for handler in self._handlers}
        # Counts only: the log keeps no trace of who asked.
        log.info("a user was forgotten: %s", _summary(counts))
        return Forgotten(counts, cards)

    async def expire(self) -> dict[str, int]:
        """Delete or anonymise what is older than the retention period (the daily job)."""
        cutoff = self._clock() - self.retention
        async with write_transaction(self._sessions) as session:
            counts = {
                handler.name: await handler.expire(session, cutoff)
                for handler in self._handlers
                if handler.expire is not None
            }
        if any(counts.values()):
            log.info("retention (before %s): %s", cutoff.date(), _summary(counts))
        return counts


def _summary(counts: dict[str, Any]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items() if count) or "nothing"
