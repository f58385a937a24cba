"""What the fake Discord's REST handlers share: the recorded request, JSON answers, Discord's errors."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox.fakediscord.faults import ERROR_BODIES
from sandbox.fakediscord.world import Channel, Guild, World

API_PREFIX = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# (method, path after API_PREFIX, handler), as each route group lists its routes.
Route = tuple[str, str, Handler]


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


def error_response(status: int, message: str | None = None, code: int = 0) -> web.Response:
    body = dict(ERROR_BODIES.get(status, {"message": str(status), "code": code}))
    if message:
        body = {"message": message, "code": code}
    return json_response(body, status)


class DiscordError(Exception):
    """Raised by a handler: the middleware answers `response`, Discord's JSON error."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def discord_error(status: int, message: str, code: int, errors: dict[str, Any] | None = None) -> DiscordError:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return DiscordError(json_response(body, status))


def missing_permissions() -> DiscordError:
    return discord_error(403, "Missing Permissions", 50013)


def unknown(what: str, code: int) -> DiscordError:
    """Discord's 404 for an id it does not know: "Unknown Channel" (10003), "Unknown Message" (10008)…"""
    return discord_error(404, f"Unknown {what}", code)


def invalid_form(field: str, error_code: str, message: str) -> DiscordError:
    """Discord's 400 "Invalid Form Body" (50035), naming the field in `errors` as Discord does."""
    return discord_error(
        400, "Invalid Form Body", 50035, {field: {"_errors": [{"code": error_code, "message": message}]}}
    )


def body_of(request: web.Request) -> dict[str, Any]:
    """The request's JSON object (from a JSON body or a multipart `payload_json`), or {}."""
    data = request[RECORD].json
    return data if isinstance(data, dict) else {}


def channel_or_404(world: World, request: web.Request) -> tuple[Guild, Channel]:
    located = world.channel(int(request.match_info["channel"]))
    if located is None:
        raise unknown("Channel", 10003)
    return located


def guild_or_404(world: World, request: web.Request) -> Guild:
    guild = world.guilds.get(int(request.match_info["guild"]))
    if guild is None:
        raise unknown("Guild", 10004)
    return guild


def require(world: World, guild: Guild, channel: Channel | None, permission: int) -> None:
    """403 unless the bot has every bit of `permission` (in `channel`, or guild-wide)."""
    granted = guild.permissions_of(world.bot.id, channel.id if channel else None)
    if granted & permission != permission:
        raise missing_permissions()
