"""A group's schedule: what moderators may type, and the slots it makes across time zones and DST."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.errors import UserProblem
from bot.posting.config import GuildConfig, SetupChange, apply_change
from bot.posting.schedule import PostingSchedule, parse_days, parse_time, slot_key

LABELS = {
    "remote": {"fr": "Recrutement à distance", "en": "Remote recruiting"},
    "video-cv": {"fr": "CV vidéo", "en": "Video CV"},
}


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("lundi, mercredi et vendredi", (0, 2, 4)),
        ("mon wed fri", (0, 2, 4)),
        ("Mardi", (1,)),
        ("sunday;SAT", (5, 6)),
        ("jeu. / ven.", (3, 4)),
    ],
)
def test_days_in_french_or_english(typed: str, days: tuple[int, ...]) -> None:
    assert parse_days(typed) == days


@pytest.mark.parametrize(
    ("typed", "at"),
    [("12:30", time(12, 30)), ("9h", time(9)), ("18h05", time(18, 5)), ("07.45", time(7, 45))],
)
def test_times_as_people_write_them(typed: str, at: time) -> None:
    assert parse_time(typed) == at


@pytest.mark.parametrize("typed", ["25:00", "12:75", "midi", "", "12:3"])
def test_impossible_times_are_refused_with_the_value(typed: str) -> None:
    with pytest.raises(UserProblem) as caught:
        parse_time(typed)
    assert caught.value.key == "setup.bad_time"


def test_a_bad_day_names_the_word() -> None:
    with pytest.raises(UserProblem) as caught:
        parse_days("lundi, funday")
    assert (caught.value.key, caught.value.params) == ("setup.bad_day", {"value": "funday"})


def test_slots_follow_the_local_time_across_a_dst_change() -> None:
    schedule = PostingSchedule((0, 2, 4), time(12, 30), "Europe/Paris")
    # Paris leaves summer time on 2026-10-25: 12:30 local is 10:30 UTC before, 11:30 UTC after.
    slots = schedule.slots_between(datetime(2026, 10, 21, tzinfo=UTC), datetime(2026, 10, 28, 23, tzinfo=UTC))
    assert [slot_key(s) for s in slots] == [
        "2026-10-21T10:30Z",
        "2026-10-23T10:30Z",
        "2026-10-26T11:30Z",
        "2026-10-28T11:30Z",
    ]


def test_latest_and_next_slot() -> None:
    schedule = PostingSchedule((0, 2, 4), time(12, 30), "Europe/Paris")
    now = datetime(2026, 11, 24, 9, tzinfo=UTC)  # a Tuesday
    assert slot_key(schedule.latest(now)) == "2026-11-23T11:30Z"  # type: ignore[arg-type]
    assert slot_key(schedule.next(now)) == "2026-11-25T11:30Z"  # type: ignore[arg-type]


def test_setup_changes_are_checked_before_anything_is_kept() -> None:
    config = GuildConfig(1)
    with pytest.raises(UserProblem) as caught:
        apply_change(config, SetupChange(at="Tuesday 25:00"), LABELS)
    assert caught.value.key == "setup.bad_time"
    with pytest.raises(UserProblem) as caught:
        apply_change(config, SetupChange(days="lundi"), LABELS)
    assert caught.value.key == "setup.channel_first"

    updated = apply_change(
        config, SetupChange(channel_id=5, days="mardi jeudi", at="9h", themes="cv vidéo, remote"), LABELS
    )

    assert (updated.days, updated.at, updated.themes) == ("tue,thu", "09:00", ("video-cv", "remote"))
    assert apply_change(updated, SetupChange(themes="tous"), LABELS).themes == ()


def test_an_unknown_theme_lists_the_known_ones() -> None:
    with pytest.raises(UserProblem) as caught:
        apply_change(GuildConfig(1, channel_id=5), SetupChange(themes="crypto"), LABELS)
    assert caught.value.params == {"value": "crypto", "known": "remote, video-cv"}


async def test_the_scheduler_fires_a_groups_job_at_its_next_slot() -> None:
    from bot.scheduler import Scheduler

    schedule = PostingSchedule((1, 3), time(9, 15), "America/Montreal")
    scheduler = Scheduler()
    scheduler.start()
    try:

        async def job(guild_id: int) -> None: ...

        scheduler.weekly("casestudy:1", schedule.days, schedule.at, schedule.timezone, job, 1)
        assert scheduler.next_run("casestudy:1") == schedule.next(datetime.now(UTC))
        scheduler.remove("casestudy:1")
        assert scheduler.next_run("casestudy:1") is None
    finally:
        scheduler.shutdown()
