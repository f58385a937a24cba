"""The feed engine: check the feeds that are due, concurrently, and keep each feed's state.

One check = fetch (async, shared session) → parse and store (in a worker process, only when the
body changed) → record the outcome and the next check time on the feed's row (in batches). A
feed's failure is recorded on that feed and never stops the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from bot.feeds import schedule
from bot.feeds.fetch import Fetcher, FetchResult
from bot.feeds.worker import Ingested, ingest_body
from bot.store.articles import IngestResult
from bot.store.feeds import FeedCheck, FeedStore, FeedToCheck
from bot.workers import WorkerPool

log = logging.getLogger(__name__)

ALERT_AFTER = timedelta(hours=24)
GONE = "the publisher removed this feed (HTTP 410); re-enable it once a new address is set"


class Outcome(StrEnum):
    NEW = "new items"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # same body as last time: not parsed again
    NOT_MODIFIED = "not modified"  # 304 to a conditional GET
    FAILED = "failed"


@dataclass(frozen=True)
class FeedReport:
    feed_id: int
    name: str
    url: str
    outcome: Outcome
    status: int | None
    duration: float
    items: int | None = None  # entries in the feed, when it was parsed
    ingest: IngestResult | None = None
    newest: datetime | None = None
    error: str | None = None
    warning: str | None = None


class AlertKind(StrEnum):
    FAILING = "failing"
    RECOVERED = "recovered"


@dataclass(frozen=True)
class FeedAlert:
    """For moderators: a feed failed for 24 h (told once), or came back."""

    kind: AlertKind
    feed_name: str
    feed_url: str
    error: str | None
    since: datetime | None


@dataclass
class CycleReport:
    feeds: list[FeedReport] = field(default_factory=list)
    alerts: list[FeedAlert] = field(default_factory=list)


Progress = Callable[[FeedReport], Awaitable[None] | None]


class FeedEngine:
    def __init__(
        self,
        feeds: FeedStore,
        fetcher: Fetcher,
        pool: WorkerPool,
        database_url: str,
        *,
        concurrency: int = 64,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._feeds = feeds
        self._fetcher = fetcher
        self._pool = pool
        self._database_url = database_url  # where the workers store articles
        self._concurrency = concurrency
        self._clock = clock

    async def refresh_due(self, limit: int | None = None, progress: Progress | None = None) -> CycleReport:
        """Check every feed whose time has come."""
        return await self.refresh(await self._feeds.due(self._clock(), limit), progress)

    async def refresh_all(self, progress: Progress | None = None) -> CycleReport:
        """Check every enabled feed now, whatever its schedule (`veille feeds check --all`)."""
        return await self.refresh(await self._feeds.enabled(), progress)

    async def refresh(self, feeds: Sequence[FeedToCheck], progress: Progress | None = None) -> CycleReport:
        report = CycleReport()
        semaphore = asyncio.Semaphore(self._concurrency)
        recorder = _Recorder(self._feeds)

        async def one(feed: FeedToCheck) -> None:
            async with semaphore:
                checked, alert, outcome = await self._check(feed)
            await recorder.add(feed.id, outcome)
            report.feeds.append(checked)
            if alert is not None:
                report.alerts.append(alert)
            if progress is not None:
                maybe = progress(checked)
                if maybe is not None:
                    await maybe

        try:
            await asyncio.gather(*(one(feed) for feed in feeds))
        finally:
            await recorder.flush()
        return report

    async def check(self, feed: FeedToCheck) -> tuple[FeedReport, FeedAlert | None]:
        """Check one feed and record the outcome; never raises for what the feed or the web does."""
        report, alert, outcome = await self._check(feed)
        await self._feeds.record([(feed.id, outcome)])
        return report, alert

    async def _check(self, feed: FeedToCheck) -> tuple[FeedReport, FeedAlert | None, FeedCheck]:
        now = self._clock()
        fetched = await self._fetcher.fetch(feed.target, feed.etag, feed.last_modified)
        if fetched.error is not None:
            return self._failed(feed, now, fetched, fetched.error)
        if fetched.not_modified:
            return self._succeeded(feed, now, fetched, Outcome.NOT_MODIFIED)
        body = fetched.body or b""
        body_hash = hashlib.sha256(body).hexdigest()
        if body_hash == feed.body_hash:
            return self._succeeded(feed, now, fetched, Outcome.UNCHANGED)
        try:
            ingested = await self._pool.run(
                ingest_body,
                self._database_url,
                feed.id,
                body,
                fetched.final_url,
                fetched.content_type,
                feed.language,
                now,
            )
        except Exception as exc:  # a crash in a worker is this feed's failure, not the engine's
            log.exception("ingesting %s failed", feed.target)
            return self._failed(feed, now, fetched, f"reading the feed failed ({type(exc).__name__})")
        if ingested.error is not None or ingested.result is None:
            return self._failed(feed, now, fetched, ingested.error or "nothing was read")
        result = ingested.result
        outcome = Outcome.NEW if result.new else Outcome.UPDATED if result.updated else Outcome.UNCHANGED
        return self._succeeded(feed, now, fetched, outcome, ingested=ingested, body_hash=body_hash)

    def _succeeded(
        self,
        feed: FeedToCheck,
        now: datetime,
        fetched: FetchResult,
        outcome: Outcome,
        *,
        ingested: Ingested | None = None,
        body_hash: str | None = None,
    ) -> tuple[FeedReport, FeedAlert | None, FeedCheck]:
        alert = None
        if feed.failure_alerted_at is not None:
            alert = FeedAlert(AlertKind.RECOVERED, feed.name, feed.url, None, feed.failing_since)
        row = FeedCheck(
            checked_at=now,
            next_check_at=schedule.after_success(
                now,
                feed.interval_minutes,
                feed_hint_minutes=ingested.ttl_minutes if ingested else None,
                max_age_seconds=fetched.max_age_seconds,
            ),
            duration_ms=int(fetched.elapsed * 1000),
            status=fetched.status,
            error=None,
            warning=ingested.warning if ingested else None,
            consecutive_failures=0,
            failing_since=None,
            failure_alerted_at=None,
            etag=fetched.etag or (feed.etag if fetched.not_modified else None),
            last_modified=fetched.last_modified or (feed.last_modified if fetched.not_modified else None),
            body_hash=body_hash,
            moved_to=fetched.moved_to,
        )
        report = FeedReport(
            feed_id=feed.id,
            name=feed.name,
            url=feed.target,
            outcome=outcome,
            status=fetched.status,
            duration=fetched.elapsed,
            items=ingested.items if ingested else None,
            ingest=ingested.result if ingested else None,
            newest=ingested.newest if ingested else None,
            warning=ingested.warning if ingested else None,
        )
        return report, alert, row

    def _failed(
        self, feed: FeedToCheck, now: datetime, fetched: FetchResult, error: str
    ) -> tuple[FeedReport, FeedAlert | None, FeedCheck]:
        failures = feed.consecutive_failures + 1
        since = feed.failing_since or now
        alert = None
        alerted_at = feed.failure_alerted_at
        if alerted_at is None and now - since >= ALERT_AFTER:
            alert = FeedAlert(AlertKind.FAILING, feed.name, feed.url, error, since)
            alerted_at = now
        row = FeedCheck(
            checked_at=now,
            next_check_at=schedule.after_failure(
                now, feed.interval_minutes, failures, retry_after_seconds=fetched.retry_after_seconds
            ),
            duration_ms=int(fetched.elapsed * 1000),
            status=fetched.status,
            error=error,
            warning=None,
            consecutive_failures=failures,
            failing_since=since,
            failure_alerted_at=alerted_at,
            disabled_reason=GONE if fetched.gone else None,
        )
        report = FeedReport(
            feed_id=feed.id,
            name=feed.name,
            url=feed.target,
            outcome=Outcome.FAILED,
            status=fetched.status,
            duration=fetched.elapsed,
            error=error,
        )
        return report, alert, row


class _Recorder:
    """Feed outcomes written in batches during a cycle: one short write transaction per
    `BATCH` feeds rather than one per feed (with SQLite, every write transaction of the bot makes
    the ingestion workers wait)."""

    BATCH = 50

    def __init__(self, feeds: FeedStore) -> None:
        self._feeds = feeds
        self._pending: list[tuple[int, FeedCheck]] = []

    async def add(self, feed_id: int, check: FeedCheck) -> None:
        self._pending.append((feed_id, check))
        if len(self._pending) >= self.BATCH:
            await self.flush()

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending:
            await self._feeds.record(pending)
