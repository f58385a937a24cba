"""The weekly digest of each group: scheduled, built, kept and delivered once per ISO week.

A digest goes through the outbox with the key `<guild>:digest:<week>`, so the scheduled slot,
a catch-up after downtime and a moderator's `/digest now` all post the same week once. It is built
at its first delivery attempt and kept (`DigestStore.keep`): a retry posts the same words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.digest.model import Digest
from bot.digest.reader import DigestReader, Runner, covered_week
from bot.digest.week import IsoWeek
from bot.errors import UserProblem
from bot.posting.config import GuildConfig
from bot.posting.delivery import Held
from bot.posting.publisher import AlertKind, DeliveryFailure, DigestPost, Progress, Publisher
from bot.posting.schedule import slot_key
from bot.posting.service import PostingService
from bot.scheduler import Scheduler, digest_job_id
from bot.store.digests import DigestStore
from bot.store.posting import DIGEST, Claim, nonce_of

log = logging.getLogger(__name__)

# A slot run this long after its time was missed by a stopped bot: the digest says it is late.
LATE_AFTER = timedelta(minutes=10)


def digest_key(guild_id: int, week: IsoWeek | str) -> str:
    return f"{guild_id}:digest:{week}"


class DigestService:
    def __init__(
        self,
        posting: PostingService,
        store: DigestStore,
        scheduler: Scheduler,
        run: Runner,
        *,
        grace: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._posting = posting
        self._guilds = posting.guilds
        self._outbox = posting.store
        self.store = store
        self.reader = DigestReader(self._guilds, store, posting.theme_labels, run, clock)
        self._scheduler = scheduler
        self._grace = grace
        self._clock = clock
        posting.courier.handle(DIGEST, self._deliver)
        posting.on_setup(self._schedule)

    # ── schedule ────────────────────────────────────────────────────────────────────────────────

    async def start(self) -> None:
        """Schedule every group's digest and post the ones a stopped bot missed (within the grace
        period). Call before the courier starts delivering."""
        configured = await self._guilds.configured()
        for config in configured:
            self._schedule(config)
        for config in configured:
            try:
                await self.run_slot(config.guild_id)
            except Exception:  # one group's failure leaves the others' digests alone
                log.exception("guild %s: catching up the digest failed", config.guild_id)

    def _schedule(self, config: GuildConfig) -> None:
        job_id = digest_job_id(config.guild_id)
        if config.channel_id is None:
            self._scheduler.remove(job_id)
            return
        schedule = config.digest_schedule
        self._scheduler.weekly(
            job_id, schedule.days, schedule.at, schedule.timezone, self.run_slot, config.guild_id
        )

    def next_digest(self, config: GuildConfig) -> datetime | None:
        return config.digest_schedule.next(self._clock()) if config.ready else None

    async def run_slot(self, guild_id: int) -> str | None:
        """Queue the digest of the group's latest slot unless it is queued already, or too old, or
        the group was not set up then. The outbox key of what was queued, if anything."""
        now = self._clock()
        config = await self._guilds.get(guild_id)
        if not config.ready:
            return None
        slot = config.digest_schedule.latest(now)
        if slot is None or now - slot > self._grace:
            return None
        if config.set_up_at is not None and slot < config.set_up_at:
            return None
        week = covered_week(slot, config.timezone)
        late = now - slot > LATE_AFTER
        if late:
            log.info("guild %s: posting the digest of %s late (slot %s)", guild_id, week, slot_key(slot))
        return await self._queue(config, week, late=late)

    async def _queue(self, config: GuildConfig, week: IsoWeek, **payload: Any) -> str | None:
        key = digest_key(config.guild_id, week)
        added = await self._outbox.enqueue(
            key, DIGEST, {"week": str(week), **payload}, guild_id=config.guild_id, now=self._clock()
        )
        if not added:
            return None
        self._posting.courier.kick()
        return key

    # ── moderators ──────────────────────────────────────────────────────────────────────────────

    async def post_now(self, guild_id: int, requested_by: int) -> tuple[IsoWeek, int]:
        """Post this week's digest now (the scheduled slot then finds it done): (week, channel)."""
        config = await self._guilds.get(guild_id)
        channel = config.digest_channel
        if channel is None:
            raise UserProblem("setup.channel_first")
        week = covered_week(self._clock(), config.timezone)
        if await self._queue(config, week, requested_by=requested_by) is None:
            raise UserProblem("digest.already_posted", week=str(week))
        return week, channel

    # ── delivery (called by the courier) ────────────────────────────────────────────────────────

    async def _deliver(self, claim: Claim, progress: Progress, publisher: Publisher) -> Mapping[str, Any]:
        assert claim.guild_id is not None
        config = await self._guilds.get(claim.guild_id)
        if not config.ready:
            raise Held(config.paused_reason or "the group has no case-study channel")
        week = IsoWeek.parse(str(claim.payload["week"]))
        digest = await self.store.saved(config.guild_id, str(week))
        if digest is None:
            built = await self.reader.build(config, week, late=bool(claim.payload.get("late")))
            digest = await self.store.keep(built)
        chart = await self.reader.chart(digest)
        channel = progress.get("channel_id") or config.digest_channel
        assert channel is not None
        try:
            ids = await self._post(publisher, claim, digest, chart, channel, progress)
        except DeliveryFailure as failure:
            if not (failure.pauses_guild and channel != config.channel_id and config.channel_id):
                raise
            # The digest channel is gone or closed to the bot: the group still gets its digest,
            # in the case-study channel, and its moderators are told why.
            log.warning("guild %s: digest channel unusable (%s)", config.guild_id, failure.detail)
            await self._posting.alert(
                config,
                AlertKind.DIGEST_MOVED,
                f"digest-moved:{week}",
                channel_id=config.channel_id,
                detail=failure.detail,
            )
            await progress.record(channel_id=config.channel_id, message_ids=[])
            ids = await self._post(publisher, claim, digest, chart, config.channel_id, progress)
        await self.store.mark_posted(config.guild_id, str(week), ids, self._clock())
        return ids

    async def _post(
        self,
        publisher: Publisher,
        claim: Claim,
        digest: Digest,
        chart: bytes | None,
        channel_id: int,
        progress: Progress,
    ) -> Mapping[str, Any]:
        post = DigestPost(claim.guild_id or 0, channel_id, digest, chart, nonce=nonce_of(claim.key))
        return await publisher.post_digest(post, progress)
