"""A Discord-compatible REST + gateway server on 127.0.0.1 for wire-level tests of the real bot.

The real discord.py client connects to it through DISCORD_API_BASE / DISCORD_GATEWAY_URL. Tests
build a `World`, start the server, start the bot, then act as users (`slash`, `click`, `say`… in
users.py) and assert on what the server received (`requests`, the messages in `world`, each
interaction's `response`). REST routes live in one module per resource (messages, threads,
channels, roles, reactions); this one holds the life cycle, the gateway, authentication, the global
rate limit, commands and interaction callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import BodyPartReader, web

from sandbox.fakediscord.channels import Channels
from sandbox.fakediscord.faults import Faults, rate_limit_headers
from sandbox.fakediscord.gateway import (
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
from sandbox.fakediscord.interactions import (
    APPLICATION_COMMAND,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    UPDATE_MESSAGE,
    InteractionRecord,
)
from sandbox.fakediscord.messages import Messages, check_not_empty
from sandbox.fakediscord.ratelimit import GlobalRateLimit
from sandbox.fakediscord.reactions import Reactions
from sandbox.fakediscord.rest import (
    API_PREFIX,
    RECORD,
    DiscordError,
    Handler,
    RecordedRequest,
    Route,
    body_of,
    discord_error,
    error_response,
    json_response,
)
from sandbox.fakediscord.roles import Roles
from sandbox.fakediscord.threads import Threads
from sandbox.fakediscord.users import UserActions
from sandbox.fakediscord.world import Message, World

log = logging.getLogger(__name__)


class FakeDiscord(UserActions):
    """The fake Discord. `global_limit` (requests per second, None: none) turns on Discord's global
    rate limit for the bot's REST requests; `rate_limited` counts the 429 it answered, and
    `peak_rate` is the most bot requests received (answered or refused) in any one-second window."""

    def __init__(self, world: World | None = None) -> None:
        self.world = world or World()
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self.unhandled: list[str] = []
        self.sessions: list[GatewaySession] = []
        self.interactions: dict[str, InteractionRecord] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # guild id (None: global)
        self.global_limit: int | None = None
        self._limit = GlobalRateLimit()
        self.messages = Messages(self)
        self.threads = Threads(self)
        self.channels = Channels(self)
        self.roles = Roles(self)
        self.reactions = Reactions(self)
        self._changed = asyncio.Condition()
        self.version = 0  # counts changes: the sandbox's page redraws when it moves
        self._stopping = asyncio.Event()  # releases the answers a fault holds back
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def rate_limited(self) -> int:
        return self._limit.rate_limited

    @property
    def peak_rate(self) -> int:
        return self._limit.peak_rate

    # ── life cycle ──────────────────────────────────────────────────────────────────────────────

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self, port: int = 0, routes: Sequence[web.AbstractRouteDef] = ()) -> None:
        """Listen on 127.0.0.1 only (`port` 0: any free port); `routes` are served beside Discord's
        (the sandbox's page). An OSError says when the port is taken."""
        app = web.Application(middlewares=[self._middleware], client_max_size=50 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        self._add_rest_routes(app)
        app.add_routes(routes)
        # Long-lived answers (the page's live updates) end when the server stops: no grace period.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            raise
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def stop(self) -> None:
        self._stopping.set()
        await self.changed()  # wakes whoever waits for a change (the page's live updates)
        for session in self.sessions:
            if session.open:
                await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # ── waiting on conditions ───────────────────────────────────────────────────────────────────

    async def changed(self) -> None:
        self.version += 1
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
        session.user_id = self.world.bot.id
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
        session.user_id = previous.user_id
        previous.session_id = None
        await session.dispatch("RESUMED", {})
        await self.changed()

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
        except DiscordError as error:
            response = error.response
        recorded.status = response.status
        await self.changed()
        return response

    async def _answer(self, request: web.Request, path: str, handler: Handler) -> web.StreamResponse:
        # Interaction callbacks and webhook-token routes carry no Authorization header.
        token_route = path.startswith(("/interactions/", "/webhooks/"))
        expected = f"Bot {self.world.application.token}"
        if not token_route and request.headers.get("Authorization") != expected:
            return error_response(401)
        if not token_route:
            # Discord's global limit counts bot-authenticated requests; interactions are exempt.
            retry_after = self._limit.admit(asyncio.get_running_loop().time(), self.global_limit)
            if retry_after is not None:
                body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": True}
                return json_response(body, 429, rate_limit_headers(retry_after, is_global=True))
        fault = self.faults.take(request.method, path)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status != 200:
                return json_response(fault.response_body(), fault.status, fault.headers())
        if request.match_info.http_exception is not None:
            self.unhandled.append(f"{request.method} {path}")
            log.warning("fake Discord has no route for %s %s", request.method, path)
            return error_response(404, "404: Not Found")
        response = await handler(request)
        if fault is not None and fault.hold:
            await self.changed()  # what Discord did is visible while its answer is held back
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), fault.hold)
        return response

    def _add_rest_routes(self, app: web.Application) -> None:
        routes: list[Route] = [
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
        ]
        for group in (self.messages, self.threads, self.channels, self.roles, self.reactions):
            routes.extend(group.routes())
        for method, path, handler in routes:
            app.router.add_route(method, API_PREFIX + path, handler)

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
            raise discord_error(404, "Unknown interaction", 10062)
        return record

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        record = self._interaction(request.match_info["token"])
        if record.callback is not None:
            return error_response(400, "Interaction has already been acknowledged.", 40060)
        body = body_of(request)
        kind, data = body["type"], body.get("data") or {}
        files = request[RECORD].files
        if kind == CHANNEL_MESSAGE:
            check_not_empty(data, files)
        # Updating a message answers only a component (or a modal opened from one); discord.py also
        # acknowledges any modal submit with a deferred update, which Discord accepts.
        if (kind == UPDATE_MESSAGE and record.message is None) or (
            kind == DEFERRED_UPDATE and record.type not in (MESSAGE_COMPONENT, MODAL_SUBMIT)
        ):
            raise discord_error(400, "This interaction has no message to update", 50035)
        if kind == MODAL and record.type not in (APPLICATION_COMMAND, MESSAGE_COMPONENT):
            raise discord_error(400, "A modal cannot answer a modal submit or an autocomplete", 50035)
        record.callback = body
        record.loop_time_answered = asyncio.get_running_loop().time()
        message: Message | None = None
        if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            message = self.messages.create(record.channel, self.world.bot, data, files, interaction=record)
            record.original = message
            if not message.ephemeral:
                await self.messages.publish(message)
        elif kind in (UPDATE_MESSAGE, DEFERRED_UPDATE):
            # Answering a component by updating its message: "@original" now means that message.
            message = record.original = record.message
            if message is not None and kind == UPDATE_MESSAGE:
                self.messages.edit(message, data, files)
                await self.messages.announce_edit(message)
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
        data, files = body_of(request), request[RECORD].files
        check_not_empty(data, files)
        message = self.messages.create(record.channel, self.world.bot, data, files, interaction=record)
        record.followups.append(message)
        if not message.ephemeral:
            await self.messages.publish(message)
        return json_response(message.payload())

    def _webhook_message(self, request: web.Request) -> tuple[InteractionRecord, Message]:
        record = self._interaction(request.match_info["token"])
        key = request.match_info["message"]
        message = record.original if key == "@original" else self.world.messages.get(int(key))
        if message is None or message.id not in self.world.messages:
            raise discord_error(404, "Unknown Message", 10008)
        return record, message

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        _, message = self._webhook_message(request)
        return json_response(message.payload())

    async def _edit_webhook_message(self, request: web.Request) -> web.Response:
        _, message = self._webhook_message(request)
        self.messages.edit(message, body_of(request), request[RECORD].files)
        await self.messages.announce_edit(message)
        return json_response(message.payload())

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        _, message = self._webhook_message(request)
        located = self.world.channel(message.channel_id)
        await self.messages.delete(message, located[1] if located else None)
        return web.Response(status=204)


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
