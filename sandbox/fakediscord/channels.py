"""Channels and threads as objects: GET, PATCH and DELETE /channels/{channel}, and removing one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.fakediscord.rest import (
    Route,
    body_of,
    channel_or_404,
    discord_error,
    invalid_form,
    json_response,
    require,
)
from sandbox.fakediscord.threads import check_thread_fields, checked_tags
from sandbox.fakediscord.world import FORUM_CHANNEL, MANAGE_CHANNELS, MANAGE_THREADS, Channel, Guild

if TYPE_CHECKING:
    from sandbox.fakediscord.server import FakeDiscord

MAX_TAGS, MAX_TAG_NAME = 20, 20


class Channels:
    def __init__(self, server: FakeDiscord) -> None:
        self.server = server

    def routes(self) -> list[Route]:
        return [
            ("GET", "/channels/{channel}", self._get),
            ("PATCH", "/channels/{channel}", self._edit),
            ("DELETE", "/channels/{channel}", self._delete),
        ]

    async def _get(self, request: web.Request) -> web.Response:
        _, channel = channel_or_404(self.server.world, request)
        return json_response(channel.payload())

    async def _edit(self, request: web.Request) -> web.Response:
        guild, channel = channel_or_404(self.server.world, request)
        data = body_of(request)
        if channel.is_thread:
            await self._edit_thread(guild, channel, data)
        else:
            require(self.server.world, guild, channel, MANAGE_CHANNELS)
            self._edit_channel(channel, data)
            await self.server.dispatch("CHANNEL_UPDATE", channel.payload())
        return json_response(channel.payload())

    async def _edit_thread(self, guild: Guild, thread: Channel, data: dict[str, Any]) -> None:
        world = self.server.world
        moderator = guild.permissions_of(world.bot.id, thread.id) & MANAGE_THREADS
        if thread.owner_id != world.bot.id and not moderator:
            raise discord_error(403, "Missing Permissions", 50013)
        if thread.archived and data.get("archived") is not False:
            raise discord_error(400, "Thread is archived", 50083)
        if thread.archived and thread.locked and not moderator:
            raise discord_error(403, "Missing Permissions", 50013)  # only moderators reopen a locked thread
        check_thread_fields(data)
        if "applied_tags" in data:
            parent = guild.channels.get(thread.parent_id or 0)
            if parent is not None and parent.type == FORUM_CHANNEL:
                thread.applied_tags = checked_tags(parent, data["applied_tags"] or [])
        if data.get("name"):
            thread.name = data["name"]
        if data.get("auto_archive_duration"):
            thread.auto_archive_duration = int(data["auto_archive_duration"])
        if data.get("locked") is not None:
            thread.locked = bool(data["locked"])
        if data.get("rate_limit_per_user") is not None:
            thread.rate_limit_per_user = int(data["rate_limit_per_user"])
        if data.get("archived") is not None and bool(data["archived"]) != thread.archived:
            await self.server.threads.set_archived(thread, bool(data["archived"]))  # sends THREAD_UPDATE
        else:
            await self.server.dispatch("THREAD_UPDATE", thread.payload())

    def _edit_channel(self, channel: Channel, data: dict[str, Any]) -> None:
        if "name" in data:
            if not 1 <= len(data["name"] or "") <= 100:
                raise invalid_form("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            channel.name = data["name"]
        if "topic" in data:
            channel.topic = data["topic"]
        if "available_tags" in data and channel.type == FORUM_CHANNEL:
            channel.available_tags = self._tags(data["available_tags"] or [])
            kept = {int(tag["id"]) for tag in channel.available_tags}
            # A deleted tag leaves the posts that carried it.
            for thread in self.server.world.guilds[channel.guild_id].channels.values():
                if thread.parent_id == channel.id:
                    thread.applied_tags = [tag for tag in thread.applied_tags if tag in kept]

    def _tags(self, tags: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(tags) > MAX_TAGS:
            raise invalid_form(
                "available_tags", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_TAGS} or fewer in length."
            )
        result = []
        for tag in tags:
            if not 1 <= len(tag.get("name") or "") <= MAX_TAG_NAME:
                raise invalid_form(
                    "available_tags",
                    "BASE_TYPE_BAD_LENGTH",
                    f"Must be between 1 and {MAX_TAG_NAME} in length.",
                )
            result.append(
                {
                    # A new tag (sent without an id) gets one, as on Discord.
                    "id": str(tag.get("id") or self.server.world.ids.next()),
                    "name": tag["name"],
                    "moderated": bool(tag.get("moderated", False)),
                    "emoji_id": str(tag["emoji_id"]) if tag.get("emoji_id") else None,
                    "emoji_name": tag.get("emoji_name"),
                }
            )
        return result

    async def _delete(self, request: web.Request) -> web.Response:
        guild, channel = channel_or_404(self.server.world, request)
        require(self.server.world, guild, channel, MANAGE_THREADS if channel.is_thread else MANAGE_CHANNELS)
        payload = channel.payload()
        await self.remove(channel)
        return json_response(payload)

    async def remove(self, channel: Channel) -> None:
        """Delete `channel` with its threads and messages, and tell the bot as Discord does."""
        self.server.world.remove_channel(channel)
        if channel.is_thread:
            event = {
                "id": str(channel.id),
                "guild_id": str(channel.guild_id),
                "parent_id": str(channel.parent_id),
                "type": channel.type,
            }
            await self.server.dispatch("THREAD_DELETE", event)
        else:
            # discord.py drops the channel's threads with it; Discord sends no THREAD_DELETE for them.
            await self.server.dispatch("CHANNEL_DELETE", channel.payload())
