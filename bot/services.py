"""Build the core once per process: database, HTTP session, scheduler and the services over them.

Each platform adapter (Discord in `cogs/`, Slack later) opens the core with `open_core` and hands its
services to its own client. Nothing here knows which platform runs it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import __version__
from bot.config.feeds_file import FeedsFile, load_feeds_file
from bot.config.settings import Settings
from bot.db import migrate
from bot.db.engine import check_connection, create_engine, sessionmaker
from bot.scheduler import Scheduler
from bot.status import StatusService
from bot.store.feeds import FeedStore

log = logging.getLogger(__name__)

USER_AGENT = f"veille-bot/{__version__} (+https://github.com/veille-bot/veille-bot)"


@dataclass
class Core:
    settings: Settings
    feeds_file: FeedsFile
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    http: aiohttp.ClientSession
    scheduler: Scheduler
    feeds: FeedStore
    status: StatusService


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on an up-to-date schema, disposed of on exit."""
    engine = create_engine(settings.database)
    try:
        await check_connection(engine)
        await migrate.upgrade(engine)
        yield engine
    finally:
        await engine.dispose()


@asynccontextmanager
async def open_core(settings: Settings) -> AsyncIterator[Core]:
    """Everything the bot needs, closed in reverse order on exit (scheduler, HTTP, database)."""
    feeds_file = load_feeds_file(settings.feeds_file)
    async with open_database(settings) as engine:
        sessions = sessionmaker(engine)
        feeds = FeedStore(sessions)
        synced = await feeds.sync_from_config(feeds_file)
        log.info(
            "feeds.toml: %d feeds, %d themes (%d added, %d updated, %d disabled)",
            len(feeds_file.feeds),
            len(feeds_file.themes),
            synced.added,
            synced.updated,
            synced.disabled,
        )
        scheduler = Scheduler()
        async with aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}) as http:
            try:
                yield Core(
                    settings=settings,
                    feeds_file=feeds_file,
                    engine=engine,
                    sessions=sessions,
                    http=http,
                    scheduler=scheduler,
                    feeds=feeds,
                    status=StatusService(feeds, scheduler),
                )
            finally:
                scheduler.shutdown()
