"""Make a group's next case study: rank the candidates, then try the best until one builds.

An article that cannot make a case study (a page in Spanish, no text at all…) is passed over with
its reason, and the next candidate is tried; nothing half-made comes out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from bot.casestudy.bank import QuestionBank
from bot.casestudy.build import BuildContext
from bot.casestudy.keyterms import TermStats
from bot.casestudy.model import ArticleInput, CaseStudy, Rejection
from bot.casestudy.select import Preferences, Ranked, rank
from bot.casestudy.worker import FetchedPage, make_case_study
from bot.feeds.fetch import PAGE_ACCEPT, Fetcher
from bot.feeds.themes import ThemeKeywords
from bot.store.casestudies import CaseStudyStore

log = logging.getLogger(__name__)
Run = Callable[..., Awaitable[Any]]  # runs a function off the event loop (see WorkerPool.run)
TRIES = 5  # candidates tried before giving up on a slot
BUILD_TIMEOUT_SECONDS = 60  # p95 is ~30 ms; this only ends a page that sends a parser astray
STATS_MAX_AGE_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Attempt:
    article: ArticleInput
    result: CaseStudy | Rejection


@dataclass(frozen=True)
class Proposal:
    """The case study made (or None), the ranking it came from and what was tried."""

    case_study: CaseStudy | None
    ranked: list[Ranked] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [a.result.reason for a in self.attempts if isinstance(a.result, Rejection)]


class CaseStudyMaker:
    def __init__(
        self,
        store: CaseStudyStore,
        fetcher: Fetcher,
        run: Run,
        themes: tuple[ThemeKeywords, ...],
        labels: Mapping[str, Mapping[str, str]],
        bank: QuestionBank,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._fetcher = fetcher
        self._run = run
        self._themes = themes
        self._labels = labels
        self._bank = bank
        self._clock = clock
        self._stats: tuple[float, TermStats] | None = None

    def set_clock(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock

    async def has_candidates(self) -> bool:
        return await self._store.has_candidates(self._clock())

    async def next(
        self,
        preferences: Preferences,
        guild_id: int | None = None,
        tries: int = TRIES,
        exclude: Collection[int] = (),
    ) -> Proposal:
        """The best candidate that makes a case study for the group (`guild_id`: its history),
        other than the articles in `exclude` (a moderator asked for another one)."""
        now = self._clock()
        history = await self._store.history(guild_id) if guild_id is not None else []
        if guild_id is not None:
            interest, picks = await self._store.steering(guild_id, now)
            preferences = replace(preferences, interest=interest, picks=picks)
        fresh = await self._store.candidates(now, preferences.picks)
        candidates = [c for c in fresh if c.article_id not in exclude]
        ranked = rank(candidates, history, preferences, now)
        context = await self._context(preferences)
        if guild_id is not None:
            context = replace(context, used_templates=await self._store.templates_used(guild_id))
        attempts: list[Attempt] = []
        for entry in ranked[:tries]:
            article = await self._store.article(entry.candidate.article_id)
            if article is None:  # pruned meanwhile
                continue
            # The theme the ranking chose for the group (rotation counted), unless the page says
            # it is about another one.
            result = await self.build(article, replace(context, preferred_theme=entry.theme))
            attempts.append(Attempt(article, result))
            if isinstance(result, CaseStudy):
                return Proposal(result, ranked, attempts)
        return Proposal(None, ranked, attempts)

    async def from_url(self, url: str, preferences: Preferences) -> Proposal:
        """A case study of any page (a moderator's pick); there is no feed summary to fall back on."""
        article = ArticleInput(
            title="", url=url, summary="", language=None, published_at=None, source_name=_host(url)
        )
        if not _is_web_address(url):
            result: CaseStudy | Rejection = Rejection(f"{url!r} is not a web address (http:// or https://)")
            return Proposal(None, attempts=[Attempt(article, result)])
        result = await self.build(article, await self._context(preferences))
        return Proposal(
            result if isinstance(result, CaseStudy) else None, attempts=[Attempt(article, result)]
        )

    async def build(self, article: ArticleInput, context: BuildContext) -> CaseStudy | Rejection:
        page = await self._fetch(article.url) if article.url else FetchedPage(error="the article has no link")
        try:
            async with asyncio.timeout(BUILD_TIMEOUT_SECONDS):
                result: CaseStudy | Rejection = await self._run(make_case_study, article, page, context)
        except TimeoutError:
            log.error("building a case study of %s took over %d s", article.url, BUILD_TIMEOUT_SECONDS)
            return Rejection(f"building the case study took over {BUILD_TIMEOUT_SECONDS} s")
        except BrokenProcessPool:  # the worker died (out of memory…); the pool starts new ones
            return Rejection("the worker building the case study stopped; the error is logged")
        return result

    async def _fetch(self, url: str) -> FetchedPage:
        fetched = await self._fetcher.fetch(url, accept=PAGE_ACCEPT)
        if not fetched.ok:
            return FetchedPage(final_url=fetched.final_url, error=fetched.error)
        return FetchedPage(fetched.body, fetched.content_type, fetched.final_url)

    async def _context(self, preferences: Preferences) -> BuildContext:
        return BuildContext(
            themes=self._themes,
            theme_labels=self._labels,
            bank=self._bank,
            stats=await self._term_stats(),
            locale=preferences.locale,
            allowed_themes=preferences.themes,
            forced_theme=preferences.theme,
            required_language=preferences.language,
        )

    async def _term_stats(self) -> TermStats:
        """Word counts of the stored articles, recomputed a few times a day (they change slowly)."""
        if self._stats is None or time.monotonic() - self._stats[0] > STATS_MAX_AGE_SECONDS:
            stats: TermStats = await self._run(TermStats.from_texts, await self._store.term_texts())
            self._stats = (time.monotonic(), stats)
        return self._stats[1]


def _is_web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    return (host or url).removeprefix("www.")
