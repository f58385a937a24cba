"""Students' takes on case studies (one per student, the latest wins) and their "useful" votes."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_transaction
from bot.db.models import Take, UsefulVote
from bot.posting.model import StoredTake, Tally


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
