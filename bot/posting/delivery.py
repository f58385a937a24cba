"""The outbox's courier: delivers due items through the publisher, exactly once.

Each item was written before any platform call. Delivering claims it (with a lease), calls the
publisher, and records the result. A crash anywhere leaves the item claimable again; the publisher
then finds what it already posted through `Progress` instead of posting twice. Errors are sorted:
a transient one is retried with backoff; a missing permission or a deleted channel pauses the group
and tells its moderators once; the item waits (`held`) until a moderator fixes the setup.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.posting.publisher import DeliveryFailure, FailureKind, Progress, Publisher
from bot.store.posting import FAILED, HELD, Claim, PostingStore

log = logging.getLogger(__name__)

# Seconds before attempt 2, 3, …; the last one repeats until MAX_ATTEMPTS.
BACKOFF_SECONDS = (2, 10, 60, 300, 1800, 3600)
MAX_ATTEMPTS = 12
LEASE = timedelta(minutes=5)  # longer than any post takes, even paced behind 200 others
POLL_SECONDS = 30.0
CONCURRENCY = 16  # items delivered at once; the publisher paces the platform calls itself
CLAIM_BATCH = 64


class Held(Exception):
    """The item cannot go now (its group is paused or not set up); it waits for a moderator."""


# Delivers one claimed item; returns the platform ids to record.
Handler = Callable[[Claim, Progress, Publisher], Awaitable[Mapping[str, Any]]]
# Called when an item's group must pause: (guild id, the failure).
OnPause = Callable[[int, DeliveryFailure], Awaitable[None]]


class Courier:
    def __init__(
        self,
        store: PostingStore,
        handlers: Mapping[str, Handler],
        on_pause: OnPause,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._handlers = dict(handlers)
        self._on_pause = on_pause
        self._clock = clock
        self._publisher: Publisher | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._limit = asyncio.Semaphore(CONCURRENCY)
        self._active: set[asyncio.Task[None]] = set()

    def handle(self, kind: str, handler: Handler) -> None:
        """Deliver the outbox items of `kind` with `handler` (each feature registers its own)."""
        self._handlers[kind] = handler

    def start(self, publisher: Publisher) -> None:
        self._publisher = publisher
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-courier")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for task in list(self._active):
            task.cancel()
        await asyncio.gather(*self._active, return_exceptions=True)

    def kick(self) -> None:
        """Something was queued: deliver now rather than at the next poll."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.deliver_due()
            except Exception:  # the courier must outlive a database hiccup; the error is logged
                log.exception("delivering the outbox failed; retrying in %ss", POLL_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)

    async def deliver_due(self) -> int:
        """Claim and deliver what is due (in batches until none is left); the number claimed."""
        claimed = 0
        while True:
            claims = await self._store.claim_due(self._clock(), LEASE, CLAIM_BATCH)
            if not claims:
                return claimed
            claimed += len(claims)
            tasks = [asyncio.create_task(self._deliver_one(claim)) for claim in claims]
            self._active.update(tasks)
            try:
                await asyncio.gather(*tasks)
            finally:
                self._active.difference_update(tasks)

    async def _deliver_one(self, claim: Claim) -> None:
        assert self._publisher is not None, "start the courier with a publisher first"
        handler = self._handlers.get(claim.kind)
        if handler is None:
            await self._store.set_status(claim.id, FAILED, f"no handler for {claim.kind!r}")
            return

        async def save(ids: dict[str, Any]) -> None:
            await self._store.save_result(claim.id, ids)

        progress = Progress(claim.result, save, resumed=claim.resumed)
        async with self._limit:
            try:
                ids = await handler(claim, progress, self._publisher)
            except Held as held:
                await self._store.set_status(claim.id, HELD, str(held))
                return
            except DeliveryFailure as failure:
                await self._failed(claim, failure)
                return
            except Exception as exc:  # a bug or an unexpected platform answer: retried, logged
                log.exception("delivering %s failed unexpectedly", claim.key)
                await self._failed(claim, DeliveryFailure(FailureKind.TRANSIENT, repr(exc)))
                return
        await self._store.finish(claim.id, ids, self._clock())

    async def _failed(self, claim: Claim, failure: DeliveryFailure) -> None:
        if failure.pauses_guild and claim.guild_id is not None:
            await self._store.set_status(claim.id, HELD, failure.detail)
            await self._on_pause(claim.guild_id, failure)
            return
        if failure.kind is FailureKind.REJECTED or claim.attempts >= MAX_ATTEMPTS:
            log.error("giving up on %s after %d attempt(s): %s", claim.key, claim.attempts, failure.detail)
            await self._store.set_status(claim.id, FAILED, failure.detail)
            return
        delay = BACKOFF_SECONDS[min(claim.attempts, len(BACKOFF_SECONDS)) - 1]
        log.warning("%s: %s; attempt %d in %ss", claim.key, failure.detail, claim.attempts + 1, delay)
        await self._store.retry_at(claim.id, self._clock() + timedelta(seconds=delay), failure.detail)
        asyncio.get_running_loop().call_later(delay, self._wake.set)
