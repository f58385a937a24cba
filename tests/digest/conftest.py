"""A set-up group on a real database (SQLite and PostgreSQL) with a recording platform, for the
digest's service and export tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot.config.settings import Settings
from bot.db.engine import write_transaction
from bot.db.models import Guild
from bot.digest.service import DigestService
from bot.posting.config import SetupChange
from bot.posting.publisher import (
    CaseStudyPost,
    DeliveryFailure,
    DigestPost,
    ModeratorAlert,
    PostedRef,
    Progress,
    TallyUpdate,
)
from bot.services import Core, open_core
from bot.store.digests import DigestStore
from tests.conftest import SHIPPED_FEEDS
from tests.posting.test_outbox import CASE

GUILD, CHANNEL, DIGEST_CHANNEL = 7, 70, 80
# Week 47 of 2026: Monday 16 to Sunday 22 November; its digest is due Friday 20 at 17:00 in Paris.
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
SLOT = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
GRACE = timedelta(hours=48)


class Recorder:
    """Posts nothing anywhere: records what it was asked, fails as told."""

    def __init__(self) -> None:
        self.digests: list[DigestPost] = []
        self.alerts: list[ModeratorAlert] = []
        self.failures: list[DeliveryFailure] = []

    async def post_digest(self, post: DigestPost, progress: Progress) -> Mapping[str, Any]:
        if self.failures:
            raise self.failures.pop(0)
        self.digests.append(post)
        await progress.record(channel_id=post.channel_id, message_ids=[9000 + len(self.digests)])
        return dict(progress.ids)

    async def post_case_study(self, post: CaseStudyPost, progress: Progress) -> Mapping[str, Any]:
        raise AssertionError("these tests post no case study")

    async def update_tally(self, update: TallyUpdate) -> None: ...

    async def remove_case_study(self, ref: PostedRef) -> None: ...

    async def alert_moderators(self, alert: ModeratorAlert) -> None:
        self.alerts.append(alert)


@dataclass
class Group:
    core: Core
    recorder: Recorder
    clock: list[datetime]

    def digests(self) -> DigestService:
        """A digest service as the bot builds it at start, at the test's time."""
        return DigestService(
            self.core.posting,
            DigestStore(self.core.sessions),
            self.core.scheduler,
            _in_thread,
            grace=GRACE,
            clock=lambda: self.clock[0],
        )

    async def deliver(self) -> int:
        return await self.core.posting.courier.deliver_due()

    async def post_case(self, number: int, theme: str, posted_at: datetime) -> int:
        """A case study posted at `posted_at` in thread 300 + number."""
        case = replace(CASE, title=f"Étude {number}", url=f"https://example.org/{number}", theme=theme)
        store = self.core.posting.store
        queued = await store.queue_case_study(GUILD, case, now=posted_at)
        ids = {"channel_id": CHANNEL, "message_id": 100 + number, "thread_id": 300 + number}
        await store.mark_posted(queued.case_study_id, ids, posted_at)
        item = await store.item(queued.outbox_key)
        assert item is not None
        await store.finish(item.id, ids, posted_at)  # delivered: the courier has nothing to do for it
        return queued.case_study_id

    async def take(self, case_id: int, user: int, stance: str, text: str = "Un avis argumenté.") -> None:
        await self.core.takes.submit(case_id, user, stance, text, "modal")


async def _in_thread(function: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.to_thread(function, *args)


@pytest.fixture
async def group(database_url: str, tmp_path: Any) -> AsyncIterator[Group]:
    settings = Settings(_env_file=None, database_url=database_url, feeds_file=SHIPPED_FEEDS)
    async with open_core(settings) as core:
        await core.posting.setup(GUILD, SetupChange(channel_id=CHANNEL))
        async with write_transaction(core.sessions) as session:  # set up long before the weeks tested
            await session.execute(update(Guild).values(created_at=MONDAY - timedelta(days=60)))
        recorder = Recorder()
        core.posting.courier.start(recorder)
        await core.posting.courier.stop()  # started only to hold the publisher: tests deliver
        yield Group(core, recorder, [SLOT + timedelta(seconds=30)])


async def busy(group: Group) -> list[int]:
    first = await group.post_case(1, "remote-recruiting", MONDAY)
    second = await group.post_case(2, "video-cv", MONDAY + timedelta(days=2))
    for user, stance in ((1, "agree"), (2, "agree"), (3, "disagree")):
        await group.take(first, user, stance)
    await group.take(second, 1, "nuanced")
    return [first, second]
