"""The digest service on a real database (SQLite and PostgreSQL): what a week's digest is built
from, and its delivery through the outbox: once per week whatever fires it (the slot, a restart,
`/digest now`), late but once after downtime, never past the grace period, and moved to the
case-study channel when its own channel is gone.

The platform is a small recording `Publisher` (the port's contract, not our code under test)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db.engine import write_transaction
from bot.db.models import Take as TakeRow
from bot.db.models import TakeVote
from bot.digest.service import digest_key
from bot.digest.week import IsoWeek
from bot.errors import UserProblem
from bot.posting.config import SetupChange
from bot.posting.publisher import (
    AlertKind,
    DeliveryFailure,
    FailureKind,
)
from tests.digest.conftest import CHANNEL, DIGEST_CHANNEL, GRACE, GUILD, MONDAY, SLOT, Group, busy

# ── once a week ────────────────────────────────────────────────────────────────────────────────


async def test_the_slot_posts_the_weeks_digest_once_whatever_fires_it_again(group: Group) -> None:
    await busy(group)
    digests = group.digests()

    assert await digests.run_slot(GUILD) == digest_key(GUILD, "2026-W47")
    await group.deliver()
    assert await digests.run_slot(GUILD) is None  # the job fired twice
    await group.digests().start()  # a restart after the slot
    await group.deliver()

    (post,) = group.recorder.digests
    assert (post.channel_id, post.digest.week, post.digest.late) == (CHANNEL, "2026-W47", False)
    assert (post.digest.participation.takes, post.digest.participation.students) == (4, 3)
    assert post.chart_png is not None and post.chart_png.startswith(b"\x89PNG")
    kept = await digests.store.saved(GUILD, "2026-W47")
    assert kept == post.digest  # what students read is kept as it was
    assert await digests.store.posted_at(GUILD, "2026-W47") is not None
    with pytest.raises(UserProblem) as caught:
        await digests.post_now(GUILD, requested_by=42)
    assert caught.value.key == "digest.already_posted"


async def test_a_bot_down_at_the_slot_posts_on_return_once_and_says_it_is_late(group: Group) -> None:
    await busy(group)
    group.clock[0] = SLOT + timedelta(hours=20)

    await group.digests().start()
    await group.digests().start()  # and once more: still one
    await group.deliver()

    (post,) = group.recorder.digests
    assert post.digest.late and post.digest.week == "2026-W47"


async def test_past_the_grace_period_a_missed_digest_is_not_posted(group: Group) -> None:
    await busy(group)
    group.clock[0] = SLOT + GRACE + timedelta(minutes=1)
    await group.digests().start()
    await group.deliver()
    assert group.recorder.digests == []


async def test_digest_now_counts_as_this_weeks(group: Group) -> None:
    await busy(group)
    group.clock[0] = MONDAY + timedelta(days=2, hours=5)  # Wednesday
    week, channel = await group.digests().post_now(GUILD, requested_by=42)
    await group.deliver()
    group.clock[0] = SLOT + timedelta(seconds=30)
    assert await group.digests().run_slot(GUILD) is None
    await group.deliver()
    (post,) = group.recorder.digests
    assert (str(week), channel, post.digest.week) == ("2026-W47", CHANNEL, "2026-W47")


async def test_a_week_without_case_studies_still_gets_its_short_digest(group: Group) -> None:
    await group.digests().run_slot(GUILD)
    await group.deliver()
    (post,) = group.recorder.digests
    assert post.digest.empty and post.chart_png is None


# ── what a digest is built from ────────────────────────────────────────────────────────────────


async def test_a_digest_reads_posted_visible_takes_and_compares_with_the_weeks_before(group: Group) -> None:
    first, second = await busy(group)
    await group.core.takes.set_hidden(first, 3, True)  # hidden by a moderator: not in the digest
    deleted = await group.post_case(3, "video-cv", MONDAY + timedelta(days=3))
    await group.take(deleted, 4, "agree")
    await group.core.posting.store.mark_deleted(deleted)
    earlier = await group.post_case(4, "digital-addiction", MONDAY - timedelta(days=7))
    for user in range(10, 15):
        await group.take(earlier, user, "agree")
    older = await group.post_case(5, "remote-recruiting", MONDAY - timedelta(days=14))
    await group.take(older, 20, "agree")
    async with write_transaction(group.core.sessions) as session:
        take_id = (
            await session.execute(
                TakeRow.__table__.select().where(TakeRow.case_study_id == first, TakeRow.user_id == 2)
            )
        ).first()
        assert take_id is not None
        session.add_all([TakeVote(take_id=take_id.id, user_id=voter) for voter in (1, 5, 6)])

    config = await group.core.posting.config(GUILD)
    digest = await group.digests().reader.build(config, IsoWeek.parse("2026-W47"))

    assert [entry.case_study_id for entry in digest.case_studies] == [first, second]
    entry = digest.case_studies[0]
    assert (entry.takes, dict(entry.stances)) == (2, {"agree": 2, "nuanced": 0, "disagree": 0})
    assert entry.quotes[0].useful == 3
    assert entry.thread_url == f"https://discord.com/channels/{GUILD}/301"
    p = digest.participation
    assert (p.takes, p.students, p.previous_takes, p.previous_students) == (3, 2, 5, 5)
    trends = {theme.theme: theme.trend.value for theme in digest.themes}
    assert trends == {"remote-recruiting": "steady", "video-cv": "new", "digital-addiction": "steady"}


async def test_preview_is_the_week_so_far_and_a_past_week_shows_as_posted(group: Group) -> None:
    await busy(group)
    digests = group.digests()
    group.clock[0] = MONDAY + timedelta(days=3)
    preview = await digests.reader.preview(GUILD)
    assert preview.digest.partial and preview.digest.participation.takes == 4
    assert await digests.store.saved(GUILD, "2026-W47") is None  # a preview keeps nothing

    group.clock[0] = SLOT + timedelta(seconds=30)
    await digests.run_slot(GUILD)
    await group.deliver()
    group.clock[0] = SLOT + timedelta(days=10)
    shown = await digests.reader.show(GUILD, "2026-w47")
    assert shown.digest == group.recorder.digests[0].digest and shown.chart_png is not None
    for text, key in (
        ("2026-W60", "digest.no_such_week"),
        ("W47", "digest.bad_week"),
        ("2027-W01", "digest.future_week"),
    ):
        with pytest.raises(UserProblem) as caught:
            await digests.reader.show(GUILD, text)
        assert caught.value.key == key


# ── where it goes ──────────────────────────────────────────────────────────────────────────────


async def test_a_deleted_digest_channel_moves_the_digest_and_tells_moderators_once(group: Group) -> None:
    await group.core.posting.setup(GUILD, SetupChange(digest_channel_id=DIGEST_CHANNEL))
    group.recorder.failures = [DeliveryFailure(FailureKind.CHANNEL_GONE, "Unknown Channel")]
    await group.digests().run_slot(GUILD)
    await group.deliver()
    await group.deliver()

    (post,) = group.recorder.digests
    assert post.channel_id == CHANNEL
    assert [alert.kind for alert in group.recorder.alerts] == [AlertKind.DIGEST_MOVED]
    assert (await group.core.posting.config(GUILD)).paused_reason is None  # case studies go on


async def test_a_paused_group_holds_its_digest_until_set_up_again(group: Group) -> None:
    await group.core.posting.guilds.pause(GUILD, "missing send_messages")
    await group.digests().run_slot(GUILD)
    assert group.recorder.digests == []  # not queued: the slot passes while paused
    await group.core.posting.setup(GUILD, SetupChange(channel_id=CHANNEL))
    await group.digests().run_slot(GUILD)
    await group.deliver()
    assert len(group.recorder.digests) == 1
