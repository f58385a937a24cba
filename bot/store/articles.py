"""Article rows: store a feed's parsed entries once, update edited ones, group the same story."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Article, ArticleBand, CaseStudy, Feed
from bot.feeds import stories
from bot.feeds.parse import ParsedEntry
from bot.feeds.text import tokens

STORY_WINDOW = timedelta(days=7)  # the same story is told by several feeds within a few days
CHUNK = 500  # keeps IN (...) lists well under every backend's parameter limit
_UPDATABLE = ("title", "summary", "author", "url", "language", "fingerprint", "theme_scores", "off_topic")


@dataclass(frozen=True)
class IngestResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    grouped: int = 0  # new articles that joined a story another feed already told


class ArticleStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def ingest(self, feed_id: int, entries: Sequence[ParsedEntry], seen_at: datetime) -> IngestResult:
        """Store what is new, update what the publisher edited, in one transaction."""
        new: list[ParsedEntry] = []
        updated = unchanged = 0
        async with self._sessions.begin() as session:
            for chunk in _chunks(entries, CHUNK):
                known = await _known(session, feed_id, chunk)
                for entry in chunk:
                    row = known.match(entry)
                    if row is None:
                        new.append(entry)
                        known.add(entry)  # a later copy in this batch is not new either
                    elif isinstance(row, Article) and _apply_edit(row, entry):
                        updated += 1
                    else:
                        unchanged += 1
            grouped = await _insert(session, feed_id, new, seen_at) if new else 0
            if new:
                await session.execute(
                    update(Feed).where(Feed.id == feed_id).values(items_seen=Feed.items_seen + len(new))
                )
        return IngestResult(len(new), updated, unchanged, grouped)

    async def newest_published(self, feed_id: int) -> datetime | None:
        async with self._sessions() as session:
            result: datetime | None = await session.scalar(
                select(func.max(Article.published_at)).where(Article.feed_id == feed_id)
            )
            return result

    async def prune(self, older_than: datetime) -> int:
        """Delete articles first seen and published before `older_than`, keeping those a case study
        uses. Returns how many went."""
        used = exists().where(CaseStudy.article_id == Article.id)
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(Article).where(
                    Article.first_seen_at < older_than, Article.published_at < older_than, ~used
                )
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class _Known:
    """The feed's stored rows that a batch of entries may match, by guid, link or fingerprint."""

    def __init__(self, rows: Iterable[Article]) -> None:
        self.by_guid: dict[str, Article | object] = {}
        self.by_url: dict[str, Article | object] = {}
        self.by_fingerprint: dict[str, Article | object] = {}
        for row in rows:
            self._index(row, row.guid, row.url, row.fingerprint)

    def _index(self, row: Article | object, guid: str | None, url: str | None, fingerprint: str) -> None:
        if guid:
            self.by_guid.setdefault(guid, row)
        if url:
            self.by_url.setdefault(url, row)
        self.by_fingerprint.setdefault(fingerprint, row)

    def match(self, entry: ParsedEntry) -> Article | object | None:
        """The stored row, `_SEEN` for an entry already new in this batch, or None."""
        return (
            (entry.guid and self.by_guid.get(entry.guid))
            or (entry.url and self.by_url.get(entry.url))
            or self.by_fingerprint.get(entry.fingerprint)
        )

    def add(self, entry: ParsedEntry) -> None:
        self._index(_SEEN, entry.guid, entry.url, entry.fingerprint)


_SEEN = object()  # marks an entry already taken as new in this batch


async def _known(session: AsyncSession, feed_id: int, entries: Sequence[ParsedEntry]) -> _Known:
    guids = [e.guid for e in entries if e.guid]
    urls = [e.url for e in entries if e.url]
    fingerprints = [e.fingerprint for e in entries]
    rows = await session.scalars(
        select(Article).where(
            Article.feed_id == feed_id,
            or_(Article.guid.in_(guids), Article.url.in_(urls), Article.fingerprint.in_(fingerprints)),
        )
    )
    return _Known(rows.all())


def _apply_edit(row: Article, entry: ParsedEntry) -> bool:
    """Bring a stored article up to date with the publisher's edit; True when anything changed."""
    changed = False
    for name in _UPDATABLE:
        value = getattr(entry, name)
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if entry.published_at is not None and row.published_at != entry.published_at:
        row.published_at = entry.published_at
        changed = True
    if entry.guid and not row.guid:
        row.guid = entry.guid
        changed = True
    return changed


async def _insert(session: AsyncSession, feed_id: int, entries: list[ParsedEntry], seen_at: datetime) -> int:
    rows = [
        Article(
            feed_id=feed_id,
            guid=entry.guid,
            url=entry.url,
            title=entry.title,
            author=entry.author,
            summary=entry.summary,
            language=entry.language,
            published_at=entry.published_at or seen_at,
            first_seen_at=seen_at,
            fingerprint=entry.fingerprint,
            theme_scores=entry.theme_scores,
            off_topic=entry.off_topic,
        )
        for entry in entries
    ]
    session.add_all(rows)
    await session.flush()
    grouped = 0
    for chunk in _chunks(list(zip(rows, entries, strict=True)), CHUNK):
        stories_of = await _existing_stories(session, feed_id, chunk, seen_at)
        for row, _entry in chunk:
            story = stories_of.get(row.id)
            row.story_id = story or row.id
            grouped += story is not None
    session.add_all(
        ArticleBand(band=band, article_id=row.id)
        for row, entry in zip(rows, entries, strict=True)
        for band in dict.fromkeys(entry.bands)
    )
    await session.flush()
    return grouped


async def _existing_stories(
    session: AsyncSession, feed_id: int, batch: Sequence[tuple[Article, ParsedEntry]], seen_at: datetime
) -> dict[int, int]:
    """For each new article, the story of another feed's recent article that tells the same story:
    the same fingerprint, or shared LSH bands and word sets similar enough."""
    found: dict[int, int] = {}
    by_fingerprint = {entry.fingerprint: row.id for row, entry in batch}
    exact = await session.execute(
        select(Article.fingerprint, Article.story_id, Article.id).where(
            Article.fingerprint.in_(list(by_fingerprint)), Article.feed_id != feed_id
        )
    )
    for fingerprint, story, other in exact:
        found.setdefault(by_fingerprint[fingerprint], story or other)

    by_band: dict[int, list[int]] = {}
    for row, entry in batch:
        if row.id not in found:
            for band in entry.bands:
                by_band.setdefault(band, []).append(row.id)
    if not by_band:
        return found
    candidates = await session.execute(
        select(ArticleBand.band, Article.id, Article.story_id, Article.title, Article.summary)
        .join(Article, Article.id == ArticleBand.article_id)
        .where(
            ArticleBand.band.in_(list(by_band)),
            Article.feed_id != feed_id,
            Article.published_at >= seen_at - STORY_WINDOW,
        )
    )
    words = {
        row.id: stories.content_words(tokens(entry.title), tokens(entry.summary)) for row, entry in batch
    }
    best: dict[int, tuple[float, int]] = {}
    for band, other, story, title, summary in candidates:
        other_words = stories.content_words(tokens(title), tokens(summary))
        for article_id in by_band[band]:
            score = stories.similarity(words[article_id], other_words)
            if score >= stories.SIMILAR and score > best.get(article_id, (0.0, 0))[0]:
                best[article_id] = (score, story or other)
    found.update({article_id: story for article_id, (_, story) in best.items()})
    return found


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
