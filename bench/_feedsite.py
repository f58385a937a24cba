"""The benchmarks' web: real-world feed files served from 127.0.0.1 by a separate process, with a
realistic mix of latencies, validators, slow and failing sites, HTML pages and one huge body."""

from __future__ import annotations

import asyncio
import multiprocessing
import random
from dataclasses import dataclass
from pathlib import Path

from tests.feedserver import FeedServer

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "feeds"
HOSTS = 200  # feeds are spread over this many loopback addresses, as over many sites
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Not a feed</title></head><body><p>Hello</p></body></html>"


@dataclass(frozen=True)
class SiteRoute:
    path: str
    source: str  # corpus file name, or a label for generated bodies
    delay: float
    status: int = 200
    validators: bool = False
    content_type: str = "application/rss+xml"
    huge: bool = False
    html: bool = False


@dataclass(frozen=True)
class Mix:
    routes: list[SiteRoute]

    def describe(self) -> str:
        slow = sum(r.delay >= 2 for r in self.routes)
        errors = sum(r.status >= 500 for r in self.routes)
        html = sum(r.html for r in self.routes)
        validators = sum(r.validators for r in self.routes)
        return (
            f"{len(self.routes)} URLs on {min(HOSTS, len(self.routes))} hosts: 50–500 ms latency, "
            f"{validators} with ETag/Last-Modified, {slow} taking 2 s, {errors} answering 500, "
            f"{html} HTML pages, 1 body of 50 MB"
        )


def corpus_files(low: int = 30_000, high: int = 300_000) -> list[Path]:
    files = sorted(p for p in CORPUS.rglob("*.xml") if low <= p.stat().st_size <= high)
    if not files:
        raise SystemExit(f"the corpus is missing: expected real feeds under {CORPUS}")
    return files


def make_mix(count: int, seed: int = 48) -> Mix:
    rng = random.Random(seed)
    files = corpus_files()
    routes = []
    for index in range(count):
        source = files[index % len(files)].name
        roll = rng.random()
        route = SiteRoute(f"/feed/{index}", source, delay=rng.uniform(0.05, 0.5), validators=roll < 0.3)
        if index == 0:
            route = SiteRoute(f"/feed/{index}", "50 MB", delay=0.1, huge=True)
        elif roll > 0.98:
            route = SiteRoute(route.path, source, delay=2.0, validators=route.validators)
        elif roll > 0.96:
            route = SiteRoute(route.path, "error", delay=route.delay, status=500)
        elif roll > 0.94:
            route = SiteRoute(route.path, "page", delay=route.delay, content_type="text/html", html=True)
        routes.append(route)
    return Mix(routes)


def _configure(server: FeedServer, mix: Mix) -> None:
    bodies: dict[str, bytes] = {}
    for route in mix.routes:
        if route.huge:
            body = b"<rss><channel>" + b" " * (50 * 1024 * 1024)
        elif route.html:
            body = HTML_PAGE
        elif route.status >= 500:
            body = b"Internal Server Error"
        else:
            source = bodies.setdefault(
                route.source, (CORPUS / _folder(route.source) / route.source).read_bytes()
            )
            # Each site tells its own stories: the same file served by several routes gets distinct
            # titles, as distinct feeds would have (otherwise each copy is one story told 50 times).
            body = source.replace(b"<title>", f"<title>{route.path} · ".encode())
        validators = {"etag": f'"{route.path}"', "last_modified": "Mon, 16 Nov 2026 10:00:00 GMT"}
        server.serve(
            route.path,
            body,
            status=route.status,
            delay=route.delay,
            content_type=route.content_type,
            **(validators if route.validators else {}),
        )


def _folder(name: str) -> str:
    return next(p.parent.name for p in CORPUS.rglob(name))


def _serve(mix: Mix, ready: multiprocessing.connection.Connection) -> None:
    async def main() -> None:
        server = FeedServer()
        _configure(server, mix)
        await server.start(extra_hosts=HOSTS - 1)
        ready.send(server.port)
        await asyncio.Event().wait()

    asyncio.run(main())


class FeedSite:
    """The web of the benchmark, in its own process so that serving does not load the measured loop."""

    def __init__(self, mix: Mix) -> None:
        self.mix = mix
        receive, send = multiprocessing.Pipe(duplex=False)
        self._process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(mix, send), daemon=True
        )
        self._process.start()
        self.port: int = receive.recv()

    def urls(self) -> list[str]:
        return [
            f"http://127.0.0.{index % HOSTS + 1}:{self.port}{route.path}"
            for index, route in enumerate(self.mix.routes)
        ]

    def close(self) -> None:
        self._process.terminate()
        self._process.join()
