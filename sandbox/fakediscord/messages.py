"""Messages in channels and threads: the REST routes, and how the fake Discord creates, edits,
mentions and announces a message."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.fakediscord.components import numbered
from sandbox.fakediscord.gateway import MESSAGE_CONTENT, content_hidden, without_content
from sandbox.fakediscord.interactions import APPLICATION_COMMAND, InteractionRecord
from sandbox.fakediscord.rest import (
    RECORD,
    Route,
    body_of,
    channel_or_404,
    discord_error,
    invalid_form,
    json_response,
    require,
    unknown,
)
from sandbox.fakediscord.world import (
    MANAGE_MESSAGES,
    MENTION_EVERYONE,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    Channel,
    Guild,
    Message,
    User,
)

if TYPE_CHECKING:
    from sandbox.fakediscord.server import FakeDiscord

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
MAX_CONTENT = 2000
# How long Discord remembers a nonce sent with enforce_nonce ("the past few minutes").
NONCE_MEMORY = timedelta(minutes=5)


class Messages:
    def __init__(self, server: FakeDiscord) -> None:
        self.server = server

    def routes(self) -> list[Route]:
        one = "/channels/{channel}/messages/{message}"
        return [
            ("POST", "/channels/{channel}/messages", self._post),
            ("GET", "/channels/{channel}/messages", self._history),
            ("GET", one, self._get),
            ("PATCH", one, self._edit),
            ("DELETE", one, self._delete),
        ]

    # ── creating, editing, announcing ───────────────────────────────────────────────────────────

    def create(
        self,
        channel: Channel,
        author: User,
        data: dict[str, Any],
        files: dict[str, bytes],
        *,
        interaction: InteractionRecord | None = None,
        id: int | None = None,
    ) -> Message:
        """Store a new message in `channel` (`id`: a forum post's starter shares its thread's id)."""
        world = self.server.world
        message = Message(
            id=id if id is not None else world.ids.next(),
            channel_id=channel.id,
            author=author,
            guild_id=channel.guild_id,
            webhook_id=world.application.id if interaction else None,
            type=20 if interaction and interaction.type == APPLICATION_COMMAND else 0,
        )
        self.edit(message, data, files, edited=False)
        if data.get("nonce") is not None:
            message.nonce = str(data["nonce"])
        world.messages[message.id] = message
        if not message.ephemeral:
            channel.last_message_id = message.id
            if channel.is_thread and message.id != channel.id:
                channel.message_count += 1
                channel.total_message_sent += 1
        return message

    def edit(
        self, message: Message, data: dict[str, Any], files: dict[str, bytes], edited: bool = True
    ) -> None:
        _check_fields(data)  # before changing anything: a refused edit leaves the message as it was
        if "content" in data:
            message.content = data["content"] or ""
        if "embeds" in data:
            message.embeds = data["embeds"] or []
        if "components" in data:
            message.components = numbered(data["components"] or [])
        if "flags" in data and data["flags"] is not None:
            message.flags = int(data["flags"])
        if "allowed_mentions" in data:
            message.allowed_mentions = data["allowed_mentions"]
        if "attachments" in data or files:
            self._attach(message, files)
        self._resolve_mentions(message)
        if edited:
            message.edited_at = datetime.now(UTC)

    def _attach(self, message: Message, files: dict[str, bytes]) -> None:
        base = f"http://127.0.0.1:{self.server.port}/attachments/{message.id}"
        message.attachments = []
        for index, (name, content) in enumerate(files.items()):
            message.files[name] = content
            message.attachments.append(
                {
                    "id": str(self.server.world.ids.next()),
                    "filename": name,
                    "size": len(content),
                    "url": f"{base}/{name}",
                    "proxy_url": f"{base}/{name}",
                    "content_type": "image/png" if name.endswith(".png") else "application/octet-stream",
                    "ephemeral": message.ephemeral,
                    "flags": 0,
                    "position": index,
                }
            )

    def _resolve_mentions(self, message: Message) -> None:
        """Who `message` pings: the mentions in its content that `allowed_mentions` lets through, and
        only mentionable roles (or any role, @everyone and @here with MENTION_EVERYONE), as Discord."""
        world = self.server.world
        allowed = message.allowed_mentions
        parse: list[str] = list(allowed.get("parse") or []) if allowed else ["users", "roles", "everyone"]
        listed_users = {int(u) for u in (allowed or {}).get("users") or []}
        listed_roles = {int(r) for r in (allowed or {}).get("roles") or []}
        located = world.channel(message.channel_id)
        guild = located[0] if located else None
        may_ping_all = bool(
            guild and guild.permissions_of(message.author.id, message.channel_id) & MENTION_EVERYONE
        )
        message.mentions = [
            world.users[user_id]
            for user_id in _ids(USER_MENTION, message.content)
            if user_id in world.users and ("users" in parse or user_id in listed_users)
        ]
        message.mention_roles = [
            role_id
            for role_id in _ids(ROLE_MENTION, message.content)
            if guild is not None
            and role_id in guild.roles
            and role_id != guild.id
            and ("roles" in parse or role_id in listed_roles)
            and (guild.roles[role_id].mentionable or may_ping_all)
        ]
        message.mention_everyone = bool(
            re.search(r"@(everyone|here)\b", message.content) and "everyone" in parse and may_ping_all
        )

    def created_payload(self, message: Message) -> dict[str, Any]:
        """The message as the answer to its creation carries it: with its nonce."""
        data = message.payload()
        if message.nonce is not None:
            data["nonce"] = message.nonce
        return data

    def gateway_payload(self, message: Message, *, created: bool = False) -> dict[str, Any]:
        """The message as MESSAGE_CREATE / MESSAGE_UPDATE carry it: with the author's `member`."""
        data = self.created_payload(message) if created else message.payload()
        guild = self.server.world.guilds.get(message.guild_id or 0)
        member = guild.members.get(message.author.id) if guild else None
        if member is not None and message.webhook_id is None:
            data["member"] = {k: v for k, v in member.payload().items() if k != "user"}
        return data

    async def publish(self, message: Message) -> None:
        await self.server.dispatch("MESSAGE_CREATE", self.gateway_payload(message, created=True))

    async def announce_edit(self, message: Message) -> None:
        if not message.ephemeral:
            await self.server.dispatch("MESSAGE_UPDATE", self.gateway_payload(message))

    def rest_payload(self, message: Message) -> dict[str, Any]:
        """The message as the bot reads it over REST: without content unless its app may see it."""
        data = message.payload()
        app = self.server.world.application
        if not app.privileged_intents & MESSAGE_CONTENT and content_hidden(data, app.bot.id):
            return without_content(data)
        return data

    # ── routes ──────────────────────────────────────────────────────────────────────────────────

    def message_of(self, request: web.Request) -> tuple[Guild, Channel, Message]:
        guild, channel = channel_or_404(self.server.world, request)
        message = self.server.world.messages.get(int(request.match_info["message"]))
        if message is None or message.channel_id != channel.id or message.ephemeral:
            raise unknown("Message", 10008)
        return guild, channel, message

    async def _post(self, request: web.Request) -> web.Response:
        world = self.server.world
        guild, channel = channel_or_404(world, request)
        send = SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES
        require(world, guild, channel, VIEW_CHANNEL | send)
        await self.server.threads.reopen_for_post(channel)
        data = body_of(request)
        check_not_empty(data, request[RECORD].files)
        if data.get("enforce_nonce") and data.get("nonce") is not None:
            same = self._same_nonce(channel, str(data["nonce"]))
            if same is not None:
                # Discord answers with the message already created, and creates nothing.
                return json_response(self.created_payload(same))
        message = self.create(channel, world.bot, data, request[RECORD].files)
        await self.publish(message)
        return json_response(self.created_payload(message))

    def _same_nonce(self, channel: Channel, nonce: str) -> Message | None:
        world = self.server.world
        recent = datetime.now(UTC) - NONCE_MEMORY
        return next(
            (
                m
                for m in world.messages.values()
                if m.nonce == nonce
                and m.channel_id == channel.id
                and m.author.id == world.bot.id
                and m.created_at > recent
            ),
            None,
        )

    async def _history(self, request: web.Request) -> web.Response:
        world = self.server.world
        guild, channel = channel_or_404(world, request)
        require(world, guild, channel, VIEW_CHANNEL)
        # Without READ_MESSAGE_HISTORY Discord answers an empty list rather than an error.
        if not guild.permissions_of(world.bot.id, channel.id) & READ_MESSAGE_HISTORY:
            return json_response([])
        query = request.query
        try:
            limit = int(query.get("limit", 50))
        except ValueError:
            raise invalid_form("limit", "NUMBER_TYPE_COERCE", "Value is not int.") from None
        if not 1 <= limit <= 100:
            raise invalid_form("limit", "NUMBER_TYPE_MAX", "int value should be between 1 and 100.")
        oldest_first = sorted(world.channel_messages(channel.id), key=lambda m: m.id)
        chosen = _page(oldest_first, limit, query)
        return json_response([self.rest_payload(m) for m in reversed(chosen)])

    async def _get(self, request: web.Request) -> web.Response:
        guild, channel, message = self.message_of(request)
        require(self.server.world, guild, channel, VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        return json_response(self.rest_payload(message))

    async def _edit(self, request: web.Request) -> web.Response:
        _, _, message = self.message_of(request)
        if message.author.id != self.server.world.bot.id:
            raise discord_error(403, "Cannot edit a message authored by another user", 50005)
        self.edit(message, body_of(request), request[RECORD].files)
        await self.announce_edit(message)
        return json_response(message.payload())

    async def _delete(self, request: web.Request) -> web.Response:
        world = self.server.world
        guild, channel, message = self.message_of(request)
        if message.author.id != world.bot.id:
            require(world, guild, channel, MANAGE_MESSAGES)
        await self.delete(message, channel)
        return web.Response(status=204)

    async def delete(self, message: Message, channel: Channel | None) -> None:
        self.server.world.messages.pop(message.id, None)
        if channel is not None and channel.is_thread and message.id != channel.id and not message.ephemeral:
            channel.message_count -= 1
        if message.ephemeral:
            return
        event = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            event["guild_id"] = str(message.guild_id)
        await self.server.dispatch("MESSAGE_DELETE", event)


# Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
EMBED_LIMITS = {"title": 256, "description": 4096}
FIELD_LIMITS = {"name": 256, "value": 1024}
MAX_EMBEDS, MAX_FIELDS, MAX_EMBED_TOTAL, MAX_FOOTER = 10, 25, 6000, 2048


def _check_fields(data: dict[str, Any]) -> None:
    """Discord's 50035 for a message body: content too long, embeds over their limits, or
    allowed_mentions contradicting itself."""
    if len(data.get("content") or "") > MAX_CONTENT:
        raise invalid_form("content", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CONTENT} or fewer in length.")
    _check_embeds(data.get("embeds") or [])
    allowed = data.get("allowed_mentions") or {}
    for kind in ("users", "roles"):
        if kind in (allowed.get("parse") or []) and allowed.get(kind):
            raise invalid_form(
                "allowed_mentions",
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )


def _check_embeds(embeds: list[dict[str, Any]]) -> None:
    if len(embeds) > MAX_EMBEDS:
        raise invalid_form("embeds", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_EMBEDS} or fewer in length.")
    total = 0
    for index, embed in enumerate(embeds):
        for name, limit in EMBED_LIMITS.items():
            if len(embed.get(name) or "") > limit:
                raise invalid_form(
                    f"embeds.{index}.{name}", "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer."
                )
        fields = embed.get("fields") or []
        if len(fields) > MAX_FIELDS:
            raise invalid_form(
                f"embeds.{index}.fields", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_FIELDS} or fewer."
            )
        footer = (embed.get("footer") or {}).get("text") or ""
        if len(footer) > MAX_FOOTER:
            raise invalid_form(f"embeds.{index}.footer.text", "BASE_TYPE_MAX_LENGTH", "Too long.")
        total += len(embed.get("title") or "") + len(embed.get("description") or "") + len(footer)
        total += len((embed.get("author") or {}).get("name") or "")
        for number, item in enumerate(fields):
            for name, limit in FIELD_LIMITS.items():
                if len(item.get(name) or "") > limit:
                    raise invalid_form(
                        f"embeds.{index}.fields.{number}.{name}",
                        "BASE_TYPE_MAX_LENGTH",
                        f"Must be {limit} or fewer.",
                    )
            total += len(item.get("name") or "") + len(item.get("value") or "")
    if total > MAX_EMBED_TOTAL:
        raise invalid_form(
            "embeds", "BASE_TYPE_MAX_LENGTH", f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}"
        )


def check_not_empty(data: dict[str, Any], files: dict[str, bytes]) -> None:
    if not files and not any(
        data.get(key) for key in ("content", "embeds", "components", "poll", "sticker_ids")
    ):
        raise discord_error(400, "Cannot send an empty message", 50006)


def _ids(pattern: re.Pattern[str], content: str) -> list[int]:
    """Ids matched in `content`, once each, in order of appearance."""
    return list(dict.fromkeys(int(found) for found in pattern.findall(content)))


def _page(oldest_first: list[Message], limit: int, query: Any) -> list[Message]:
    """One page of history around / before / after an id, as Discord picks it (oldest first)."""
    if "around" in query:
        pivot = int(query["around"])
        older = [m for m in oldest_first if m.id < pivot][-(limit // 2) :] if limit // 2 else []
        newer = [m for m in oldest_first if m.id >= pivot][: limit - len(older)]
        return older + newer
    if "before" in query:
        return [m for m in oldest_first if m.id < int(query["before"])][-limit:]
    if "after" in query:
        # The `limit` messages right after the id: discord.py pages forward from the newest of them.
        return [m for m in oldest_first if m.id > int(query["after"])][:limit]
    return oldest_first[-limit:]
