"""`/veille status`: what the bot reads, how healthy it is, and when it posts next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import __version__
from bot.digest.service import DigestService
from bot.feeds.health import FeedHealth, HealthSummary
from bot.posting.service import PostingService
from bot.store.feeds import FeedStore


@dataclass(frozen=True)
class StatusReport:
    version: str
    feeds: list[FeedHealth]
    next_casestudy_at: datetime | None
    next_digest_at: datetime | None

    @property
    def summary(self) -> HealthSummary:
        return HealthSummary.of(self.feeds)


class StatusService:
    def __init__(self, feeds: FeedStore, posting: PostingService, digests: DigestService) -> None:
        self._feeds = feeds
        self._posting = posting
        self._digests = digests

    async def report(self, guild_id: int) -> StatusReport:
        config = await self._posting.config(guild_id)
        return StatusReport(
            version=__version__,
            feeds=await self._feeds.health(),
            # Not the scheduler's next run: it is blind to a skipped slot and to a paused group.
            next_casestudy_at=self._posting.next_post(config),
            next_digest_at=self._digests.next_digest(config),
        )
