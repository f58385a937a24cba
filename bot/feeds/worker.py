"""Ingestion workers: parse a fetched body and store its entries, in processes of their own.

Parsing and storing cost CPU (feedparser, SQLAlchemy), and one Python process runs Python on one
core at a time: done in the bot's process, they would both slow its event loop and leave the other
cores idle. Each worker keeps its own event loop and database engine for its whole life; only the
body goes in and a short summary comes back.
"""

from __future__ import annotations

import asyncio
import atexit
import signal
from dataclasses import dataclass
from datetime import datetime

from bot.db.engine import create_engine, sessionmaker
from bot.db.url import parse_database_url
from bot.feeds.parse import init_worker as init_parser
from bot.feeds.parse import parse_feed
from bot.feeds.themes import ThemeKeywords
from bot.store.articles import ArticleStore, IngestResult


@dataclass(frozen=True)
class Ingested:
    """What the bot needs to know of one parse-and-store: counts, dates, hints, or why it failed."""

    error: str | None = None
    items: int = 0
    newest: datetime | None = None
    warning: str | None = None
    ttl_minutes: int | None = None
    result: IngestResult | None = None


class _Storage:
    """The worker's event loop and its engine on one database (replaced if the URL changes)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.url: str | None = None
        self.store: ArticleStore | None = None
        self._dispose: object = None

    def store_for(self, database_url: str) -> ArticleStore:
        if database_url != self.url or self.store is None:
            self.close_engine()
            engine = create_engine(parse_database_url(database_url))
            self.url, self.store, self._dispose = (
                database_url,
                ArticleStore(sessionmaker(engine)),
                engine.dispose,
            )
        return self.store

    def close_engine(self) -> None:
        if callable(self._dispose):
            self.loop.run_until_complete(self._dispose())
        self._dispose = None

    def close(self) -> None:
        self.close_engine()
        self.loop.close()


_STORAGE: _Storage | None = None


def init_worker(themes: tuple[ThemeKeywords, ...]) -> None:
    """Process-pool initializer. Ctrl-C reaches every process of the terminal's group: the bot
    stops on it and then closes the pool, so a worker ignores it (rather than dying mid-task
    with a traceback)."""
    global _STORAGE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init_parser(themes)
    _STORAGE = _Storage()
    atexit.register(_STORAGE.close)


def ingest_body(
    database_url: str,
    feed_id: int,
    body: bytes,
    url: str,
    content_type: str | None,
    language: str,
    seen_at: datetime,
) -> Ingested:
    """Parse `body` and store its entries for feed `feed_id` (runs in a worker process)."""
    if _STORAGE is None:
        raise RuntimeError("ingest_body runs in a worker set up with init_worker")
    parsed = parse_feed(body, url, content_type, language, seen_at)
    if parsed.error is not None:
        return Ingested(error=parsed.error)
    store = _STORAGE.store_for(database_url)
    result = _STORAGE.loop.run_until_complete(store.ingest(feed_id, parsed.entries, seen_at))
    return Ingested(
        items=len(parsed.entries),
        newest=max((entry.published_at for entry in parsed.entries if entry.published_at), default=None),
        warning=parsed.warning,
        ttl_minutes=parsed.ttl_minutes,
        result=result,
    )
