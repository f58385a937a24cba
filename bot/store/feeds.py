"""Feed rows: keep them in step with `feeds.toml` and read their health."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config.feeds_file import FeedsFile
from bot.db.engine import write_transaction
from bot.db.models import Article, Feed
from bot.feeds.health import FeedHealth

REMOVED_FROM_CONFIG = "removed from feeds.toml"


@dataclass(frozen=True)
class SyncResult:
    added: int
    updated: int
    disabled: int


@dataclass(frozen=True)
class FeedToCheck:
    """What the engine needs to check one feed."""

    id: int
    name: str
    url: str
    fetch_url: str | None
    language: str
    interval_minutes: int
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    consecutive_failures: int
    failing_since: datetime | None
    failure_alerted_at: datetime | None

    @property
    def target(self) -> str:
        return self.fetch_url or self.url


@dataclass(frozen=True)
class FeedCheck:
    """The outcome of one check, as the feed row must record it."""

    checked_at: datetime
    next_check_at: datetime
    duration_ms: int
    status: int | None
    error: str | None
    warning: str | None
    consecutive_failures: int
    failing_since: datetime | None
    failure_alerted_at: datetime | None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None  # None: keep the stored one
    moved_to: str | None = None
    disabled_reason: str | None = None


class FeedStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def sync_from_config(self, config: FeedsFile) -> SyncResult:
        """Make the configured feeds' rows match the file, keeping their fetch state.

        A feed that left the file is disabled rather than deleted: its articles may back case studies.
        Feeds that students suggested (`origin = "suggested"`) are not the file's to manage.
        """
        added = updated = disabled = 0
        async with write_transaction(self._sessions) as session:
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

    async def add_local(self, url: str, name: str, language: str) -> int:
        """A feed read from a file (`veille preview --feeds-dir`); never fetched by the engine."""
        async with write_transaction(self._sessions) as session:
            row = Feed(url=url, name=name, language=language, origin="local", enabled=True)
            row.next_check_at = None
            session.add(row)
            await session.flush()
            return row.id

    async def due(self, now: datetime, limit: int | None = None) -> list[FeedToCheck]:
        """Enabled feeds whose next check time has come (never-checked feeds first)."""
        query = (
            select(Feed)
            .where(Feed.enabled, or_(Feed.next_check_at.is_(None), Feed.next_check_at <= now))
            .order_by(Feed.next_check_at.is_not(None), Feed.next_check_at, Feed.id)
            .limit(limit)
        )
        return await self._to_check(query)

    async def enabled(self) -> list[FeedToCheck]:
        return await self._to_check(select(Feed).where(Feed.enabled).order_by(Feed.name, Feed.id))

    async def _to_check(self, query: Any) -> list[FeedToCheck]:
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            FeedToCheck(
                id=row.id,
                name=row.name,
                url=row.url,
                fetch_url=row.fetch_url,
                language=row.language,
                interval_minutes=row.interval_minutes,
                etag=row.etag,
                last_modified=row.last_modified,
                body_hash=row.body_hash,
                consecutive_failures=row.consecutive_failures,
                failing_since=row.failing_since,
                failure_alerted_at=row.failure_alerted_at,
            )
            for row in rows
        ]

    async def record(self, checks: Sequence[tuple[int, FeedCheck]]) -> None:
        """Write the outcomes of checks (feed id, outcome) in one transaction."""
        async with write_transaction(self._sessions) as session:
            for feed_id, check in checks:
                await session.execute(update(Feed).where(Feed.id == feed_id).values(**_recorded(check)))

    async def health(self) -> list[FeedHealth]:
        async with self._sessions() as session:
            # The moderators' picks by URL sit on a pseudo-feed that is never read: not a feed to report.
            query = select(Feed).where(Feed.origin != "manual").order_by(Feed.name, Feed.id)
            rows = (await session.scalars(query)).all()
            spans = {
                feed_id: (count, first, last)
                for feed_id, count, first, last in await session.execute(
                    select(
                        Article.feed_id,
                        func.count(),
                        func.min(Article.published_at),
                        func.max(Article.published_at),
                    ).group_by(Article.feed_id)
                )
            }
        return [_health(row, *spans.get(row.id, (0, None, None))) for row in rows]


def _health(row: Feed, articles: int, first: datetime | None, last: datetime | None) -> FeedHealth:
    interval = (last - first) / (articles - 1) if articles > 1 and first and last else None
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
        last_warning=row.last_warning,
        items_seen=row.items_seen,
        average_item_interval=interval,
    )


def _recorded(check: FeedCheck) -> dict[str, Any]:
    """The feed row's columns after a check: errors keep the validators and the body hash."""
    values: dict[str, Any] = {
        "last_checked_at": check.checked_at,
        "next_check_at": check.next_check_at,
        "last_duration_ms": check.duration_ms,
        "last_status": check.status,
        "last_error": check.error,
        "last_warning": check.warning,
        "consecutive_failures": check.consecutive_failures,
        "failing_since": check.failing_since,
        "failure_alerted_at": check.failure_alerted_at,
    }
    if check.error is None:
        values.update(last_success_at=check.checked_at, etag=check.etag, last_modified=check.last_modified)
    if check.body_hash is not None:
        values["body_hash"] = check.body_hash
    if check.moved_to is not None:
        values["fetch_url"] = check.moved_to
    if check.disabled_reason is not None:
        values.update(enabled=False, disabled_reason=check.disabled_reason)
    return values
