"""Case studies in the groups: set-up, the schedule's slots, moderators' picks, and delivery.

Every post goes through the outbox (see `delivery.py`). A slot is filled once: its key is stored
with the case study under a unique constraint, so a slot fired twice (a restart, a catch-up, two
processes) posts once. After downtime, only each group's latest missed slot is caught up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from bot.casestudy.select import Preferences
from bot.casestudy.service import CaseStudyMaker, Proposal
from bot.errors import UserProblem
from bot.i18n import Locale
from bot.posting.config import GuildConfig, SetupChange, apply_change
from bot.posting.delivery import Courier, Held
from bot.posting.publisher import (
    AlertKind,
    CaseStudyPost,
    DeliveryFailure,
    FailureKind,
    ModeratorAlert,
    PostedRef,
    Progress,
    Publisher,
)
from bot.posting.schedule import slot_key
from bot.scheduler import Scheduler, casestudy_job_id
from bot.store.guilds import GuildStore
from bot.store.posting import (
    ALERT,
    CASESTUDY,
    DELETED,
    POSTED,
    Claim,
    PostingStore,
    QueuedCaseStudy,
    StoredCaseStudy,
    nonce_of,
)

log = logging.getLogger(__name__)

SLOTS_AT_ONCE = 4  # groups whose slot is being filled at the same time (the rest wait their turn)


@dataclass(frozen=True)
class SlotOutcome:
    guild_id: int
    slot: str | None
    queued: QueuedCaseStudy | None = None
    reason: str = ""  # why nothing was queued


class PostingService:
    def __init__(
        self,
        guilds: GuildStore,
        store: PostingStore,
        maker: CaseStudyMaker,
        theme_labels: Mapping[str, Mapping[str, str]],
        scheduler: Scheduler,
        *,
        single_process: bool,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.guilds = guilds
        self.store = store
        self._maker = maker
        self._labels = theme_labels
        self._scheduler = scheduler
        self._single_process = single_process
        self._clock = clock
        self._slots = asyncio.Semaphore(SLOTS_AT_ONCE)
        self._on_posted: Callable[[int], Awaitable[None]] | None = None
        self._on_setup: list[Callable[[GuildConfig], None]] = []
        self.courier = Courier(
            store, {CASESTUDY: self._deliver_case_study, ALERT: self._deliver_alert}, self._pause, clock
        )

    def on_posted(self, callback: Callable[[int], Awaitable[None]]) -> None:
        """Called with a case study's id once its post is complete (takes may have come first)."""
        self._on_posted = callback

    def on_setup(self, callback: Callable[[GuildConfig], None]) -> None:
        """Called with a group's configuration after a moderator changed it (to reschedule)."""
        self._on_setup.append(callback)

    @property
    def theme_labels(self) -> Mapping[str, Mapping[str, str]]:
        return self._labels

    # ── life cycle ──────────────────────────────────────────────────────────────────────────────

    async def start(self, publisher: Publisher) -> None:
        """Schedule every group, take up what a previous run left, catch up missed slots, deliver."""
        if self._single_process:
            released = await self.store.release_orphans(self._clock())
            if released:
                log.info("taking up %d post(s) interrupted by the last stop", released)
        configured = await self.guilds.configured()
        for config in configured:
            self._schedule(config)
        self.courier.start(publisher)
        # Catch-up for every group at once (`SLOTS_AT_ONCE` fill at a time); one group's failure
        # is logged and leaves the others alone.
        ready = [config.guild_id for config in configured if config.ready]
        outcomes = await asyncio.gather(
            *(self.run_slot(guild_id) for guild_id in ready), return_exceptions=True
        )
        for guild_id, outcome in zip(ready, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                log.error("guild %s: catching up its last slot failed", guild_id, exc_info=outcome)

    async def stop(self) -> None:
        await self.courier.stop()

    def next_post(self, config: GuildConfig) -> datetime | None:
        if not config.ready:
            return None
        upcoming = config.schedule.next(self._clock())
        if upcoming is not None and config.skip_slot == slot_key(upcoming):
            upcoming = config.schedule.next(upcoming)
        return upcoming

    def _schedule(self, config: GuildConfig) -> None:
        job_id = casestudy_job_id(config.guild_id)
        if config.channel_id is None:
            self._scheduler.remove(job_id)
            return
        schedule = config.schedule
        self._scheduler.weekly(
            job_id, schedule.days, schedule.at, schedule.timezone, self.run_slot, config.guild_id
        )

    # ── set-up ──────────────────────────────────────────────────────────────────────────────────

    async def config(self, guild_id: int) -> GuildConfig:
        return await self.guilds.get(guild_id)

    async def check_setup(self, guild_id: int, change: SetupChange) -> GuildConfig:
        """The configuration `change` would make, or the `UserProblem` it raises; nothing saved."""
        return apply_change(await self.guilds.get(guild_id), change, self._labels)

    async def setup(self, guild_id: int, change: SetupChange) -> GuildConfig:
        """Apply a moderator's change (checked first: `UserProblem` changes nothing), reschedule,
        and release what waited while the group was paused."""
        before = await self.guilds.get(guild_id)
        after = await self.guilds.save(apply_change(before, change, self._labels))
        self._schedule(after)
        for callback in self._on_setup:
            callback(after)
        if before.paused_reason is not None and await self.store.release_held(guild_id, self._clock()):
            self.courier.kick()
        return after

    async def skip_next(self, guild_id: int) -> datetime:
        config = await self.guilds.get(guild_id)
        if config.channel_id is None:
            raise UserProblem("setup.channel_first")
        upcoming = config.schedule.next(self._clock())
        if upcoming is None:
            raise UserProblem("moderation.nothing_to_skip")
        await self.guilds.save(replace(config, skip_slot=slot_key(upcoming)))
        return upcoming

    # ── slots ───────────────────────────────────────────────────────────────────────────────────

    async def run_slot(self, guild_id: int) -> SlotOutcome:
        """Fill the group's latest slot if it is not filled yet (the scheduler and catch-up call this)."""
        async with self._slots:
            return await self._fill_latest_slot(guild_id)

    async def _fill_latest_slot(self, guild_id: int) -> SlotOutcome:
        now = self._clock()
        config = await self.guilds.get(guild_id)
        if not config.ready:
            return SlotOutcome(guild_id, None, reason="paused" if config.paused_reason else "not set up")
        slot = config.schedule.latest(now)
        if slot is None or (config.set_up_at is not None and slot < config.set_up_at):
            return SlotOutcome(guild_id, None, reason="no slot since set-up")
        key = slot_key(slot)
        if config.skip_slot == key:
            await self.guilds.clear_skip(guild_id)
            return SlotOutcome(guild_id, key, reason="skipped by a moderator")
        if await self.store.slot_filled(guild_id, key):
            return SlotOutcome(guild_id, key, reason="already filled")
        proposal = await self._maker.next(self._preferences(config), guild_id)
        if proposal.case_study is None:
            log.warning(
                "guild %s, slot %s: no case study could be made (%s)", guild_id, key, proposal.reasons
            )
            await self.alert(config, AlertKind.NO_CASE_STUDY, f"empty:{key}", reasons=proposal.reasons[:3])
            return SlotOutcome(guild_id, key, reason="no case study")
        try:
            queued = await self.store.queue_case_study(guild_id, proposal.case_study, slot=key, now=now)
        except UserProblem as problem:  # another process filled the slot meanwhile
            return SlotOutcome(guild_id, key, reason=problem.key)
        self.courier.kick()
        return SlotOutcome(guild_id, key, queued)

    def _preferences(self, config: GuildConfig, **extra: Any) -> Preferences:
        return Preferences(locale=config.locale, themes=config.themes, **extra)

    # ── moderators' picks ───────────────────────────────────────────────────────────────────────

    async def propose(
        self,
        guild_id: int,
        *,
        url: str | None = None,
        theme: str | None = None,
        exclude: Collection[int] = (),
    ) -> Proposal:
        config = await self.guilds.get(guild_id)
        if url:
            return await self._maker.from_url(url, self._preferences(config))
        return await self._maker.next(self._preferences(config, theme=theme), guild_id, exclude=exclude)

    async def post(self, guild_id: int, proposal: Proposal, requested_by: int) -> QueuedCaseStudy:
        config = await self.guilds.get(guild_id)
        if config.channel_id is None:
            raise UserProblem("setup.channel_first")
        if proposal.case_study is None:
            raise UserProblem("casestudy.none")
        queued = await self.store.queue_case_study(
            guild_id, proposal.case_study, requested_by=requested_by, now=self._clock()
        )
        self.courier.kick()
        return queued

    async def case_study_in(self, thread_id: int) -> StoredCaseStudy:
        """The posted case study whose thread `thread_id` is (for moderators' commands)."""
        stored = await self.store.by_thread(thread_id)
        if stored is None or stored.status != POSTED:
            raise UserProblem("moderation.not_in_thread")
        return stored

    async def delete(self, stored: StoredCaseStudy, publisher: Publisher) -> None:
        """Take the post and its thread down; its takes no longer count anywhere."""
        await self.store.mark_deleted(stored.id)
        if stored.channel_id is not None:
            try:
                await publisher.remove_case_study(
                    PostedRef(stored.guild_id, stored.channel_id, stored.message_id, stored.thread_id)
                )
            except DeliveryFailure as failure:
                log.warning("case study %s: could not remove the post: %s", stored.id, failure.detail)

    # ── delivery handlers (called by the courier) ───────────────────────────────────────────────

    async def _deliver_case_study(
        self, claim: Claim, progress: Progress, publisher: Publisher
    ) -> Mapping[str, Any]:
        stored = await self.store.case_study(int(claim.payload["case_study_id"]))
        if stored is None or stored.status == DELETED:
            return {"skipped": "deleted before it was posted"}
        config = await self.guilds.get(stored.guild_id)
        if config.channel_id is None or config.paused_reason is not None:
            raise Held(config.paused_reason or "the group has no case-study channel")
        post = CaseStudyPost(
            case_study_id=stored.id,
            guild_id=stored.guild_id,
            channel_id=progress.get("channel_id") or config.channel_id,
            case=stored.case,
            theme_label=self.theme_label(stored.case.theme, config.locale),
            locale=config.locale,
            ping_role_id=config.ping_role_id,
            nonce=nonce_of(claim.key),
        )
        ids = dict(await publisher.post_case_study(post, progress))
        await self.store.mark_posted(stored.id, ids, self._clock())
        if self._on_posted is not None:
            await self._on_posted(stored.id)
        return ids

    async def _deliver_alert(
        self, claim: Claim, progress: Progress, publisher: Publisher
    ) -> Mapping[str, Any]:
        assert claim.guild_id is not None
        config = await self.guilds.get(claim.guild_id)
        alert = ModeratorAlert(
            guild_id=claim.guild_id,
            kind=AlertKind(claim.payload["kind"]),
            locale=config.locale,
            alerts_channel_id=config.alerts_channel_id,
            params=claim.payload.get("params", {}),
        )
        try:
            await publisher.alert_moderators(alert)
        except DeliveryFailure as failure:
            if failure.pauses_guild:  # nowhere to tell them: an alert never pauses anything itself
                raise DeliveryFailure(FailureKind.REJECTED, failure.detail) from failure
            raise
        return {}

    async def _pause(self, guild_id: int, failure: DeliveryFailure) -> None:
        if await self.guilds.pause(guild_id, failure.detail):
            log.warning("guild %s: posting paused: %s", guild_id, failure.detail)
            config = await self.guilds.get(guild_id)
            await self.alert(
                config,
                AlertKind.POSTING_PAUSED,
                f"paused:{self._clock():%Y%m%dT%H%M%S}",
                reason=failure.kind.value,
                permission=failure.permission,
                channel_id=config.channel_id,
                detail=failure.detail,
            )

    async def alert(self, config: GuildConfig, kind: AlertKind, key: str, **params: Any) -> None:
        """Tell the group's moderators, once per `key` (the outbox refuses a second item)."""
        payload = {"kind": kind.value, "params": params}
        added = await self.store.enqueue(
            f"{config.guild_id}:alert:{key}", ALERT, payload, guild_id=config.guild_id, now=self._clock()
        )
        if added:
            self.courier.kick()

    def theme_label(self, theme: str, locale: Locale) -> str:
        return self._labels.get(theme, {}).get(locale, theme)
