"""The outbox and its courier on a real database (SQLite and PostgreSQL): an item is delivered once,
claimed by one process at a time, retried after a transient failure, held when its group pauses.

The platform is a small recording `Publisher` (the port's contract, not our code under test)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.casestudy.model import CaseStudy, TextSource
from bot.config.settings import Settings
from bot.db.engine import sessionmaker
from bot.errors import UserProblem
from bot.posting.config import GuildConfig
from bot.posting.delivery import Courier
from bot.posting.publisher import (
    CaseStudyPost,
    DeliveryFailure,
    DigestPost,
    FailureKind,
    ModeratorAlert,
    PostedRef,
    Progress,
    TallyUpdate,
)
from bot.services import open_database
from bot.store.guilds import GuildStore
from bot.store.posting import CASESTUDY, Claim, PostingStore

NOW = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)
CASE = CaseStudy(
    title="Le CV vidéo séduit les recruteurs",
    url="https://example.org/cv-video",
    source_name="Le Blog de l'emploi",
    published_at=NOW,
    reading_minutes=3,
    language="fr",
    locale="fr",
    theme="video-cv",
    summary=("Une phrase.", "Une autre phrase."),
    key_terms=("CV vidéo",),
    questions=("Pour ou contre ?",),
    situation="Vous êtes recruteur.",
    text_source=TextSource.PAGE,
    fallback_reason=None,
    article_id=None,
)


class Recorder:
    """Posts nothing anywhere: records what it was asked, fails as told."""

    def __init__(self) -> None:
        self.posts: list[CaseStudyPost] = []
        self.failures: list[DeliveryFailure] = []

    async def post_case_study(self, post: CaseStudyPost, progress: Progress) -> Mapping[str, Any]:
        if self.failures:
            raise self.failures.pop(0)
        self.posts.append(post)
        await progress.record(channel_id=post.channel_id, message_id=1000 + post.case_study_id)
        return dict(progress.ids)

    async def post_digest(self, post: DigestPost, progress: Progress) -> Mapping[str, Any]:
        raise AssertionError("these tests post no digest")

    async def update_tally(self, update: TallyUpdate) -> None: ...

    async def remove_case_study(self, ref: PostedRef) -> None: ...

    async def alert_moderators(self, alert: ModeratorAlert) -> None: ...


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with open_database(Settings(_env_file=None, database_url=database_url)) as engine:
        yield sessionmaker(engine)


async def queued(sessions: async_sessionmaker[AsyncSession]) -> tuple[PostingStore, int]:
    await GuildStore(sessions, "fr", "Europe/Paris").save(GuildConfig(7, channel_id=70))
    store = PostingStore(sessions)
    item = await store.queue_case_study(7, CASE, slot="2026-11-23T11:30Z", now=NOW)
    return store, item.case_study_id


def courier(store: PostingStore, paused: list[int], clock: list[datetime]) -> Courier:
    async def deliver(claim: Claim, progress: Progress, publisher: Any) -> Mapping[str, Any]:
        stored = await store.case_study(int(claim.payload["case_study_id"]))
        assert stored is not None
        post = CaseStudyPost(stored.id, stored.guild_id, 70, stored.case, "CV vidéo", "fr")
        ids: Mapping[str, Any] = await publisher.post_case_study(post, progress)
        await store.mark_posted(stored.id, ids, clock[0])
        return ids

    async def pause(guild_id: int, failure: DeliveryFailure) -> None:
        paused.append(guild_id)

    return Courier(store, {CASESTUDY: deliver}, pause, clock=lambda: clock[0])


async def test_an_item_is_delivered_once_however_often_the_courier_runs(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    store, case_id = await queued(sessions)
    recorder, clock = Recorder(), [NOW]
    first = courier(store, [], clock)
    first.start(recorder)
    await first.stop()  # started only to hold the publisher
    assert await first.deliver_due() == 1
    assert await first.deliver_due() == 0
    assert [post.case_study_id for post in recorder.posts] == [case_id]
    stored = await store.case_study(case_id)
    assert stored is not None and (stored.status, stored.message_id) == ("posted", 1000 + case_id)


async def test_a_claimed_item_is_not_claimed_again_until_its_lease_ends(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    store, _ = await queued(sessions)
    lease = timedelta(minutes=5)

    (claim,) = await store.claim_due(NOW, lease, 10)

    assert await store.claim_due(NOW, lease, 10) == []  # another process finds nothing to do
    (again,) = await store.claim_due(NOW + lease, lease, 10)  # its process died: taken up
    assert (again.id, again.attempts, again.resumed) == (claim.id, 2, True)


async def test_the_same_article_or_slot_is_never_queued_twice(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    store, _ = await queued(sessions)
    with pytest.raises(UserProblem) as caught:
        await store.queue_case_study(7, CASE, slot="2026-11-25T11:30Z", now=NOW)
    assert caught.value.key == "casestudy.already_posted"
    other = CaseStudy(**{**CASE.__dict__, "url": "https://example.org/other"})
    with pytest.raises(UserProblem) as caught:
        await store.queue_case_study(7, other, slot="2026-11-23T11:30Z", now=NOW)
    assert caught.value.key == "casestudy.slot_filled"


async def test_a_transient_failure_is_retried_later_and_a_permission_holds_the_item(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    store, case_id = await queued(sessions)
    recorder, paused, clock = Recorder(), list[int](), [NOW]
    recorder.failures = [
        DeliveryFailure(FailureKind.TRANSIENT, "Discord answered 503"),
        DeliveryFailure(FailureKind.MISSING_PERMISSION, "missing send_messages", permission="send_messages"),
    ]
    runner = courier(store, paused, clock)
    runner.start(recorder)
    await runner.stop()

    await runner.deliver_due()
    assert await runner.deliver_due() == 0  # not due again before its backoff
    clock[0] = NOW + timedelta(seconds=3)
    await runner.deliver_due()

    stored = await store.case_study(case_id)
    assert stored is not None
    item = await store.item(f"7:casestudy:{stored.article_id}")
    assert item is not None and (item.status, item.attempts) == ("held", 2)
    assert paused == [7] and recorder.posts == []
    assert await store.release_held(7, clock[0]) == 1
    await runner.deliver_due()
    assert len(recorder.posts) == 1
