"""What a week's digest is built from (posted case studies, visible takes, votes), and the digests
kept as they were posted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.casestudy.model import CaseStudy
from bot.db.engine import write_transaction
from bot.db.models import CaseStudy as CaseStudyRow
from bot.db.models import Digest as DigestRow
from bot.db.models import MemberPreference, Take, TakeVote, UsefulVote
from bot.db.models import Suggestion as SuggestionRow
from bot.digest.build import HISTORY_WEEKS
from bot.digest.model import Digest, PostedCase, SuggestionLine, WeekActivity, WeekTake
from bot.digest.week import IsoWeek
from bot.privacy.registry import PersonalData, Row
from bot.store.posting import POSTED
from bot.store.suggestions import SuggestionStore
from bot.suggestions.model import Status


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
            named = await session.scalars(
                select(MemberPreference.user_id).where(
                    MemberPreference.guild_id == guild_id, MemberPreference.attributed
                )
            )
        return WeekActivity(
            tuple(cases), tuple(takes), previous_takes, previous_students, history, frozenset(named.all())
        )

    async def suggestions(self, guild_id: int, week: IsoWeek, timezone: str) -> tuple[SuggestionLine, ...]:
        """What students suggested during the week (still open, or approved), most voted first."""
        found = await SuggestionStore(self._sessions).between(
            guild_id, week.start(timezone), week.end(timezone)
        )
        return tuple(
            SuggestionLine(s.kind.value, s.title, s.votes, s.status is Status.APPROVED, s.id) for s in found
        )

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
                Take.id,
            )
            .outerjoin(votes, votes.c.take_id == Take.id)
            .where(Take.case_study_id.in_(case_ids), ~Take.hidden)
            .order_by(Take.created_at, Take.id)
        )
        return [
            WeekTake(case_id, user_id, stance, text, int(count), created_at, take_id)
            for case_id, user_id, stance, text, count, created_at, take_id in (
                await session.execute(query)
            ).all()
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


# ── personal data (see bot.privacy.registry) ────────────────────────────────────────────────────
# A kept digest quotes takes: their words, and their author's id when the student chose to be
# named. Forgetting a student removes their quotes from every kept digest (the counts stay: they
# name nobody); it runs before their takes are deleted, since it finds the quotes by take.


async def _quotes_of(session: AsyncSession, user_id: int) -> tuple[set[int], set[str]]:
    rows = (await session.execute(select(Take.id, Take.text).where(Take.user_id == user_id))).all()
    return {take_id for take_id, _ in rows}, {text for _, text in rows}


def _is_theirs(quote: Mapping[str, Any], user_id: int, take_ids: set[int], texts: set[str]) -> bool:
    if quote.get("author_id") == user_id or quote.get("take_id") in take_ids:
        return True
    # Digests kept before quotes carried their take: recognised by their words.
    return quote.get("take_id") is None and quote.get("text") in texts


async def _export_quotes(session: AsyncSession, user_id: int) -> list[Row]:
    take_ids, texts = await _quotes_of(session, user_id)
    found: list[Row] = []
    for row in (await session.scalars(select(DigestRow).order_by(DigestRow.iso_week))).all():
        for entry in row.content.get("case_studies", []):
            for quote in entry.get("quotes", []):
                if _is_theirs(quote, user_id, take_ids, texts):
                    found.append(
                        {
                            "server_id": str(row.guild_id),
                            "week": row.iso_week,
                            "case_study": entry.get("title"),
                            "quoted": quote.get("text"),
                            "named": quote.get("author_id") == user_id,
                        }
                    )
    return found


async def _forget_quotes(session: AsyncSession, user_id: int) -> int:
    take_ids, texts = await _quotes_of(session, user_id)
    suggested = set(
        (await session.scalars(select(SuggestionRow.id).where(SuggestionRow.user_id == user_id))).all()
    )
    return await _scrub(
        session,
        lambda quote: _is_theirs(quote, user_id, take_ids, texts),
        lambda line: line.get("suggestion_id") in suggested,
    )


async def _expire_quotes(session: AsyncSession, cutoff: datetime) -> int:
    """Digests built before `cutoff` keep their figures and lose their quotes."""
    return await _scrub(session, lambda quote: True, lambda line: False, DigestRow.created_at < cutoff)


Picks = Callable[[Mapping[str, Any]], bool]


async def _scrub(
    session: AsyncSession, quotes: Picks, suggestions: Picks, *where: ColumnElement[bool]
) -> int:
    """Remove the quotes and suggestion lines picked from the kept digests matching `where`."""
    removed = 0
    for row in (await session.scalars(select(DigestRow).where(*where))).all():
        entries = []
        for entry in row.content.get("case_studies", []):
            kept = [quote for quote in entry.get("quotes", []) if not quotes(quote)]
            removed += len(entry.get("quotes", [])) - len(kept)
            entries.append(entry | {"quotes": kept})
        lines = [line for line in row.content.get("suggestions", []) if not suggestions(line)]
        removed += len(row.content.get("suggestions", [])) - len(lines)
        content = row.content | {"case_studies": entries, "suggestions": lines}
        if content != row.content:
            row.content = content
    return removed


DIGEST_QUOTES = PersonalData(
    "digest_quotes", ("digests.content",), _export_quotes, _forget_quotes, _expire_quotes
)
