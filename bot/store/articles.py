"""Article rows: store a feed's parsed entries once, update edited ones, group the same story."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_transaction
from bot.db.models import Article, ArticleBand, CaseStudy, Feed
from bot.db.types import utcnow
from bot.feeds import stories
from bot.feeds.parse import ParsedEntry
from bot.feeds.text import tokens

ARTICLES = cast(Table, Article.__table__)
BANDS = cast(Table, ArticleBand.__table__)
STORY_WINDOW = timedelta(days=7)  # the same story is told by several feeds within a few days
# Rows per statement: small enough that SQLAlchemy's work on one batch never holds the event loop
# for long, and IN (...) lists stay far under every backend's parameter limit.
CHUNK = 100
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
        """Store what is new and update what the publisher edited.

        Everything is read first, outside any transaction that writes; the writes then take one short
        transaction, so that several processes storing feeds hold SQLite's single write lock briefly.
        """
        new: list[ParsedEntry] = []
        edits: dict[int, dict[str, Any]] = {}
        unchanged = 0
        async with self._sessions() as session:
            for chunk in _chunks(entries, CHUNK):
                known = await _known(session, feed_id, chunk)
                for entry in chunk:
                    row = known.match(entry)
                    if row is None:
                        new.append(entry)
                        known.add(entry)  # a later copy in this batch is not new either
                    elif isinstance(row, Article) and (changes := _changes(row, entry)):
                        edits[row.id] = changes
                    else:
                        unchanged += 1
            stories: dict[int, int] = {}
            for start in range(0, len(new), CHUNK):
                found = await _existing_stories(session, feed_id, new[start : start + CHUNK], seen_at)
                stories.update({start + index: story for index, story in found.items()})
        async with write_transaction(self._sessions) as session:
            for article_id, changes in edits.items():
                await session.execute(update(ARTICLES).where(ARTICLES.c.id == article_id).values(**changes))
            if new:
                await _insert(session, feed_id, new, stories, seen_at)
                await session.execute(
                    update(Feed).where(Feed.id == feed_id).values(items_seen=Feed.items_seen + len(new))
                )
        return IngestResult(len(new), len(edits), unchanged, len(stories))

    async def prune(self, older_than: datetime) -> int:
        """Delete articles first seen and published before `older_than`, keeping those a case study
        uses. Returns how many went."""
        used = exists().where(CaseStudy.article_id == Article.id)
        async with write_transaction(self._sessions) as session:
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
    rows = await session.scalars(
        _KNOWN,
        {
            "feed_id": feed_id,
            "guids": [e.guid for e in entries if e.guid],
            "urls": [e.url for e in entries if e.url],
            "fingerprints": [e.fingerprint for e in entries],
        },
    )
    return _Known(rows.all())


# Expanding parameters: the statement is compiled once, and the lists skip per-value coercion.
_KNOWN = select(Article).where(
    Article.feed_id == bindparam("feed_id"),
    or_(
        Article.guid.in_(bindparam("guids", expanding=True)),
        Article.url.in_(bindparam("urls", expanding=True)),
        Article.fingerprint.in_(bindparam("fingerprints", expanding=True)),
    ),
)


def _changes(row: Article, entry: ParsedEntry) -> dict[str, Any]:
    """What the publisher changed in a stored article: the columns to update, or nothing."""
    changes = {
        name: getattr(entry, name) for name in _UPDATABLE if getattr(row, name) != getattr(entry, name)
    }
    if entry.published_at is not None and row.published_at != entry.published_at:
        changes["published_at"] = entry.published_at
    if entry.guid and not row.guid:
        changes["guid"] = entry.guid
    if changes:
        changes["updated_at"] = utcnow()
    return changes


async def _insert(
    session: AsyncSession,
    feed_id: int,
    entries: list[ParsedEntry],
    stories: dict[int, int],
    seen_at: datetime,
) -> None:
    """Insert new articles in bulk with Core statements (the ORM's per-object work costs several
    times more), each joined to the story another feed already told, if any (`stories`, by index)."""
    connection = await session.connection()
    for start in range(0, len(entries), CHUNK):
        chunk = entries[start : start + CHUNK]
        values = [
            {
                "feed_id": feed_id,
                "guid": entry.guid,
                "url": entry.url,
                "title": entry.title,
                "author": entry.author,
                "summary": entry.summary,
                "language": entry.language,
                "published_at": entry.published_at or seen_at,
                "first_seen_at": seen_at,
                "fingerprint": entry.fingerprint,
                "story_id": stories.get(start + index),
                "theme_scores": entry.theme_scores,
                "off_topic": entry.off_topic,
            }
            for index, entry in enumerate(chunk)
        ]
        # New entries of one feed have distinct fingerprints (`_Known` saw to it), so the returned
        # fingerprints tell which id is whose without asking the database to keep the row order
        # (which SQLite can only do one row per statement).
        inserted = await connection.execute(
            insert(ARTICLES).returning(ARTICLES.c.id, ARTICLES.c.fingerprint), values
        )
        ids = {fingerprint: article_id for article_id, fingerprint in inserted}
        # Off-topic articles are never selected, so they need not be grouped into stories.
        bands = [
            {"band": band, "article_id": ids[entry.fingerprint]}
            for entry in chunk
            if not entry.off_topic
            for band in dict.fromkeys(entry.bands)
        ]
        if bands:
            await connection.execute(insert(BANDS), bands)


async def _existing_stories(
    session: AsyncSession, feed_id: int, batch: Sequence[ParsedEntry], seen_at: datetime
) -> dict[int, int]:
    """For each new entry (by its index in `batch`), the story of another feed's recent article that
    tells the same story: the same fingerprint, or shared LSH bands and similar enough words."""
    found: dict[int, int] = {}
    by_fingerprint: dict[str, list[int]] = {}
    for index, entry in enumerate(batch):
        by_fingerprint.setdefault(entry.fingerprint, []).append(index)
    exact = await session.execute(_SAME_TEXT, {"fingerprints": list(by_fingerprint), "feed_id": feed_id})
    for fingerprint, story in exact:
        for index in by_fingerprint[fingerprint]:
            found.setdefault(index, story)

    by_band: dict[int, list[int]] = {}
    for index, entry in enumerate(batch):
        if index not in found and not entry.off_topic:
            for band in entry.bands:
                by_band.setdefault(band, []).append(index)
    if not by_band:
        return found
    candidates = await session.execute(
        _SAME_BANDS, {"bands": list(by_band), "feed_id": feed_id, "since": seen_at - STORY_WINDOW}
    )
    words: dict[int, frozenset[str]] = {}
    best: dict[int, tuple[float, int]] = {}
    for band, story, title, summary in candidates:
        other_words = stories.content_words(tokens(title), tokens(summary))
        for index in by_band[band]:
            if index not in words:
                entry = batch[index]
                words[index] = stories.content_words(tokens(entry.title), tokens(entry.summary))
            score = stories.similarity(words[index], other_words)
            if score >= stories.SIMILAR and score > best.get(index, (0.0, 0))[0]:
                best[index] = (score, story)
    found.update({index: story for index, (_, story) in best.items()})
    return found


# One row per fingerprint, however many feeds syndicated the same text.
_SAME_TEXT = (
    select(Article.fingerprint, func.min(func.coalesce(Article.story_id, Article.id)))
    .where(
        Article.fingerprint.in_(bindparam("fingerprints", expanding=True)),
        Article.feed_id != bindparam("feed_id"),
    )
    .group_by(Article.fingerprint)
)
_SAME_BANDS = (
    select(ArticleBand.band, func.coalesce(Article.story_id, Article.id), Article.title, Article.summary)
    .join(Article, Article.id == ArticleBand.article_id)
    .where(
        ArticleBand.band.in_(bindparam("bands", expanding=True)),
        Article.feed_id != bindparam("feed_id"),
        Article.published_at >= bindparam("since"),
    )
)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
