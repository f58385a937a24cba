"""Reactions: the bot's own (PUT / DELETE /channels/{channel}/messages/{message}/reactions/{emoji}/@me)
and users' (`add` / `remove`, for the sandbox's page and the tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web

from sandbox.fakediscord.rest import Route, discord_error, require
from sandbox.fakediscord.world import (
    ADD_REACTIONS,
    READ_MESSAGE_HISTORY,
    Guild,
    Message,
    User,
    emoji_payload,
)

if TYPE_CHECKING:
    from sandbox.fakediscord.server import FakeDiscord


class Reactions:
    def __init__(self, server: FakeDiscord) -> None:
        self.server = server

    def routes(self) -> list[Route]:
        path = "/channels/{channel}/messages/{message}/reactions/{emoji}/@me"
        return [("PUT", path, self._add), ("DELETE", path, self._remove)]

    def _emoji(self, request: web.Request) -> str:
        emoji = unquote(request.match_info["emoji"])
        # The fake guilds have no custom emoji, and a "unicode emoji" must at least not be plain ASCII.
        if ":" in emoji or emoji.isascii():
            raise discord_error(400, "Unknown Emoji", 10014)
        return emoji

    async def _add(self, request: web.Request) -> web.Response:
        world = self.server.world
        guild, channel, message = self.server.messages.message_of(request)
        emoji = self._emoji(request)
        # Discord asks for ADD_REACTIONS only to put a new emoji on the message, not to join one.
        require(
            world,
            guild,
            channel,
            READ_MESSAGE_HISTORY | (0 if message.reactions.get(emoji) else ADD_REACTIONS),
        )
        await self.add(guild, message, emoji, world.bot)
        return web.Response(status=204)

    async def _remove(self, request: web.Request) -> web.Response:
        guild, _, message = self.server.messages.message_of(request)
        await self.remove(guild, message, self._emoji(request), self.server.world.bot)
        return web.Response(status=204)

    async def add(self, guild: Guild, message: Message, emoji: str, user: User) -> None:
        """`user` reacts with `emoji` (nothing happens if they already did)."""
        users = message.reactions.get(emoji, [])
        if user in users:
            return
        message.reactions[emoji] = [*users, user]
        event = self._event(user, message, guild.id, emoji)
        event.update(
            member=guild.members[user.id].payload(),
            message_author_id=str(message.author.id),
            burst_colors=[],
        )
        await self.server.dispatch("MESSAGE_REACTION_ADD", event)

    async def remove(self, guild: Guild, message: Message, emoji: str, user: User) -> None:
        """`user` takes their `emoji` reaction back (nothing happens if there was none)."""
        users = message.reactions.get(emoji, [])
        if user not in users:
            return
        message.reactions[emoji] = [someone for someone in users if someone is not user]
        if not message.reactions[emoji]:
            del message.reactions[emoji]
        await self.server.dispatch("MESSAGE_REACTION_REMOVE", self._event(user, message, guild.id, emoji))

    def _event(self, user: User, message: Message, guild_id: int, emoji: str) -> dict[str, Any]:
        return {
            "user_id": str(user.id),
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
            "guild_id": str(guild_id),
            "emoji": emoji_payload(emoji),
            "burst": False,
            "type": 0,
        }
