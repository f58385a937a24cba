"""Students' takes on case studies (one per student, the latest wins) and their "useful" votes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_transaction
from bot.db.models import CaseStudy, Take, TakeVote, UsefulVote
from bot.posting.model import StoredTake, Tally
from bot.privacy.registry import PersonalData, Row, changed, plain


class TakeStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def save(self, case_study_id: int, user_id: int, stance: str, text: str, source: str) -> bool:
        """Write the student's take (replacing theirs, if any): True if it is their first."""
        async with write_transaction(self._sessions) as session:
            query = select(Take).where(Take.case_study_id == case_study_id, Take.user_id == user_id)
            row = (await session.scalars(query)).first()
            if row is None:
                session.add(
                    Take(
                        case_study_id=case_study_id, user_id=user_id, stance=stance, text=text, source=source
                    )
                )
                return True
            row.stance, row.text, row.source = stance, text, source
            return False

    async def get(self, case_study_id: int, user_id: int) -> StoredTake | None:
        query = select(Take).where(Take.case_study_id == case_study_id, Take.user_id == user_id)
        async with self._sessions() as session:
            row = (await session.scalars(query)).first()
        return StoredTake(row.user_id, row.stance, row.text, row.source, row.hidden) if row else None

    async def set_hidden(self, case_study_id: int, user_id: int, hidden: bool) -> bool:
        """Hide or show a take; False if the student gave none."""
        async with write_transaction(self._sessions) as session:
            query = select(Take).where(Take.case_study_id == case_study_id, Take.user_id == user_id)
            row = (await session.scalars(query)).first()
            if row is None:
                return False
            row.hidden = hidden
            return True

    async def tally(self, case_study_id: int) -> Tally:
        query = (
            select(Take.stance, func.count())
            .where(Take.case_study_id == case_study_id, ~Take.hidden)
            .group_by(Take.stance)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return Tally({stance: int(count) for stance, count in rows})

    async def vote_useful(self, case_study_id: int, user_id: int) -> tuple[bool, int]:
        """Count the student's vote once: (whether it is new, the votes now)."""
        added = True
        try:
            async with write_transaction(self._sessions) as session:
                session.add(UsefulVote(case_study_id=case_study_id, user_id=user_id))
        except IntegrityError:
            added = False
        query = select(func.count()).select_from(UsefulVote).where(UsefulVote.case_study_id == case_study_id)
        async with self._sessions() as session:
            return added, int((await session.execute(query)).scalar_one())


# ── personal data (see bot.privacy.registry) ────────────────────────────────────────────────────


async def _export_takes(session: AsyncSession, user_id: int) -> list[Row]:
    query = (
        select(Take, CaseStudy.guild_id, CaseStudy.content)
        .join(CaseStudy, CaseStudy.id == Take.case_study_id)
        .where(Take.user_id == user_id)
        .order_by(Take.created_at, Take.id)
    )
    return [
        {
            "server_id": str(guild_id),
            "case_study_id": take.case_study_id,
            "case_study": content.get("title"),
            "stance": take.stance,
            "text": take.text,
            "given_with": take.source,
            "hidden_by_a_moderator": take.hidden,
            "given_at": plain(take.created_at),
            "edited_at": plain(take.updated_at),
        }
        for take, guild_id, content in (await session.execute(query)).all()
    ]


async def _forget_takes(session: AsyncSession, user_id: int) -> int:
    # Other students' votes on these takes go with them (the foreign key cascades, said here too).
    mine = select(Take.id).where(Take.user_id == user_id)
    await session.execute(delete(TakeVote).where(TakeVote.take_id.in_(mine)))
    return changed(await session.execute(delete(Take).where(Take.user_id == user_id)))


async def _expire_takes(session: AsyncSession, cutoff: datetime) -> int:
    old = select(Take.id).where(Take.created_at < cutoff)
    await session.execute(delete(TakeVote).where(TakeVote.take_id.in_(old)))
    return changed(await session.execute(delete(Take).where(Take.created_at < cutoff)))


async def _export_useful_votes(session: AsyncSession, user_id: int) -> list[Row]:
    query = (
        select(UsefulVote.case_study_id, UsefulVote.created_at)
        .where(UsefulVote.user_id == user_id)
        .order_by(UsefulVote.created_at)
    )
    return [
        {"case_study_id": case_study_id, "voted_at": plain(voted_at)}
        for case_study_id, voted_at in (await session.execute(query)).all()
    ]


async def _forget_useful_votes(session: AsyncSession, user_id: int) -> int:
    return changed(await session.execute(delete(UsefulVote).where(UsefulVote.user_id == user_id)))


async def _expire_useful_votes(session: AsyncSession, cutoff: datetime) -> int:
    return changed(await session.execute(delete(UsefulVote).where(UsefulVote.created_at < cutoff)))


async def _export_take_votes(session: AsyncSession, user_id: int) -> list[Row]:
    query = (
        select(TakeVote.take_id, TakeVote.created_at)
        .where(TakeVote.user_id == user_id)
        .order_by(TakeVote.created_at)
    )
    return [
        {"take_id": take_id, "voted_at": plain(voted_at)}
        for take_id, voted_at in (await session.execute(query)).all()
    ]


async def _forget_take_votes(session: AsyncSession, user_id: int) -> int:
    return changed(await session.execute(delete(TakeVote).where(TakeVote.user_id == user_id)))


async def _expire_take_votes(session: AsyncSession, cutoff: datetime) -> int:
    return changed(await session.execute(delete(TakeVote).where(TakeVote.created_at < cutoff)))


TAKES = PersonalData("takes", ("takes.user_id",), _export_takes, _forget_takes, _expire_takes)
USEFUL_VOTES = PersonalData(
    "useful_votes",
    ("useful_votes.user_id",),
    _export_useful_votes,
    _forget_useful_votes,
    _expire_useful_votes,
)
TAKE_VOTES = PersonalData(
    "take_votes", ("take_votes.user_id",), _export_take_votes, _forget_take_votes, _expire_take_votes
)
