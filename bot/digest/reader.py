"""A group's weeks read from the database into digests: built on demand (a preview, a week never
posted) or as they were posted, with their chart. Used by the bot and by `veille digest export`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.digest.build import DigestFrame, build_digest
from bot.digest.chart import ChartData, chart_data, render_chart
from bot.digest.model import Digest
from bot.digest.week import IsoWeek
from bot.errors import UserProblem
from bot.posting.config import GuildConfig
from bot.posting.schedule import slot_key
from bot.store.digests import DigestStore
from bot.store.guilds import GuildStore

# Runs a CPU-bound function off the event loop (the worker pool's `run`).
Runner = Callable[..., Awaitable[Any]]
EARLY_WEEKDAYS = 2  # a digest on Monday or Tuesday sums up the week before


def covered_week(moment: datetime, timezone: str) -> IsoWeek:
    """The week a digest posted at `moment` sums up: its own, except early in the week (Monday,
    Tuesday), when the week has barely begun and the digest is the previous week's."""
    local = moment.astimezone(ZoneInfo(timezone))
    week = IsoWeek.of_day(local.date())
    return week.shifted(-1) if local.weekday() < EARLY_WEEKDAYS else week


@dataclass(frozen=True)
class RenderedDigest:
    digest: Digest
    chart_png: bytes | None


class DigestReader:
    def __init__(
        self,
        guilds: GuildStore,
        store: DigestStore,
        theme_labels: Mapping[str, Mapping[str, str]],
        run: Runner,
        clock: Callable[[], datetime],
    ) -> None:
        self._guilds = guilds
        self._store = store
        self._labels = theme_labels
        self._run = run
        self._clock = clock

    async def preview(self, guild_id: int) -> RenderedDigest:
        """This week so far, as it would be posted now (nothing is kept or posted)."""
        config = await self._guilds.get(guild_id)
        week = covered_week(self._clock(), config.timezone)
        return await self._render(await self.build(config, week, partial=True))

    async def show(self, guild_id: int, week_text: str) -> RenderedDigest:
        """A past week's digest as it was posted; a week never posted is built from what is stored."""
        config = await self._guilds.get(guild_id)
        week = IsoWeek.parse(week_text)
        if week > IsoWeek.of(self._clock(), config.timezone):
            raise UserProblem("digest.future_week", week=str(week))
        return await self.week(guild_id, week)

    async def build(
        self, config: GuildConfig, week: IsoWeek, *, partial: bool = False, late: bool = False
    ) -> Digest:
        activity = await self._store.activity(config.guild_id, week, config.timezone)
        frame = DigestFrame(
            guild_id=config.guild_id,
            week=str(week),
            locale=config.locale,
            timezone=config.timezone,
            theme_labels=self._labels,
            attributed=not config.anonymous_takes,
            partial=partial,
            late=late,
            upcoming=self._upcoming(config, week),
            suggestions=await self._store.suggestions(config.guild_id, week, config.timezone),
        )
        return build_digest(activity, frame, self._clock())

    def _upcoming(self, config: GuildConfig, week: IsoWeek) -> tuple[datetime, ...]:
        """The case-study slots of the week after `week` (a skipped one left out)."""
        if not config.ready:
            return ()
        following = week.shifted(1)
        start = following.start(config.timezone) - timedelta(microseconds=1)
        slots = config.schedule.slots_between(start, following.end(config.timezone))
        return tuple(slot for slot in slots if slot_key(slot) != config.skip_slot)

    async def _render(self, digest: Digest) -> RenderedDigest:
        return RenderedDigest(digest, await self.chart(digest))

    async def chart(self, digest: Digest) -> bytes | None:
        data: ChartData | None = chart_data(digest)
        if data is None:
            return None
        png: bytes = await self._run(render_chart, data)  # matplotlib: off the event loop
        return png

    async def weeks(self, guild_id: int) -> list[IsoWeek]:
        """Every week with a posted digest or a posted case study, oldest first (for exports)."""
        config = await self._guilds.get(guild_id)
        weeks = set(await self._store.weeks_with_case_studies(guild_id, config.timezone))
        weeks.update(IsoWeek.parse(week) for week in await self._store.posted_weeks(guild_id))
        return sorted(weeks)

    async def week(self, guild_id: int, week: IsoWeek) -> RenderedDigest:
        """The week's digest as it was posted, else built from what is stored (partial while the
        week goes on)."""
        config = await self._guilds.get(guild_id)
        kept = await self._store.saved(guild_id, str(week))
        current = IsoWeek.of(self._clock(), config.timezone)
        return await self._render(kept or await self.build(config, week, partial=week >= current))
