"""Feed rows: keep them in step with `feeds.toml` and read their health."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config.feeds_file import FeedsFile
from bot.db.models import Feed
from bot.feeds.health import FeedHealth

REMOVED_FROM_CONFIG = "removed from feeds.toml"


@dataclass(frozen=True)
class SyncResult:
    added: int
    updated: int
    disabled: int


class FeedStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def sync_from_config(self, config: FeedsFile) -> SyncResult:
        """Make the configured feeds' rows match the file, keeping their fetch state.

        A feed that left the file is disabled rather than deleted: its articles may back case studies.
        Feeds that students suggested (`origin = "suggested"`) are not the file's to manage.
        """
        added = updated = disabled = 0
        async with self._sessions.begin() as session:
            rows = {row.url: row for row in (await session.scalars(select(Feed))).all()}
            for entry in config.feeds:
                wanted = {
                    "name": entry.name,
                    "language": entry.language,
                    "themes": list(entry.themes),
                    "interval_minutes": config.interval_of(entry),
                    "enabled": entry.enabled,
                    "disabled_reason": None if entry.enabled else "disabled in feeds.toml",
                }
                row = rows.pop(entry.url, None)
                if row is None:
                    session.add(Feed(url=entry.url, origin="config", **wanted))
                    added += 1
                elif row.origin == "config" and any(
                    getattr(row, key) != value for key, value in wanted.items()
                ):
                    for key, value in wanted.items():
                        setattr(row, key, value)
                    updated += 1
            for row in rows.values():
                if row.origin == "config" and row.enabled:
                    row.enabled = False
                    row.disabled_reason = REMOVED_FROM_CONFIG
                    disabled += 1
        return SyncResult(added, updated, disabled)

    async def health(self) -> list[FeedHealth]:
        async with self._sessions() as session:
            rows = (await session.scalars(select(Feed).order_by(Feed.name, Feed.id))).all()
        return [_health(row) for row in rows]


def _health(row: Feed) -> FeedHealth:
    return FeedHealth(
        name=row.name,
        url=row.url,
        language=row.language,
        themes=tuple(row.themes),
        interval_minutes=row.interval_minutes,
        enabled=row.enabled,
        origin=row.origin,
        last_checked_at=row.last_checked_at,
        last_success_at=row.last_success_at,
        last_status=row.last_status,
        last_error=row.last_error,
        consecutive_failures=row.consecutive_failures,
        disabled_reason=row.disabled_reason,
    )
