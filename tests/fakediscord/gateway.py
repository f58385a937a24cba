"""The gateway side of the fake Discord: one `GatewaySession` per websocket connection.

Frames are JSON text, or a zlib stream when the client asks for `compress=zlib-stream` (discord.py
does by default): one compressor for the whole connection, each frame ended by a Z_SYNC_FLUSH.
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
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content


@dataclass
class GatewaySession:
    ws: web.WebSocketResponse
    compress: bool
    session_id: str | None = None
    sequence: int = 0
    intents: int = 0
    identified: bool = False
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
        if self.open:
            await self.send(DISPATCH, data, event)
