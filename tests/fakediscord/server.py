"""A Discord-compatible REST + gateway server on 127.0.0.1 for wire-level tests of the real bot.

The real discord.py client connects to it through DISCORD_API_BASE / DISCORD_GATEWAY_URL. Tests
build a `World`, start the server, start the bot, then act as users (`slash`) and assert on what the
server received (`requests`, the messages in `world`, each interaction's `response`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, web

from tests.fakediscord.faults import ERROR_BODIES, Faults
from tests.fakediscord.gateway import (
    HEARTBEAT,
    HEARTBEAT_ACK,
    HEARTBEAT_INTERVAL_MS,
    HELLO,
    IDENTIFY,
    INVALID_SESSION,
    PRIVILEGED_INTENTS,
    REQUEST_MEMBERS,
    RESUME,
    GatewaySession,
)
from tests.fakediscord.interactions import (
    APPLICATION_COMMAND,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE,
    MODAL,
    UPDATE_MESSAGE,
    CommandNotAvailable,
    InteractionRecord,
    command_data,
)
from tests.fakediscord.world import (
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    Channel,
    Guild,
    Message,
    User,
    World,
)

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: dict[str, bytes]
    status: int = 0


RECORD = web.RequestKey("record", RecordedRequest)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py decodes a body as JSON only when Content-Type is exactly "application/json".
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _error(status: int, message: str | None = None, code: int = 0) -> web.Response:
    body = dict(ERROR_BODIES.get(status, {"message": str(status), "code": code}))
    if message:
        body = {"message": message, "code": code}
    return json_response(body, status)


class FakeDiscord:
    def __init__(self, world: World | None = None) -> None:
        self.world = world or World()
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self.unhandled: list[str] = []
        self.sessions: list[GatewaySession] = []
        self.interactions: dict[str, InteractionRecord] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # guild id (None: global)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ── life cycle ──────────────────────────────────────────────────────────────────────────────

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware], client_max_size=50 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        self._add_rest_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for session in self.sessions:
            if session.open:
                await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # ── waiting on conditions ───────────────────────────────────────────────────────────────────

    async def changed(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(
        self, predicate: Callable[[], Any], *, timeout: float = 5.0, what: str = "a condition"
    ) -> Any:
        """Wait until `predicate()` is truthy (checked after every request or gateway event)."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                return await self._changed.wait_for(predicate)
        except TimeoutError:
            recent = [f"{r.method} {r.path} → {r.status}" for r in self.requests[-10:]]
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; recent: {recent}") from None

    async def wait_until_ready(self, timeout: float = 10.0) -> GatewaySession:
        await self.wait_for(
            lambda: any(s.identified and s.open for s in self.sessions),
            timeout=timeout,
            what="the bot to identify on the gateway",
        )
        return next(s for s in self.sessions if s.identified and s.open)

    def requests_to(self, method: str, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    # ── gateway ─────────────────────────────────────────────────────────────────────────────────

    async def dispatch(self, event: str, data: Any) -> None:
        for session in self.sessions:
            if session.identified:
                await session.dispatch(event, data)

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close every gateway connection as Discord does on a hiccup (the bot should resume)."""
        for session in self.sessions:
            if session.open:
                await session.ws.close(code=code, message=b"dropped by the test")
        await self.changed()

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        session = GatewaySession(ws, compress=request.query.get("compress") == "zlib-stream")
        self.sessions.append(session)
        await session.send(HELLO, {"heartbeat_interval": HEARTBEAT_INTERVAL_MS})
        try:
            async for frame in ws:
                if frame.type.name != "TEXT":
                    continue
                await self._on_gateway_frame(session, json.loads(frame.data))
        finally:
            await self.changed()
        return ws

    async def _on_gateway_frame(self, session: GatewaySession, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d") or {}
        if op == HEARTBEAT:
            await session.send(HEARTBEAT_ACK)
        elif op == IDENTIFY:
            await self._identify(session, data)
        elif op == RESUME:
            await self._resume(session, data)
        elif op == REQUEST_MEMBERS:
            guild = self.world.guilds.get(int(data["guild_id"]))
            if guild is not None:
                members = [member.payload() for member in guild.members.values()]
                chunk = {"guild_id": str(guild.id), "members": members, "chunk_index": 0, "chunk_count": 1}
                if data.get("nonce"):
                    chunk["nonce"] = data["nonce"]
                await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    async def _identify(self, session: GatewaySession, data: dict[str, Any]) -> None:
        app = self.world.application
        if data.get("token", "").removeprefix("Bot ") != app.token:
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~app.privileged_intents:
            await session.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        session.intents = intents
        session.session_id = secrets.token_hex(16)
        session.identified = True
        await session.dispatch(
            "READY",
            {
                "v": 10,
                "user": self.world.bot.payload(),
                "guilds": [{"id": str(g), "unavailable": True} for g in self.world.guilds],
                "session_id": session.session_id,
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(app.id), "flags": 0},
            },
        )
        for guild in self.world.guilds.values():
            await session.dispatch("GUILD_CREATE", guild.payload())
        await self.changed()

    async def _resume(self, session: GatewaySession, data: dict[str, Any]) -> None:
        previous = next((s for s in self.sessions if s.session_id == data.get("session_id")), None)
        if previous is None or data.get("token", "").removeprefix("Bot ") != self.world.application.token:
            await session.send(INVALID_SESSION, False)
            return
        session.session_id, session.sequence = previous.session_id, previous.sequence
        session.intents, session.identified = previous.intents, True
        previous.session_id = None
        await session.dispatch("RESUMED", {})
        await self.changed()

    # ── acting as users ─────────────────────────────────────────────────────────────────────────

    async def slash(
        self,
        user: User,
        channel: Channel,
        command: str,
        *,
        locale: str = "fr",
        **options: Any,
    ) -> InteractionRecord:
        """Run `/command sub …` as `user` in `channel`, as the Discord client would.

        Fails like Discord's client when the bot never published the command or the user lacks the
        command's default permissions.
        """
        path = command.split()
        located = self.world.channel(channel.id)
        guild = located[0] if located else None
        registered = self._published(path[0], guild)
        if guild is not None:
            required = int(registered.get("default_member_permissions") or 0)
            if required and guild.permissions_of(user.id, channel.id) & required != required:
                raise CommandNotAvailable(f"/{path[0]} is hidden from {user.username}")
        data = command_data(registered, path, options, guild)
        return await self._send_interaction(APPLICATION_COMMAND, user, guild, channel, data, locale)

    def _published(self, name: str, guild: Guild | None) -> dict[str, Any]:
        scopes = ([guild.id] if guild else []) + [None]
        for scope in scopes:
            for registered in self.commands.get(scope, []):
                if registered["name"] == name:
                    return registered
        raise CommandNotAvailable(f"/{name} was never published (run the bot's command sync)")

    async def _send_interaction(
        self, kind: int, user: User, guild: Guild | None, channel: Channel, data: dict[str, Any], locale: str
    ) -> InteractionRecord:
        record = InteractionRecord(
            id=self.world.ids.next(),
            token=secrets.token_urlsafe(24),
            type=kind,
            user=user,
            guild=guild,
            channel=channel,
            data=data,
            locale=locale,
        )
        self.interactions[record.token] = record
        permissions = guild.permissions_of(user.id, channel.id) if guild else 0
        bot_permissions = guild.permissions_of(self.world.bot.id, channel.id) if guild else 0
        record.loop_time_sent = asyncio.get_running_loop().time()
        await self.dispatch(
            "INTERACTION_CREATE", record.payload(self.world.application.id, permissions, bot_permissions)
        )
        return record

    # ── REST ────────────────────────────────────────────────────────────────────────────────────

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        path = request.path.removeprefix(API_PREFIX)
        body, files = await _read_body(request)
        recorded = RecordedRequest(request.method, path, dict(request.query), body, files)
        self.requests.append(recorded)
        request[RECORD] = recorded
        try:
            response = await self._answer(request, path, handler)
        except web.HTTPException as exc:
            response = exc
        recorded.status = response.status
        await self.changed()
        return response

    async def _answer(self, request: web.Request, path: str, handler: Handler) -> web.StreamResponse:
        # Interaction callbacks and webhook-token routes carry no Authorization header.
        token_route = path.startswith(("/interactions/", "/webhooks/"))
        expected = f"Bot {self.world.application.token}"
        if not token_route and request.headers.get("Authorization") != expected:
            return _error(401)
        fault = self.faults.take(request.method, path)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status != 200:
                return json_response(fault.response_body(), fault.status, fault.headers())
        if request.match_info.http_exception is not None:
            self.unhandled.append(f"{request.method} {path}")
            log.warning("fake Discord has no route for %s %s", request.method, path)
            return _error(404, "404: Not Found")
        return await handler(request)

    def _add_rest_routes(self, app: web.Application) -> None:
        p = API_PREFIX
        routes = [
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway),
            ("GET", "/users/@me", self._get_me),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/applications/@me", self._get_application),
            ("GET", "/applications/{app}/commands", self._get_commands),
            ("PUT", "/applications/{app}/commands", self._put_commands),
            ("GET", "/applications/{app}/guilds/{guild}/commands", self._get_commands),
            ("PUT", "/applications/{app}/guilds/{guild}/commands", self._put_commands),
            ("POST", "/interactions/{id}/{token}/callback", self._interaction_callback),
            ("POST", "/webhooks/{app}/{token}", self._followup),
            ("GET", "/webhooks/{app}/{token}/messages/{message}", self._get_webhook_message),
            ("PATCH", "/webhooks/{app}/{token}/messages/{message}", self._edit_webhook_message),
            ("DELETE", "/webhooks/{app}/{token}/messages/{message}", self._delete_webhook_message),
            ("GET", "/channels/{channel}", self._get_channel),
            ("POST", "/channels/{channel}/messages", self._post_message),
            ("GET", "/channels/{channel}/messages/{message}", self._get_message),
            ("PATCH", "/channels/{channel}/messages/{message}", self._edit_message),
            ("DELETE", "/channels/{channel}/messages/{message}", self._delete_message),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, p + path, handler)

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def _get_me(self, request: web.Request) -> web.Response:
        return json_response(self.world.bot.payload())

    async def _get_application(self, request: web.Request) -> web.Response:
        return json_response(self.world.application.payload())

    # commands

    def _scope(self, request: web.Request) -> int | None:
        guild = request.match_info.get("guild")
        return int(guild) if guild else None

    async def _get_commands(self, request: web.Request) -> web.Response:
        return json_response(self.commands.get(self._scope(request), []))

    async def _put_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        published = []
        for command in request[RECORD].json:
            stored = dict(command)
            stored.setdefault("type", 1)
            stored.update(
                id=str(self.world.ids.next()),
                application_id=str(self.world.application.id),
                version=str(self.world.ids.next()),
            )
            if scope is not None:
                stored["guild_id"] = str(scope)
            published.append(stored)
        self.commands[scope] = published
        return json_response(published)

    # interactions

    def _interaction(self, token: str) -> InteractionRecord:
        record = self.interactions.get(token)
        if record is None:
            raise web.HTTPNotFound(
                body=json.dumps({"message": "Unknown interaction", "code": 10062}),
                content_type="application/json",
            )
        return record

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        record = self._interaction(request.match_info["token"])
        if record.callback is not None:
            return _error(400, "Interaction has already been acknowledged.", 40060)
        body = request[RECORD].json
        record.callback = body
        record.loop_time_answered = asyncio.get_running_loop().time()
        kind, data = body["type"], body.get("data") or {}
        message: Message | None = None
        if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            message = self._new_message(
                record.channel, self.world.bot, data, request[RECORD].files, interaction=record
            )
            record.original = message
            if not message.ephemeral:
                await self._publish_message(message)
        elif kind in (UPDATE_MESSAGE, DEFERRED_UPDATE):
            message = self.world.messages.get(int(record.data.get("message_id", 0) or 0))
            if message is not None and kind == UPDATE_MESSAGE:
                self._apply_edit(message, data, request[RECORD].files)
        record.answered.set()
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(record.id),
                "type": record.type,
                "response_message_id": str(message.id) if message else None,
                "response_message_loading": kind == DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(message and message.ephemeral),
            },
        }
        if message is not None and kind != MODAL:
            answer["resource"] = {"type": kind, "message": message.payload()}
        else:
            answer["resource"] = {"type": kind}
        return json_response(answer)

    async def _followup(self, request: web.Request) -> web.Response:
        record = self._interaction(request.match_info["token"])
        message = self._new_message(
            record.channel, self.world.bot, request[RECORD].json, request[RECORD].files, interaction=record
        )
        record.followups.append(message)
        if not message.ephemeral:
            await self._publish_message(message)
        return json_response(message.payload())

    def _webhook_message(self, request: web.Request) -> tuple[InteractionRecord, Message]:
        record = self._interaction(request.match_info["token"])
        key = request.match_info["message"]
        message = record.original if key == "@original" else self.world.messages.get(int(key))
        if message is None:
            raise web.HTTPNotFound(
                body=json.dumps({"message": "Unknown Message", "code": 10008}),
                content_type="application/json",
            )
        return record, message

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        _, message = self._webhook_message(request)
        return json_response(message.payload())

    async def _edit_webhook_message(self, request: web.Request) -> web.Response:
        _, message = self._webhook_message(request)
        self._apply_edit(message, request[RECORD].json, request[RECORD].files)
        if not message.ephemeral:
            await self.dispatch("MESSAGE_UPDATE", message.payload())
        return json_response(message.payload())

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        _, message = self._webhook_message(request)
        self.world.messages.pop(message.id, None)
        return web.Response(status=204)

    # channels and messages

    def _channel(self, request: web.Request) -> tuple[Guild, Channel]:
        located = self.world.channel(int(request.match_info["channel"]))
        if located is None:
            raise web.HTTPNotFound(body=json.dumps(ERROR_BODIES[404]), content_type="application/json")
        return located

    def _require(self, guild: Guild, channel: Channel, permission: int) -> None:
        if guild.permissions_of(self.world.bot.id, channel.id) & permission != permission:
            raise web.HTTPForbidden(body=json.dumps(ERROR_BODIES[403]), content_type="application/json")

    async def _get_channel(self, request: web.Request) -> web.Response:
        _, channel = self._channel(request)
        return json_response(channel.payload())

    async def _post_message(self, request: web.Request) -> web.Response:
        guild, channel = self._channel(request)
        send = SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES
        self._require(guild, channel, VIEW_CHANNEL | send)
        message = self._new_message(channel, self.world.bot, request[RECORD].json, request[RECORD].files)
        await self._publish_message(message)
        return json_response(message.payload())

    def _message(self, request: web.Request) -> Message:
        _, channel = self._channel(request)
        message = self.world.messages.get(int(request.match_info["message"]))
        if message is None or message.channel_id != channel.id:
            raise web.HTTPNotFound(
                body=json.dumps({"message": "Unknown Message", "code": 10008}),
                content_type="application/json",
            )
        return message

    async def _get_message(self, request: web.Request) -> web.Response:
        return json_response(self._message(request).payload())

    async def _edit_message(self, request: web.Request) -> web.Response:
        message = self._message(request)
        if message.author.id != self.world.bot.id:
            return _error(403, "Cannot edit a message authored by another user", 50005)
        self._apply_edit(message, request[RECORD].json, request[RECORD].files)
        await self.dispatch("MESSAGE_UPDATE", message.payload())
        return json_response(message.payload())

    async def _delete_message(self, request: web.Request) -> web.Response:
        message = self._message(request)
        del self.world.messages[message.id]
        await self.dispatch(
            "MESSAGE_DELETE",
            {"id": str(message.id), "channel_id": str(message.channel_id), "guild_id": str(message.guild_id)},
        )
        return web.Response(status=204)

    # message helpers

    def _new_message(
        self,
        channel: Channel,
        author: User,
        data: dict[str, Any],
        files: dict[str, bytes],
        interaction: InteractionRecord | None = None,
    ) -> Message:
        message = Message(
            id=self.world.ids.next(),
            channel_id=channel.id,
            author=author,
            guild_id=channel.guild_id,
            webhook_id=self.world.application.id if interaction else None,
            type=20 if interaction and interaction.type == APPLICATION_COMMAND else 0,
        )
        self._apply_edit(message, data, files, edited=False)
        self.world.messages[message.id] = message
        return message

    def _apply_edit(
        self, message: Message, data: dict[str, Any], files: dict[str, bytes], edited: bool = True
    ) -> None:
        if "content" in data:
            message.content = data["content"] or ""
        if "embeds" in data:
            message.embeds = data["embeds"] or []
        if "components" in data:
            message.components = data["components"] or []
        if "flags" in data and data["flags"] is not None:
            message.flags = int(data["flags"])
        if "allowed_mentions" in data:
            message.allowed_mentions = data["allowed_mentions"]
        if "attachments" in data or files:
            message.attachments = []
            for index, (name, content) in enumerate(files.items()):
                message.files[name] = content
                message.attachments.append(
                    {
                        "id": str(self.world.ids.next()),
                        "filename": name,
                        "size": len(content),
                        "url": f"http://127.0.0.1:{self.port}/attachments/{message.id}/{name}",
                        "proxy_url": f"http://127.0.0.1:{self.port}/attachments/{message.id}/{name}",
                        "content_type": "image/png" if name.endswith(".png") else "application/octet-stream",
                        "ephemeral": message.ephemeral,
                        "flags": 0,
                        "position": index,
                    }
                )
        if edited:
            message.edited_at = datetime.now(UTC)

    async def _publish_message(self, message: Message) -> None:
        await self.dispatch("MESSAGE_CREATE", message.payload())


async def _read_body(request: web.Request) -> tuple[Any, dict[str, bytes]]:
    """A request's JSON, from a JSON body or from the `payload_json` part of a multipart body."""
    if not request.body_exists:
        return None, {}
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: dict[str, bytes] = {}
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            assert isinstance(part, BodyPartReader), "nested multipart bodies are not expected"
            content = await part.read()
            if part.name == "payload_json":
                payload = json.loads(content)
            else:
                files[part.filename or part.name or "file"] = bytes(content)
        return payload, files
    raw = await request.read()
    return (json.loads(raw) if raw else None), {}
