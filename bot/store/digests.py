"""What a week's digest is built from (posted case studies, visible takes, votes), and the digests
kept as they were posted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.casestudy.model import CaseStudy
from bot.db.engine import write_transaction
from bot.db.models import CaseStudy as CaseStudyRow
from bot.db.models import Digest as DigestRow
from bot.db.models import Take, TakeVote, UsefulVote
from bot.digest.build import HISTORY_WEEKS
from bot.digest.model import Digest, PostedCase, WeekActivity, WeekTake
from bot.digest.week import IsoWeek
from bot.store.posting import POSTED


class DigestStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # ── what a digest is made of ────────────────────────────────────────────────────────────────

    async def activity(self, guild_id: int, week: IsoWeek, timezone: str) -> WeekActivity:
        """The week's posted case studies and their visible takes, the week before's participation,
        and each theme's takes over the four weeks before (by the week each case study was posted)."""
        start, end = week.start(timezone), week.end(timezone)
        async with self._sessions() as session:
            cases = await self._cases(session, guild_id, start, end)
            takes = await self._takes(session, [case.id for case in cases])
            previous = week.shifted(-1)
            previous_takes, previous_students = await self._participation(
                session, guild_id, previous.start(timezone), start
            )
            history = await self._theme_history(session, guild_id, week, timezone)
        return WeekActivity(tuple(cases), tuple(takes), previous_takes, previous_students, history)

    async def _cases(
        self, session: AsyncSession, guild_id: int, start: datetime, end: datetime
    ) -> list[PostedCase]:
        useful = (
            select(func.count())
            .where(UsefulVote.case_study_id == CaseStudyRow.id)
            .correlate(CaseStudyRow)
            .scalar_subquery()
        )
        query = (
            select(CaseStudyRow, useful)
            .where(
                CaseStudyRow.guild_id == guild_id,
                CaseStudyRow.status == POSTED,
                CaseStudyRow.posted_at >= start,
                CaseStudyRow.posted_at < end,
            )
            .order_by(CaseStudyRow.posted_at, CaseStudyRow.id)
        )
        cases = []
        for row, votes in (await session.execute(query)).all():
            case = CaseStudy.from_dict(row.content)
            assert row.posted_at is not None
            cases.append(
                PostedCase(
                    id=row.id,
                    title=case.title,
                    url=case.url,
                    theme=row.theme,
                    channel_id=row.channel_id,
                    thread_id=row.thread_id,
                    posted_at=row.posted_at,
                    useful_votes=int(votes),
                )
            )
        return cases

    async def _takes(self, session: AsyncSession, case_ids: list[int]) -> list[WeekTake]:
        if not case_ids:
            return []
        votes = select(TakeVote.take_id, func.count().label("votes")).group_by(TakeVote.take_id).subquery()
        # Columns, not ORM objects: a busy week has thousands of takes, read on the event loop.
        query = (
            select(
                Take.case_study_id,
                Take.user_id,
                Take.stance,
                Take.text,
                func.coalesce(votes.c.votes, 0),
                Take.created_at,
            )
            .outerjoin(votes, votes.c.take_id == Take.id)
            .where(Take.case_study_id.in_(case_ids), ~Take.hidden)
            .order_by(Take.created_at, Take.id)
        )
        return [
            WeekTake(case_id, user_id, stance, text, int(count), created_at)
            for case_id, user_id, stance, text, count, created_at in (await session.execute(query)).all()
        ]

    async def _participation(
        self, session: AsyncSession, guild_id: int, start: datetime, end: datetime
    ) -> tuple[int, int]:
        query = (
            select(func.count(Take.id), func.count(distinct(Take.user_id)))
            .join(CaseStudyRow, CaseStudyRow.id == Take.case_study_id)
            .where(
                CaseStudyRow.guild_id == guild_id,
                CaseStudyRow.status == POSTED,
                CaseStudyRow.posted_at >= start,
                CaseStudyRow.posted_at < end,
                ~Take.hidden,
            )
        )
        takes, students = (await session.execute(query)).one()
        return int(takes), int(students)

    async def _theme_history(
        self, session: AsyncSession, guild_id: int, week: IsoWeek, timezone: str
    ) -> Mapping[str, tuple[int, ...]]:
        weeks = [week.shifted(-back) for back in range(HISTORY_WEEKS, 0, -1)]  # oldest first
        query = (
            select(CaseStudyRow.theme, CaseStudyRow.posted_at, func.count(Take.id))
            .outerjoin(Take, (Take.case_study_id == CaseStudyRow.id) & ~Take.hidden)
            .where(
                CaseStudyRow.guild_id == guild_id,
                CaseStudyRow.status == POSTED,
                CaseStudyRow.posted_at >= weeks[0].start(timezone),
                CaseStudyRow.posted_at < week.start(timezone),
            )
            .group_by(CaseStudyRow.id, CaseStudyRow.theme, CaseStudyRow.posted_at)
        )
        history: dict[str, list[int]] = defaultdict(lambda: [0] * HISTORY_WEEKS)
        for theme, posted_at, takes in (await session.execute(query)).all():
            if posted_at is None:
                continue
            posted_week = IsoWeek.of(posted_at, timezone)
            if posted_week in weeks:
                history[theme][weeks.index(posted_week)] += int(takes)
        return {theme: tuple(counts) for theme, counts in history.items()}

    async def weeks_with_case_studies(self, guild_id: int, timezone: str) -> list[IsoWeek]:
        query = select(CaseStudyRow.posted_at).where(
            CaseStudyRow.guild_id == guild_id, CaseStudyRow.status == POSTED
        )
        async with self._sessions() as session:
            moments = (await session.scalars(query)).all()
        return sorted({IsoWeek.of(moment, timezone) for moment in moments if moment is not None})

    # ── digests as posted ───────────────────────────────────────────────────────────────────────

    async def saved(self, guild_id: int, week: str) -> Digest | None:
        row = await self._row(guild_id, week)
        return Digest.from_dict(row.content) if row is not None else None

    async def posted_at(self, guild_id: int, week: str) -> datetime | None:
        row = await self._row(guild_id, week)
        return row.posted_at if row is not None else None

    async def _row(self, guild_id: int, week: str) -> DigestRow | None:
        query = select(DigestRow).where(DigestRow.guild_id == guild_id, DigestRow.iso_week == week)
        async with self._sessions() as session:
            return (await session.scalars(query)).first()

    async def keep(self, digest: Digest) -> Digest:
        """Keep the digest about to be posted; if one was kept for that week already (an earlier
        attempt, another process), that one is what gets posted."""
        try:
            async with write_transaction(self._sessions) as session:
                session.add(
                    DigestRow(guild_id=digest.guild_id, iso_week=digest.week, content=digest.to_dict())
                )
        except IntegrityError:
            kept = await self.saved(digest.guild_id, digest.week)
            assert kept is not None
            return kept
        return digest

    async def mark_posted(self, guild_id: int, week: str, ids: Mapping[str, Any], now: datetime) -> None:
        async with write_transaction(self._sessions) as session:
            query = select(DigestRow).where(DigestRow.guild_id == guild_id, DigestRow.iso_week == week)
            row = (await session.scalars(query)).first()
            if row is not None:
                row.posted_at = row.posted_at or now
                row.content = row.content | {"posted": dict(ids)}

    async def posted_weeks(self, guild_id: int) -> list[str]:
        query = (
            select(DigestRow.iso_week)
            .where(DigestRow.guild_id == guild_id, DigestRow.posted_at.is_not(None))
            .order_by(DigestRow.iso_week)
        )
        async with self._sessions() as session:
            return list((await session.scalars(query)).all())
