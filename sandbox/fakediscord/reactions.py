"""The bot's own reactions: PUT / DELETE /channels/{channel}/messages/{message}/reactions/{emoji}/@me."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web

from sandbox.fakediscord.rest import Route, discord_error, require
from sandbox.fakediscord.world import ADD_REACTIONS, READ_MESSAGE_HISTORY, emoji_payload

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
        users = message.reactions.get(emoji, [])
        # Discord asks for ADD_REACTIONS only to put a new emoji on the message, not to join one.
        require(world, guild, channel, READ_MESSAGE_HISTORY | (0 if users else ADD_REACTIONS))
        if world.bot in users:
            return web.Response(status=204)
        message.reactions[emoji] = [*users, world.bot]
        event = self._event(message.id, message.channel_id, guild.id, emoji)
        event.update(
            member=guild.members[world.bot.id].payload(),
            message_author_id=str(message.author.id),
            burst_colors=[],
        )
        await self.server.dispatch("MESSAGE_REACTION_ADD", event)
        return web.Response(status=204)

    async def _remove(self, request: web.Request) -> web.Response:
        world = self.server.world
        guild, _, message = self.server.messages.message_of(request)
        emoji = self._emoji(request)
        users = message.reactions.get(emoji, [])
        if world.bot not in users:
            return web.Response(status=204)
        message.reactions[emoji] = [user for user in users if user is not world.bot]
        if not message.reactions[emoji]:
            del message.reactions[emoji]
        await self.server.dispatch(
            "MESSAGE_REACTION_REMOVE", self._event(message.id, message.channel_id, guild.id, emoji)
        )
        return web.Response(status=204)

    def _event(self, message_id: int, channel_id: int, guild_id: int, emoji: str) -> dict[str, Any]:
        return {
            "user_id": str(self.server.world.bot.id),
            "channel_id": str(channel_id),
            "message_id": str(message_id),
            "guild_id": str(guild_id),
            "emoji": emoji_payload(emoji),
            "burst": False,
            "type": 0,
        }
