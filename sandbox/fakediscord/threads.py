"""Threads and forum posts: starting them over REST as Discord does, and listing the active ones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.fakediscord.messages import check_not_empty
from sandbox.fakediscord.rest import (
    RECORD,
    Route,
    body_of,
    channel_or_404,
    discord_error,
    guild_or_404,
    invalid_form,
    json_response,
    require,
)
from sandbox.fakediscord.world import (
    ANNOUNCEMENT_CHANNEL,
    ANNOUNCEMENT_THREAD,
    ARCHIVE_DURATIONS,
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    FORUM_CHANNEL,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    SEND_MESSAGES,
    TEXT_CHANNEL,
    VIEW_CHANNEL,
    Channel,
)

if TYPE_CHECKING:
    from sandbox.fakediscord.server import FakeDiscord

MAX_THREAD_NAME = 100
MAX_APPLIED_TAGS = 5


def check_thread_fields(data: dict[str, Any]) -> None:
    """Discord's 50035 for a thread's name and auto_archive_duration, when present."""
    if "name" in data and not 1 <= len(str(data["name"] or "")) <= MAX_THREAD_NAME:
        raise invalid_form(
            "name", "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {MAX_THREAD_NAME} in length."
        )
    duration = data.get("auto_archive_duration")
    if duration is not None and duration not in ARCHIVE_DURATIONS:
        choices = ", ".join(map(str, ARCHIVE_DURATIONS))
        raise invalid_form(
            "auto_archive_duration", "BASE_TYPE_CHOICES", f"Value must be one of {{{choices}}}."
        )


def checked_tags(forum: Channel, tags: Any) -> list[int]:
    """`applied_tags` as ids of `forum`'s available tags, or Discord's 50035."""
    available = {int(tag["id"]) for tag in forum.available_tags}
    if not isinstance(tags, list) or len(tags) > MAX_APPLIED_TAGS:
        raise invalid_form(
            "applied_tags", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_APPLIED_TAGS} or fewer in length."
        )
    ids = [int(tag) for tag in tags]
    if any(tag not in available for tag in ids):
        raise invalid_form("applied_tags", "CHANNEL_PARENT_INVALID_TAG", "Tag not found in parent channel.")
    return ids


class Threads:
    def __init__(self, server: FakeDiscord) -> None:
        self.server = server

    def routes(self) -> list[Route]:
        return [
            ("POST", "/channels/{channel}/messages/{message}/threads", self._from_message),
            ("POST", "/channels/{channel}/threads", self._start),
            ("GET", "/guilds/{guild}/threads/active", self._active),
        ]

    async def _from_message(self, request: web.Request) -> web.Response:
        world = self.server.world
        guild, parent, message = self.server.messages.message_of(request)
        if parent.type not in (TEXT_CHANNEL, ANNOUNCEMENT_CHANNEL):
            raise discord_error(400, "Cannot execute action on this channel type", 50024)
        require(world, guild, parent, VIEW_CHANNEL | CREATE_PUBLIC_THREADS)
        data = body_of(request)
        check_thread_fields({"name": "", **data})
        if world.thread_of(message.id) is not None:
            raise discord_error(400, "A thread has already been created for this message", 160004)
        thread = world.add_thread(
            parent,
            data["name"],
            owner=world.bot,
            id=message.id,  # a thread started from a message has that message's id
            type=ANNOUNCEMENT_THREAD if parent.type == ANNOUNCEMENT_CHANNEL else PUBLIC_THREAD,
            auto_archive_duration=data.get("auto_archive_duration") or 1440,
            rate_limit_per_user=data.get("rate_limit_per_user") or 0,
        )
        await self._announce(thread)
        return json_response(thread.payload(), status=201)

    async def _start(self, request: web.Request) -> web.Response:
        world = self.server.world
        guild, parent = channel_or_404(world, request)
        data = body_of(request)
        if parent.type == FORUM_CHANNEL:
            return await self._forum_post(request, parent, data)
        if parent.type not in (TEXT_CHANNEL, ANNOUNCEMENT_CHANNEL):
            raise discord_error(400, "Cannot execute action on this channel type", 50024)
        kind = data.get("type")
        if kind not in (PUBLIC_THREAD, PRIVATE_THREAD, ANNOUNCEMENT_THREAD):
            raise invalid_form("type", "BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}.")
        create = CREATE_PRIVATE_THREADS if kind == PRIVATE_THREAD else CREATE_PUBLIC_THREADS
        require(world, guild, parent, VIEW_CHANNEL | create)
        check_thread_fields({"name": "", **data})
        thread = world.add_thread(
            parent,
            data["name"],
            owner=world.bot,
            type=kind,
            auto_archive_duration=data.get("auto_archive_duration") or 1440,
            rate_limit_per_user=data.get("rate_limit_per_user") or 0,
        )
        await self._announce(thread)
        return json_response(thread.payload(), status=201)

    async def _forum_post(self, request: web.Request, forum: Channel, data: dict[str, Any]) -> web.Response:
        """A forum post: a thread and its starter message, which shares the thread's id."""
        world = self.server.world
        require(world, world.guilds[forum.guild_id], forum, VIEW_CHANNEL | SEND_MESSAGES)
        check_thread_fields({"name": "", **data})
        starter = data.get("message")
        if not isinstance(starter, dict):
            raise invalid_form("message", "BASE_TYPE_REQUIRED", "This field is required")
        files = request[RECORD].files
        check_not_empty(starter, files)
        tags = checked_tags(forum, data.get("applied_tags") or [])
        thread = world.add_thread(
            forum,
            data["name"],
            owner=world.bot,
            auto_archive_duration=data.get("auto_archive_duration") or 1440,
            rate_limit_per_user=data.get("rate_limit_per_user") or 0,
            applied_tags=tags,
        )
        message = self.server.messages.create(thread, world.bot, starter, files, id=thread.id)
        forum.last_message_id = thread.id
        await self._announce(thread)
        await self.server.messages.publish(message)
        return json_response({**thread.payload(), "message": message.payload()}, status=201)

    async def _announce(self, thread: Channel) -> None:
        await self.server.dispatch("THREAD_CREATE", {**thread.payload(), "newly_created": True})

    async def _active(self, request: web.Request) -> web.Response:
        guild = guild_or_404(self.server.world, request)
        threads = [ch for ch in guild.channels.values() if ch.is_thread and not ch.archived]
        threads.sort(key=lambda thread: thread.id, reverse=True)
        return json_response({"threads": [thread.payload() for thread in threads], "members": []})

    async def reopen_for_post(self, channel: Channel) -> None:
        """Posting in an archived thread unarchives it, unless a moderator locked it."""
        if not (channel.is_thread and channel.archived):
            return
        if channel.locked:
            raise discord_error(400, "Thread is locked", 160005)
        await self.set_archived(channel, False)

    async def set_archived(self, thread: Channel, archived: bool) -> None:
        thread.archived = archived
        thread.archive_timestamp = datetime.now(UTC)
        await self.server.dispatch("THREAD_UPDATE", thread.payload())
