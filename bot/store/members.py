"""Each student's own choices in a group (today: whether the digest may name them)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_transaction
from bot.db.models import MemberPreference
from bot.privacy.registry import PersonalData, Row, changed, plain


class MemberStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def attributed(self, guild_id: int, user_id: int) -> bool:
        async with self._sessions() as session:
            row = await session.get(MemberPreference, (guild_id, user_id))
        return bool(row and row.attributed)

    async def set_attributed(self, guild_id: int, user_id: int, attributed: bool) -> None:
        async with write_transaction(self._sessions) as session:
            row = await session.get(MemberPreference, (guild_id, user_id))
            if row is None:
                session.add(MemberPreference(guild_id=guild_id, user_id=user_id, attributed=attributed))
            else:
                row.attributed = attributed


async def _export(session: AsyncSession, user_id: int) -> list[Row]:
    query = select(MemberPreference).where(MemberPreference.user_id == user_id)
    return [
        {"server_id": str(row.guild_id), "named_in_digest": row.attributed, "since": plain(row.updated_at)}
        for row in (await session.scalars(query)).all()
    ]


async def _forget(session: AsyncSession, user_id: int) -> int:
    return changed(await session.execute(delete(MemberPreference).where(MemberPreference.user_id == user_id)))


# A choice, not an activity: kept as long as the student keeps it (no retention period).
PREFERENCES = PersonalData("preferences", ("member_preferences.user_id",), _export, _forget)
