"""Each group's setup, read and written as `GuildConfig` values."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_transaction
from bot.db.models import Guild
from bot.i18n import Locale, locale_from
from bot.posting.config import GuildConfig


class GuildStore:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], default_locale: Locale, default_timezone: str
    ) -> None:
        self._sessions = sessions
        self._default_locale = default_locale
        self._default_timezone = default_timezone

    async def get(self, guild_id: int) -> GuildConfig:
        """The group's setup; a group never set up gets the defaults (nothing is written)."""
        async with self._sessions() as session:
            row = await session.get(Guild, guild_id)
        return (
            self._config(row)
            if row
            else GuildConfig(guild_id, locale=self._default_locale, timezone=self._default_timezone)
        )

    async def configured(self) -> list[GuildConfig]:
        """Groups with a case-study channel (paused ones included)."""
        query = select(Guild).where(Guild.casestudy_channel_id.is_not(None)).order_by(Guild.id)
        async with self._sessions() as session:
            return [self._config(row) for row in (await session.scalars(query)).all()]

    async def save(self, config: GuildConfig) -> GuildConfig:
        async with write_transaction(self._sessions) as session:
            row = await session.get(Guild, config.guild_id)
            if row is None:
                row = Guild(id=config.guild_id)
                session.add(row)
            row.locale = config.locale
            row.timezone = config.timezone
            row.casestudy_channel_id = config.channel_id
            row.casestudy_days = config.days
            row.casestudy_time = config.at
            row.themes = list(config.themes)
            row.anonymous_takes = config.anonymous_takes
            row.moderator_role_id = config.moderator_role_id
            row.alerts_channel_id = config.alerts_channel_id
            row.notify_enabled = config.notify_enabled
            row.notify_role_id = config.notify_role_id
            row.replies_as_takes = config.replies_as_takes
            row.paused_reason = config.paused_reason
            row.skip_slot = config.skip_slot
            row.digest_channel_id = config.digest_channel_id
            row.digest_day = config.digest_day
            row.digest_time = config.digest_at
            await session.flush()
            return self._config(row)

    async def pause(self, guild_id: int, reason: str) -> bool:
        """Stop the group's posting; False if it was already paused (its moderators were told)."""
        async with write_transaction(self._sessions) as session:
            row = await session.get(Guild, guild_id)
            if row is None or row.paused_reason is not None:
                return False
            row.paused_reason = reason
            return True

    async def clear_skip(self, guild_id: int) -> None:
        async with write_transaction(self._sessions) as session:
            row = await session.get(Guild, guild_id)
            if row is not None:
                row.skip_slot = None

    def _config(self, row: Guild) -> GuildConfig:
        return GuildConfig(
            guild_id=row.id,
            locale=locale_from(row.locale, self._default_locale),
            timezone=row.timezone,
            channel_id=row.casestudy_channel_id,
            days=row.casestudy_days,
            at=row.casestudy_time,
            themes=tuple(row.themes),
            anonymous_takes=row.anonymous_takes,
            moderator_role_id=row.moderator_role_id,
            alerts_channel_id=row.alerts_channel_id,
            notify_enabled=row.notify_enabled,
            notify_role_id=row.notify_role_id,
            replies_as_takes=row.replies_as_takes,
            paused_reason=row.paused_reason,
            skip_slot=row.skip_slot,
            set_up_at=row.created_at,
            digest_channel_id=row.digest_channel_id,
            digest_day=row.digest_day,
            digest_at=row.digest_time,
        )
