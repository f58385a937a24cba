"""The gateway side of the fake Discord: one `GatewaySession` per websocket connection.

Frames are JSON text, or a zlib stream when the client asks for `compress=zlib-stream` (discord.py
does by default): one compressor for the whole connection, each frame ended by a Z_SYNC_FLUSH.
Each session gets only the events its intents ask for, and message content only with the message
content intent, as on Discord (https://discord.com/developers/docs/events/gateway#gateway-intents).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE, RESUME, RECONNECT = 0, 1, 2, 3, 4, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11

HEARTBEAT_INTERVAL_MS = 41_250

GUILDS, GUILD_MEMBERS, GUILD_PRESENCES = 1 << 0, 1 << 1, 1 << 8
GUILD_MESSAGES, GUILD_MESSAGE_REACTIONS = 1 << 9, 1 << 10
DIRECT_MESSAGES, DIRECT_MESSAGE_REACTIONS, MESSAGE_CONTENT = 1 << 12, 1 << 13, 1 << 15
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

# The intent each event needs: one value, or (in a guild, in DMs).
EVENT_INTENTS: dict[str, int | tuple[int, int]] = {
    **dict.fromkeys(["GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE", "THREAD_LIST_SYNC"], GUILDS),
    **{
        f"{kind}_{change}": GUILDS
        for kind in ("GUILD_ROLE", "CHANNEL", "THREAD")
        for change in ("CREATE", "UPDATE", "DELETE")
    },
    **{f"GUILD_MEMBER_{change}": GUILD_MEMBERS for change in ("ADD", "UPDATE", "REMOVE")},
    **{f"MESSAGE_{change}": (GUILD_MESSAGES, DIRECT_MESSAGES) for change in ("CREATE", "UPDATE", "DELETE")},
    **{
        f"MESSAGE_REACTION_{change}": (GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGE_REACTIONS)
        for change in ("ADD", "REMOVE")
    },
}
# Fields Discord empties for an app without the message content intent.
CONTENT_FIELDS: dict[str, Any] = {"content": "", "embeds": [], "attachments": [], "components": []}


def content_hidden(message: dict[str, Any], bot_id: int | None) -> bool:
    """Whether Discord hides this message's content from a bot lacking the message content intent:
    it still sees its own messages, DMs, and messages that mention it."""
    if "guild_id" not in message or bot_id is None:
        return False
    if message.get("author", {}).get("id") == str(bot_id):
        return False
    return all(user.get("id") != str(bot_id) for user in message.get("mentions", []))


def without_content(message: dict[str, Any]) -> dict[str, Any]:
    hidden = {**message, **CONTENT_FIELDS}
    hidden.pop("poll", None)
    return hidden


@dataclass
class GatewaySession:
    ws: web.WebSocketResponse
    compress: bool
    session_id: str | None = None
    sequence: int = 0
    intents: int = 0
    identified: bool = False
    user_id: int | None = None  # the bot's user, once identified
    _compressor: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.compress:
            self._compressor = zlib.compressobj()

    @property
    def open(self) -> bool:
        return not self.ws.closed

    async def send(self, op: int, data: Any = None, event: str | None = None) -> None:
        payload: dict[str, Any] = {"op": op, "d": data, "s": None, "t": event}
        if op == DISPATCH:
            self.sequence += 1
            payload["s"] = self.sequence
        text = json.dumps(payload)
        if self.compress:
            frame = self._compressor.compress(text.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
            await self.ws.send_bytes(frame)
        else:
            await self.ws.send_str(text)

    async def dispatch(self, event: str, data: Any) -> None:
        if not self.open:
            return
        view = self.view(event, data)
        if view is not None:
            await self.send(DISPATCH, view, event)

    def view(self, event: str, data: Any) -> Any:
        """What this session receives of `event`: None when its intents exclude it."""
        needed = EVENT_INTENTS.get(event)
        if isinstance(needed, tuple):
            needed = needed[0] if isinstance(data, dict) and "guild_id" in data else needed[1]
        own_member = event == "GUILD_MEMBER_UPDATE" and data["user"]["id"] == str(self.user_id)
        # Discord still tells a bot about its own member without the members intent.
        if needed is not None and not self.intents & needed and not own_member:
            return None
        if (
            event in ("MESSAGE_CREATE", "MESSAGE_UPDATE")
            and not self.intents & MESSAGE_CONTENT
            and content_hidden(data, self.user_id)
        ):
            return without_content(data)
        return data
