"""Feed-engine fixtures (a pytest plugin, see tests/conftest.py): a local feed server, a real
database, the real engine with its worker pool."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config.feeds_file import load_feeds_file
from bot.config.settings import Settings
from bot.db.engine import sessionmaker
from bot.db.models import Article, Feed
from bot.feeds.engine import FeedEngine
from bot.feeds.fetch import Fetcher, FetchLimits, open_session
from bot.services import open_database, theme_keywords
from bot.store.articles import ArticleStore
from bot.store.feeds import FeedStore, FeedToCheck
from bot.workers import WorkerPool
from tests.conftest import SHIPPED_FEEDS
from tests.feedserver import FeedServer

DATA = Path(__file__).resolve().parent / "data" / "feeds"


def data(name: str) -> bytes:
    """A test file's bytes; the big ones are kept gzip-compressed in the repository."""
    raw = (DATA / name).read_bytes()
    return gzip.decompress(raw) if name.endswith(".xml.gz") else raw


@pytest.fixture(scope="session")
def pool() -> Iterator[WorkerPool]:
    """One worker pool for the whole session: spawning workers costs about a second."""
    workers = WorkerPool(theme_keywords(load_feeds_file(SHIPPED_FEEDS)), workers=2)
    yield workers
    workers.close()


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    await server.start()
    yield server
    await server.stop()


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 8, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Harness:
    """The real engine on a real database, with a controllable clock."""

    engine: FeedEngine
    feeds: FeedStore
    articles: ArticleStore
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    fetcher: Fetcher

    async def add_feed(
        self, url: str, name: str = "Feed", language: str = "fr", interval: int = 60
    ) -> FeedToCheck:
        async with self.sessions.begin() as session:
            session.add(Feed(url=url, name=name, language=language, interval_minutes=interval))
        return next(feed for feed in await self.feeds.enabled() if feed.url == url)

    async def feed(self, url: str) -> Feed:
        async with self.sessions() as session:
            row = await session.scalar(select(Feed).where(Feed.url == url))
            assert row is not None
            return row

    async def to_check(self, url: str) -> FeedToCheck:
        return next(feed for feed in await self.feeds.enabled() if feed.url == url)

    async def stored(self, url: str | None = None) -> list[Article]:
        async with self.sessions() as session:
            query = select(Article).order_by(Article.id)
            if url is not None:
                query = query.join(Feed).where(Feed.url == url)
            return list((await session.scalars(query)).all())


async def make_harness(database_url: str, pool: WorkerPool, limits: FetchLimits) -> AsyncIterator[Harness]:
    settings = Settings(_env_file=None, database_url=database_url)
    async with open_database(settings) as db, open_session(limits) as http:
        sessions = sessionmaker(db)
        feeds, articles, clock = FeedStore(sessions), ArticleStore(sessions), Clock()
        fetcher = Fetcher(http, limits)
        engine = FeedEngine(feeds, fetcher, pool, database_url, clock=clock)
        yield Harness(engine, feeds, articles, sessions, clock, fetcher)


LOCAL = FetchLimits(allow_private=True, total_timeout=3.0, connect_timeout=2.0)


@pytest.fixture
async def harness(database_url: str, pool: WorkerPool) -> AsyncIterator[Harness]:
    async for value in make_harness(database_url, pool, LOCAL):
        yield value
