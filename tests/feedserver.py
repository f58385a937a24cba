"""A small HTTP server on 127.0.0.1 that serves feed files the way real sites do, and misbehaves
on request: validators and 304s, redirects, slow or trickling answers, error statuses."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float | None = None  # seconds between single bytes: a slow-loris server


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.request_headers: list[tuple[str, dict[str, str]]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, body: bytes | str = b"", **options: object) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **options)  # type: ignore[arg-type]
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        return self.serve(path, status=status, headers={"Location": to})

    async def start(self, extra_hosts: int = 0) -> None:
        """Listen on 127.0.0.1, and on 127.0.0.2… for `extra_hosts` more loopback addresses (the
        same port), so that a benchmark can spread feeds over many "sites"."""
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        for index in range(extra_hosts):
            await web.TCPSite(self._runner, f"127.0.0.{index + 2}", self.port, backlog=1024).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path_qs if request.path_qs in self.routes else request.path
        self.hits[path] += 1
        self.request_headers.append((path, dict(request.headers)))
        route = self.routes.get(path)
        if route is None:
            return web.Response(status=404, text="not found")
        if route.delay:
            await asyncio.sleep(route.delay)
        validators = {"ETag": route.etag, "Last-Modified": route.last_modified}
        validators_sent = {k: v for k, v in validators.items() if v}
        if (route.etag and request.headers.get("If-None-Match") == route.etag) or (
            route.last_modified and request.headers.get("If-Modified-Since") == route.last_modified
        ):
            return web.Response(status=304, headers=validators_sent)
        headers = {"Content-Type": route.content_type, **validators_sent, **route.headers}
        if route.trickle is not None:
            return await self._trickle(request, route, headers)
        return web.Response(status=route.status, body=route.body, headers=headers)

    async def _trickle(
        self, request: web.Request, route: Route, headers: dict[str, str]
    ) -> web.StreamResponse:
        response = web.StreamResponse(status=route.status, headers=headers)
        await response.prepare(request)
        for byte in route.body:
            await response.write(bytes([byte]))
            await asyncio.sleep(route.trickle or 0)
        return response
