"""Build the core once per process: database, HTTP session, parser pool, scheduler, services.

Each platform adapter (Discord in `cogs/`, Slack later) opens the core with `open_core` and hands
its services to its own client. Nothing here knows which platform runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.casestudy.bank import load_bank
from bot.casestudy.service import CaseStudyMaker
from bot.clock import Clock
from bot.config.feeds_file import FeedsFile, load_feeds_file
from bot.config.settings import Settings
from bot.db import migrate
from bot.db.engine import check_connection, create_engine, sessionmaker
from bot.digest.service import DigestService
from bot.feeds.engine import AlertKind as FeedAlertKind
from bot.feeds.engine import CycleReport, FeedEngine
from bot.feeds.fetch import Fetcher, FetchLimits, open_session
from bot.feeds.themes import ThemeKeywords
from bot.i18n import Locale
from bot.posting.publisher import AlertKind, Publisher
from bot.posting.service import PostingService, SlotOutcome
from bot.posting.takes import TakeService, TallyRefresher, tally_loader
from bot.privacy.service import PrivacyService
from bot.scheduler import Scheduler
from bot.status import StatusService
from bot.store.articles import ArticleStore
from bot.store.casestudies import CaseStudyStore
from bot.store.digests import DigestStore
from bot.store.feeds import FeedStore
from bot.store.guilds import GuildStore
from bot.store.members import MemberStore
from bot.store.posting import PostingStore
from bot.store.suggestions import SuggestionStore
from bot.store.takes import TakeStore
from bot.suggestions.service import SuggestionService
from bot.workers import WorkerPool

log = logging.getLogger(__name__)

FEED_CYCLE_SECONDS = 60
PRUNE_SECONDS = 24 * 3600
TALLY_FLUSH_SECONDS = 5
DAYS_PER_MONTH = 365.25 / 12


@dataclass
class Core:
    settings: Settings
    feeds_file: FeedsFile
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    http: aiohttp.ClientSession
    scheduler: Scheduler
    feeds: FeedStore
    articles: ArticleStore
    feed_engine: FeedEngine
    casestudies: CaseStudyMaker
    status: StatusService
    posting: PostingService
    takes: TakeService
    digests: DigestService
    suggestions: SuggestionService
    privacy: PrivacyService
    members: MemberStore
    clock: Clock
    tallies: TallyRefresher | None = None

    def start_background_jobs(self) -> None:
        """Feed checks every minute, a daily prune of old articles and the daily retention job of
        students' data, on the scheduler (call inside the loop)."""
        self.scheduler.every("feeds:refresh", FEED_CYCLE_SECONDS, self.refresh_feeds)
        self.scheduler.every("articles:prune", PRUNE_SECONDS, self.prune_articles)
        self.scheduler.every("privacy:retention", PRUNE_SECONDS, self.privacy.expire)
        self.scheduler.start()

    async def start_posting(self, publisher: Publisher) -> None:
        """Deliver through `publisher` (the platform is connected): scheduled slots, catch-up,
        the outbox, and the threads' running counts of takes."""
        self.tallies = TallyRefresher(
            tally_loader(self.posting.store, self.takes, self._locale_of), publisher.update_tally
        )
        self.takes.on_change(self.tallies.request)
        self.posting.on_posted(self._show_early_takes)
        await self.posting.start(publisher)
        await self.digests.start()

    async def fast_forward_case_study(self, guild_id: int) -> SlotOutcome | None:
        """Move the bot's clock to the group's next case-study slot and fill it (sandbox and
        tests): what the slot got, or None when the group has no schedule."""
        upcoming = self.posting.next_post(await self.posting.config(guild_id))
        if upcoming is None:
            return None
        self.clock.advance_to(upcoming + timedelta(seconds=1))
        return await self.posting.run_slot(guild_id)

    async def fast_forward_digest(self, guild_id: int) -> str | None:
        """Move the bot's clock to the group's next digest slot and run it (sandbox and tests):
        the outbox key of the digest queued, if any."""
        upcoming = self.digests.next_digest(await self.posting.config(guild_id))
        if upcoming is None:
            return None
        self.clock.advance_to(upcoming + timedelta(seconds=1))
        return await self.digests.run_slot(guild_id)

    async def _show_early_takes(self, case_study_id: int) -> None:
        """Takes given while the post was being made: the fresh count message shows them."""
        if self.tallies is not None and (await self.takes.tally(case_study_id)).total:
            self.tallies.request(case_study_id)

    async def stop_posting(self) -> None:
        if self.tallies is not None:
            # Show the last takes' count if Discord answers quickly; never hold the shutdown up.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(TALLY_FLUSH_SECONDS):
                    await self.tallies.flush()
            await self.tallies.close()
        await self.posting.stop()

    async def _locale_of(self, guild_id: int) -> Locale:
        return (await self.posting.guilds.get(guild_id)).locale

    async def refresh_feeds(self) -> CycleReport:
        report = await self.feed_engine.refresh_due()
        if report.alerts:
            groups = await self.posting.guilds.configured()
            for alert in report.alerts:
                log.warning(
                    "feed %s %s: %s", alert.feed_name, alert.kind.value, alert.error or "back to normal"
                )
                kind = (
                    AlertKind.FEED_RECOVERED
                    if alert.kind is FeedAlertKind.RECOVERED
                    else AlertKind.FEED_FAILING
                )
                feed = hashlib.sha1(alert.feed_url.encode()).hexdigest()[:12]
                for config in groups:
                    await self.posting.alert(
                        config,
                        kind,
                        f"feed:{feed}:{kind.value}:{datetime.now(UTC):%Y%m%d}",
                        feed=alert.feed_name,
                        error=alert.error,
                    )
        return report

    async def prune_articles(self) -> int:
        cutoff = datetime.now(UTC) - timedelta(days=self.settings.article_retention_days)
        pruned = await self.articles.prune(cutoff)
        if pruned:
            log.info("pruned %d articles older than %s", pruned, cutoff.date())
        return pruned


