"""Fetch feeds politely and safely: one shared session, limits, caps, conditional GET, clear errors.

A fetch never raises for what the web does (timeouts, DNS, TLS, 4xx/5xx, huge bodies): it returns
a `FetchResult` whose `error` says in words what happened, so one bad feed never stops the others.
"""

from __future__ import annotations

import asyncio
import email.utils
import re
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import aiohttp

from bot import __version__
from bot.feeds.urls import PublicOnlyResolver, UnsafeAddressError, check_host

USER_AGENT = f"veille-bot/{__version__} (+https://github.com/veille-bot/veille-bot; feed reader)"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"  # article pages
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.5"
)
PERMANENT_REDIRECTS = {301, 308}
REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 5 * 1024 * 1024  # counted after decompression: a gzip bomb stops here
    max_redirects: int = 5
    connect_timeout: float = 10.0
    total_timeout: float = 30.0  # also ends slow-loris servers that trickle a byte at a time
    concurrency: int = 64
    per_host: int = 2
    allow_private: bool = False  # True only for tests and local demos (127.0.0.1 feeds)


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int | None = None
    body: bytes | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    moved_to: str | None = None  # where a permanent redirect says the feed now lives
    max_age_seconds: int | None = None
    retry_after_seconds: float | None = None
    gone: bool = False
    error: str | None = None
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


class _TooLarge(Exception):
    pass


class _TooManyRedirects(Exception):
    pass


def open_session(limits: FetchLimits) -> aiohttp.ClientSession:
    """The one HTTP session of the process for feeds and pages."""
    # Per-host politeness is the Fetcher's (it waits *before* its timeout starts); the connector
    # only caps the connections of the whole process.
    connector = aiohttp.TCPConnector(
        limit=limits.concurrency,
        resolver=PublicOnlyResolver(allow_private=limits.allow_private),
        ttl_dns_cache=300,
    )
    return aiohttp.ClientSession(
        connector=connector,
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=limits.connect_timeout),
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=True,
    )


class Fetcher:
    def __init__(self, session: aiohttp.ClientSession, limits: FetchLimits) -> None:
        self._session = session
        self._limits = limits
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self._limits.per_host)
        return self._hosts[host]

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None, *, accept: str = ACCEPT
    ) -> FetchResult:
        started = time.monotonic()
        try:
            result = await self._fetch(url, etag, last_modified, accept)
        except _TooLarge:
            mb = self._limits.max_bytes // (1024 * 1024)
            result = FetchResult(url, url, error=f"the response is larger than {mb} MB; refused")
        except _TooManyRedirects:
            result = FetchResult(url, url, error=f"more than {self._limits.max_redirects} redirects")
        except TimeoutError:
            result = FetchResult(
                url, url, error=f"no complete answer within {self._limits.total_timeout:.0f} s"
            )
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            result = FetchResult(url, url, error=describe_network_error(exc))
        return _with_elapsed(result, time.monotonic() - started)

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None, accept: str) -> FetchResult:
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current, moved_to, permanent = url, None, True
        for _ in range(self._limits.max_redirects + 1):
            check_host(urlsplit(current).hostname or "", self._limits.allow_private)
            async with (
                self._host_slot(current),
                asyncio.timeout(self._limits.total_timeout),
                self._session.get(current, headers=headers, allow_redirects=False) as response,
            ):
                if response.status in REDIRECTS and response.headers.get("Location"):
                    permanent = permanent and response.status in PERMANENT_REDIRECTS
                    current = urljoin(current, response.headers["Location"])
                    if urlsplit(current).scheme not in ("http", "https"):
                        raise ValueError(f"a redirect leads to a non-web address ({current})")
                    moved_to = current if permanent else None
                    continue
                return await self._result(url, current, moved_to, response)
        raise _TooManyRedirects

    async def _result(
        self, url: str, final_url: str, moved_to: str | None, response: aiohttp.ClientResponse
    ) -> FetchResult:
        answer = FetchResult(
            url=url,
            final_url=final_url,
            status=response.status,
            moved_to=moved_to,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            content_type=response.headers.get("Content-Type"),
            max_age_seconds=_max_age(response.headers.get("Cache-Control")),
            retry_after_seconds=_retry_after(response.headers.get("Retry-After")),
        )
        if response.status == 304:
            return replace(answer, not_modified=True)
        if response.status >= 400:
            return replace(answer, gone=response.status == 410, error=describe_status(response.status))
        if 300 <= response.status < 400:
            return replace(answer, error=f"HTTP {response.status} without a Location to follow")
        return replace(answer, body=await self._read(response))

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        declared = response.content_length
        if (
            declared is not None
            and declared > self._limits.max_bytes
            and not response.headers.get("Content-Encoding")
        ):
            raise _TooLarge
        chunks, size = [], 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > self._limits.max_bytes:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)


def describe_status(status: int) -> str:
    if status in (401, 403):
        return f"the site blocks automated readers (HTTP {status})"
    if status == 404:
        return "not found (HTTP 404): moved or removed by the publisher"
    if status == 410:
        return "gone (HTTP 410): removed by the publisher for good"
    if status == 429:
        return "rate limited by the site (HTTP 429)"
    if status == 503:
        return "the site is unavailable (HTTP 503)"
    if status >= 500:
        return f"the site's server failed (HTTP {status})"
    return f"unexpected answer (HTTP {status})"


def describe_network_error(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.ClientConnectorDNSError) or _caused_by(exc, UnsafeAddressError):
        unsafe = _caused_by(exc, UnsafeAddressError)
        if unsafe is not None:
            return f"refused: {unsafe}"
        host = getattr(exc, "host", "the host")
        return f"DNS lookup failed for {host}: the name does not exist or DNS is unreachable"
    if isinstance(exc, UnsafeAddressError):
        return f"refused: {exc}"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"TLS certificate problem for {exc.host}: {exc.certificate_error}"
    if isinstance(exc, aiohttp.ClientSSLError):
        return f"TLS error with {exc.host}: the secure connection failed"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect to {exc.host}:{exc.port} ({exc.os_error.strerror or 'refused'})"
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return "the connection broke while reading the answer"
    if isinstance(exc, aiohttp.InvalidURL):
        return f"not a valid URL ({exc})"
    return f"network error ({type(exc).__name__}: {exc})"


def _caused_by(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:
        if isinstance(current, kind):
            return current
        current = getattr(current, "os_error", None) or current.__cause__ or current.__context__
        seen += 1
    return None


_MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)", re.I)


def _max_age(header: str | None) -> int | None:
    match = _MAX_AGE.search(header or "")
    return int(match.group(1)) if match else None


def _retry_after(header: str | None) -> float | None:
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        moment = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)


def _with_elapsed(result: FetchResult, elapsed: float) -> FetchResult:
    return replace(result, elapsed=elapsed)