def retention_period(months: int) -> timedelta:
    return timedelta(days=round(months * DAYS_PER_MONTH))


def theme_labels(feeds_file: FeedsFile) -> dict[str, dict[str, str]]:
    return {theme.id: {"fr": theme.label.fr, "en": theme.label.en} for theme in feeds_file.themes}


def theme_keywords(feeds_file: FeedsFile) -> tuple[ThemeKeywords, ...]:
    return tuple(
        ThemeKeywords(
            theme.id,
            tuple(theme.keywords.fr),
            tuple(theme.keywords.en),
            about_fr=theme.about("fr"),
            about_en=theme.about("en"),
        )
        for theme in feeds_file.themes
    )


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
    """Everything the bot needs, closed in reverse order on exit (scheduler, workers, HTTP, database)."""
    feeds_file = load_feeds_file(settings.feeds_file)
    bank = load_bank(settings.casestudies_file, [theme.id for theme in feeds_file.themes])
    for warning in bank.warnings:
        log.warning("%s", warning)
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
        limits = FetchLimits(allow_private=settings.feeds_allow_private_addresses)
        scheduler = Scheduler()
        clock = Clock()
        pool = WorkerPool(theme_keywords(feeds_file))
        articles = ArticleStore(sessions)
        posts = PostingStore(sessions)
        async with open_session(limits) as http:
            fetcher = Fetcher(http, limits)
            maker = CaseStudyMaker(
                CaseStudyStore(sessions),
                fetcher,
                pool.run,
                theme_keywords(feeds_file),
                theme_labels(feeds_file),
                bank,
                clock=clock,
            )
            posting = PostingService(
                GuildStore(sessions, settings.default_locale, settings.default_timezone),
                posts,
                maker,
                theme_labels(feeds_file),
                scheduler,
                # SQLite serves one bot process: what it left half-done is its own to take up.
                single_process=engine.dialect.name == "sqlite",
                clock=clock,
            )
            suggestions = SuggestionService(
                SuggestionStore(sessions),
                fetcher,
                pool.run,
                theme_keywords(feeds_file),
                theme_labels(feeds_file),
                per_day=settings.suggestions_per_day,
                allow_private=settings.feeds_allow_private_addresses,
                clock=clock,
            )
            digests = DigestService(
                posting,
                DigestStore(sessions),
                scheduler,
                pool.run,
                grace=timedelta(hours=settings.digest_grace_hours),
                clock=clock,
            )
            try:
                yield Core(
                    settings=settings,
                    feeds_file=feeds_file,
                    engine=engine,
                    sessions=sessions,
                    http=http,
                    scheduler=scheduler,
                    feeds=feeds,
                    articles=articles,
                    feed_engine=FeedEngine(
                        feeds, fetcher, pool, settings.database.render_as_string(hide_password=False)
                    ),
                    casestudies=maker,
                    status=StatusService(feeds, posting, digests),
                    posting=posting,
                    takes=TakeService(TakeStore(sessions), posts),
                    digests=digests,
                    suggestions=suggestions,
                    privacy=PrivacyService(
                        sessions, retention_period(settings.data_retention_months), clock=clock
                    ),
                    members=MemberStore(sessions),
                    clock=clock,
                )
            finally:
                scheduler.shutdown()
                await asyncio.to_thread(pool.close)  # waits for the workers: not on the event loop
