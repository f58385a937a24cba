"""Suggestions, their votes, and what approving one adds: a feed to fetch or an article to discuss."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_transaction
from bot.db.models import Article, CaseStudy, Feed, SuggestionVote
from bot.db.models import Suggestion as SuggestionRow
from bot.feeds.text import fold
from bot.feeds.themes import ON_TOPIC_THRESHOLD
from bot.privacy.registry import PersonalData, Row, changed, plain
from bot.store.posting import pseudo_feed
from bot.suggestions.model import Inspection, Kind, Status, Suggestion

SUGGESTED_ARTICLES_URL = "veille:suggested-articles"  # the pseudo-feed of approved pages; never fetched
INTEREST_DAYS = 30  # topic votes older than this no longer steer the selection


@dataclass(frozen=True)
class Known:
    """A link the bot already has: a feed it follows, or an article (discussed in the group or not)."""

    title: str
    feed: bool = False
    discussed: bool = False
    article_id: int | None = None


class SuggestionStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # ── reading ─────────────────────────────────────────────────────────────────────────────────

    async def get(self, suggestion_id: int) -> Suggestion | None:
        async with self._sessions() as session:
            return await _suggestion(session, suggestion_id)

    async def made_since(self, guild_id: int, user_id: int, since: datetime) -> int:
        query = select(func.count()).where(
            SuggestionRow.guild_id == guild_id,
            SuggestionRow.user_id == user_id,
            SuggestionRow.created_at >= since,
        )
        async with self._sessions() as session:
            return int((await session.execute(query)).scalar_one())

    async def by_url(self, guild_id: int, url: str) -> Suggestion | None:
        query = select(SuggestionRow.id).where(SuggestionRow.guild_id == guild_id, SuggestionRow.url == url)
        async with self._sessions() as session:
            found = (await session.scalars(query.order_by(SuggestionRow.id).limit(1))).first()
            return await _suggestion(session, found) if found is not None else None

    async def by_topic(self, guild_id: int, text: str) -> Suggestion | None:
        """A topic suggestion of the group with the same words (case, accents and spaces aside)."""
        wanted = _topic_key(text)
        query = select(SuggestionRow.id, SuggestionRow.title).where(
            SuggestionRow.guild_id == guild_id, SuggestionRow.kind == Kind.TOPIC.value
        )
        async with self._sessions() as session:
            for suggestion_id, title in (await session.execute(query.order_by(SuggestionRow.id))).all():
                if _topic_key(title) == wanted:
                    return await _suggestion(session, suggestion_id)
        return None

    async def known(self, guild_id: int, url: str) -> Known | None:
        """The feed the bot follows at `url`, or the article it has read there."""
        async with self._sessions() as session:
            feed = (
                await session.scalars(
                    select(Feed).where(or_(Feed.url == url, Feed.fetch_url == url), Feed.enabled).limit(1)
                )
            ).first()
            if feed is not None:
                return Known(feed.name, feed=True)
            article = (await session.scalars(select(Article).where(Article.url == url).limit(1))).first()
            if article is None:
                return None
            discussed = await session.scalar(
                select(func.count()).where(CaseStudy.guild_id == guild_id, CaseStudy.article_id == article.id)
            )
            return Known(article.title, discussed=bool(discussed), article_id=article.id)

    async def pending(self, guild_id: int, limit: int = 25) -> list[Suggestion]:
        """The group's suggestions awaiting a moderator, most voted first."""
        async with self._sessions() as session:
            found = await _suggestions(
                session, SuggestionRow.guild_id == guild_id, SuggestionRow.status == Status.PENDING.value
            )
        return _most_voted(found)[:limit]

    async def between(self, guild_id: int, start: datetime, end: datetime) -> list[Suggestion]:
        """What students suggested in [start, end) and is still open or was approved (the digest)."""
        async with self._sessions() as session:
            found = await _suggestions(
                session,
                SuggestionRow.guild_id == guild_id,
                SuggestionRow.created_at >= start,
                SuggestionRow.created_at < end,
                SuggestionRow.status.in_([Status.PENDING.value, Status.APPROVED.value]),
            )
        return _most_voted(found)

    async def interest(self, guild_id: int, now: datetime) -> dict[str, int]:
        """Theme → students' votes on its open or approved topics of the last `INTEREST_DAYS`."""
        query = (
            select(SuggestionRow.theme, func.count())
            .join(SuggestionVote, SuggestionVote.suggestion_id == SuggestionRow.id)
            .where(
                SuggestionRow.guild_id == guild_id,
                SuggestionRow.kind == Kind.TOPIC.value,
                SuggestionRow.theme.is_not(None),
                SuggestionRow.status.in_([Status.PENDING.value, Status.APPROVED.value]),
                SuggestionVote.created_at >= now - timedelta(days=INTEREST_DAYS),
            )
            .group_by(SuggestionRow.theme)
        )
        async with self._sessions() as session:
            return {str(theme): int(votes) for theme, votes in (await session.execute(query)).all()}

    async def picks(self, guild_id: int) -> dict[int, int]:
        """Article → votes, for the group's approved article suggestions (candidates of its next
        case studies)."""
        query = (
            select(SuggestionRow.article_id, func.count(SuggestionVote.user_id))
            .outerjoin(SuggestionVote, SuggestionVote.suggestion_id == SuggestionRow.id)
            .where(
                SuggestionRow.guild_id == guild_id,
                SuggestionRow.kind == Kind.ARTICLE.value,
                SuggestionRow.status == Status.APPROVED.value,
                SuggestionRow.article_id.is_not(None),
            )
            .group_by(SuggestionRow.article_id)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return {int(article): int(votes) for article, votes in rows if article is not None}

    # ── writing ─────────────────────────────────────────────────────────────────────────────────

    async def add(
        self,
        guild_id: int,
        user_id: int,
        kind: Kind,
        title: str,
        *,
        url: str | None = None,
        theme: str | None = None,
        inspection: Inspection | None = None,
        article_id: int | None = None,
    ) -> Suggestion:
        """A new suggestion, with its author's vote as the first."""
        async with write_transaction(self._sessions) as session:
            row = SuggestionRow(
                guild_id=guild_id,
                user_id=user_id,
                kind=kind.value,
                url=url,
                title=title[:300],
                language=inspection.language if inspection else None,
                theme=theme,
                theme_scores=dict(inspection.theme_scores) if inspection else {},
                status=Status.PENDING.value,
                article_id=article_id,
            )
            session.add(row)
            await session.flush()
            session.add(SuggestionVote(suggestion_id=row.id, user_id=user_id))
            await session.flush()
            found = await _suggestion(session, row.id)
        assert found is not None
        return found

    async def vote(self, suggestion_id: int, user_id: int) -> bool:
        """Count the student's vote once: whether it is new."""
        try:
            async with write_transaction(self._sessions) as session:
                session.add(SuggestionVote(suggestion_id=suggestion_id, user_id=user_id))
        except IntegrityError:
            return False
        return True

    async def place(self, suggestion_id: int, channel_id: int, message_id: int) -> None:
        """Where the suggestion's card was posted (a second card never replaces the first)."""
        async with write_transaction(self._sessions) as session:
            await session.execute(
                update(SuggestionRow)
                .where(SuggestionRow.id == suggestion_id, SuggestionRow.message_id.is_(None))
                .values(channel_id=channel_id, message_id=message_id)
            )

    async def decide(
        self,
        suggestion_id: int,
        status: Status,
        moderator_id: int,
        now: datetime,
        *,
        merged_into: int | None = None,
        feed: Mapping[str, object] | None = None,
        theme: str | None = None,
    ) -> bool:
        """Record a moderator's decision on a pending suggestion (False: it was no longer pending).

        Approving a feed adds it (fetched at the next cycle); approving an article stores it as a
        candidate; merging moves the votes onto the suggestion it duplicates. All in one transaction.
        """
        async with write_transaction(self._sessions) as session:
            row = await session.get(SuggestionRow, suggestion_id, with_for_update=True)
            if row is None or row.status != Status.PENDING.value:
                return False
            row.status, row.decided_by, row.decided_at = status.value, moderator_id, now
            row.theme = theme or row.theme
            if status is Status.MERGED:
                assert merged_into is not None
                row.merged_into_id = merged_into
                await _move_votes(session, suggestion_id, merged_into)
            if status is Status.APPROVED and row.kind == Kind.FEED.value:
                assert feed is not None and row.url is not None
                row.feed_id = await _follow(session, row.url, feed)
            if status is Status.APPROVED and row.kind == Kind.ARTICLE.value and row.article_id is None:
                row.article_id = await _store_article(session, row, now)
            return True

    async def remove(self, suggestion_id: int) -> None:
        async with write_transaction(self._sessions) as session:
            await session.execute(delete(SuggestionRow).where(SuggestionRow.id == suggestion_id))


# ── helpers ─────────────────────────────────────────────────────────────────────────────────────


def _topic_key(text: str) -> str:
    return " ".join(fold(text).replace("?", " ").replace(".", " ").split())


async def _suggestion(session: AsyncSession, suggestion_id: int) -> Suggestion | None:
    found = await _suggestions(session, SuggestionRow.id == suggestion_id)
    return found[0] if found else None


async def _suggestions(session: AsyncSession, *where: ColumnElement[bool]) -> list[Suggestion]:
    """The suggestions matching `where`, with their votes, in one query."""
    votes = (
        select(func.count())
        .where(SuggestionVote.suggestion_id == SuggestionRow.id)
        .correlate(SuggestionRow)
        .scalar_subquery()
    )
    query = select(SuggestionRow, votes).where(*where).order_by(SuggestionRow.id)
    rows = (await session.execute(query.execution_options(populate_existing=True))).all()
    return [
        Suggestion(
            id=row.id,
            guild_id=row.guild_id,
            kind=Kind(row.kind),
            title=row.title,
            url=row.url,
            theme=row.theme,
            status=Status(row.status),
            votes=int(count or 0),
            created_at=row.created_at,
            language=row.language,
            merged_into_id=row.merged_into_id,
            channel_id=row.channel_id,
            message_id=row.message_id,
        )
        for row, count in rows
    ]


def _most_voted(suggestions: list[Suggestion]) -> list[Suggestion]:
    return sorted(suggestions, key=lambda s: (-s.votes, s.created_at))


async def _move_votes(session: AsyncSession, source: int, target: int) -> None:
    voters = set(
        (
            await session.scalars(
                select(SuggestionVote.user_id).where(SuggestionVote.suggestion_id == source)
            )
        ).all()
    )
    already = set(
        (
            await session.scalars(
                select(SuggestionVote.user_id).where(SuggestionVote.suggestion_id == target)
            )
        ).all()
    )
    for user_id in sorted(voters - already):
        session.add(SuggestionVote(suggestion_id=target, user_id=user_id))
    await session.execute(delete(SuggestionVote).where(SuggestionVote.suggestion_id == source))


async def _follow(session: AsyncSession, url: str, feed: Mapping[str, object]) -> int:
    """The feed row of an approved suggestion: new, or a disabled one enabled again; checked at once."""
    row = (await session.scalars(select(Feed).where(Feed.url == url))).first()
    if row is None:
        row = Feed(url=url, origin="suggested", **feed)
        session.add(row)
    elif not row.enabled:
        row.enabled, row.disabled_reason = True, None
    row.next_check_at = None  # due at the next cycle
    await session.flush()
    return row.id


async def _store_article(session: AsyncSession, row: SuggestionRow, now: datetime) -> int:
    assert row.url is not None
    known = (await session.scalars(select(Article.id).where(Article.url == row.url).limit(1))).first()
    if known is not None:
        return known
    feed_id = await pseudo_feed(session, SUGGESTED_ARTICLES_URL, "students' suggestions")
    article = Article(
        feed_id=feed_id,
        guid=row.url,
        url=row.url,
        title=row.title[:500],
        summary="",
        language=row.language,
        published_at=now,  # fresh from its approval: a candidate for the next two weeks
        first_seen_at=now,
        fingerprint=hashlib.sha256(row.url.encode()).hexdigest(),
        theme_scores=_approved_scores(row.theme_scores, row.theme),
    )
    session.add(article)
    await session.flush()
    return article.id


def _approved_scores(scores: Mapping[str, float], theme: str | None) -> dict[str, float]:
    """A moderator approved the page: it counts as on topic for its theme, whatever its words."""
    approved = {name: float(score) for name, score in scores.items()}
    if theme is not None:
        approved[theme] = max(approved.get(theme, 0.0), ON_TOPIC_THRESHOLD)
    return approved


# ── personal data (see bot.privacy.registry) ────────────────────────────────────────────────────
# A student's suggestions are deleted with them (a feed or article already approved stays: it
# names nobody); a moderator's decisions stay, decided by nobody.


async def _export_suggestions(session: AsyncSession, user_id: int) -> list[Row]:
    query = select(SuggestionRow).where(SuggestionRow.user_id == user_id).order_by(SuggestionRow.created_at)
    return [
        {
            "server_id": str(row.guild_id),
            "kind": row.kind,
            "title": row.title,
            "url": row.url,
            "status": row.status,
            "suggested_at": plain(row.created_at),
        }
        for row in (await session.scalars(query)).all()
    ]


async def cards_of(session: AsyncSession, user_id: int) -> list[tuple[int, int]]:
    """(channel, message) of the cards of the student's suggestions (taken down when forgotten)."""
    query = select(SuggestionRow.channel_id, SuggestionRow.message_id).where(
        SuggestionRow.user_id == user_id, SuggestionRow.message_id.is_not(None)
    )
    rows = (await session.execute(query)).all()
    return [(int(c), int(m)) for c, m in rows if c is not None and m is not None]


async def _forget_suggestions(session: AsyncSession, user_id: int) -> int:
    mine = select(SuggestionRow.id).where(SuggestionRow.user_id == user_id)
    await session.execute(delete(SuggestionVote).where(SuggestionVote.suggestion_id.in_(mine)))
    await session.execute(
        update(SuggestionRow).where(SuggestionRow.merged_into_id.in_(mine)).values(merged_into_id=None)
    )
    return changed(await session.execute(delete(SuggestionRow).where(SuggestionRow.user_id == user_id)))


async def _expire_suggestions(session: AsyncSession, cutoff: datetime) -> int:
    old = SuggestionRow.created_at < cutoff
    stale = select(SuggestionRow.id).where(old)
    await session.execute(delete(SuggestionVote).where(SuggestionVote.suggestion_id.in_(stale)))
    await session.execute(
        update(SuggestionRow).where(SuggestionRow.merged_into_id.in_(stale)).values(merged_into_id=None)
    )
    return changed(await session.execute(delete(SuggestionRow).where(old)))


async def _export_suggestion_votes(session: AsyncSession, user_id: int) -> list[Row]:
    query = (
        select(SuggestionVote.suggestion_id, SuggestionRow.title, SuggestionVote.created_at)
        .join(SuggestionRow, SuggestionRow.id == SuggestionVote.suggestion_id)
        .where(SuggestionVote.user_id == user_id)
        .order_by(SuggestionVote.created_at)
    )
    return [
        {"suggestion_id": suggestion_id, "suggestion": title, "voted_at": plain(voted_at)}
        for suggestion_id, title, voted_at in (await session.execute(query)).all()
    ]


async def _forget_suggestion_votes(session: AsyncSession, user_id: int) -> int:
    return changed(await session.execute(delete(SuggestionVote).where(SuggestionVote.user_id == user_id)))


async def _expire_suggestion_votes(session: AsyncSession, cutoff: datetime) -> int:
    return changed(await session.execute(delete(SuggestionVote).where(SuggestionVote.created_at < cutoff)))


async def _export_decisions(session: AsyncSession, user_id: int) -> list[Row]:
    query = (
        select(SuggestionRow).where(SuggestionRow.decided_by == user_id).order_by(SuggestionRow.decided_at)
    )
    return [
        {
            "server_id": str(row.guild_id),
            "suggestion": row.title,
            "decision": row.status,
            "at": plain(row.decided_at),
        }
        for row in (await session.scalars(query)).all()
    ]


async def _forget_decisions(session: AsyncSession, user_id: int) -> int:
    return changed(
        await session.execute(
            update(SuggestionRow).where(SuggestionRow.decided_by == user_id).values(decided_by=None)
        )
    )


SUGGESTIONS = PersonalData(
    "suggestions", ("suggestions.user_id",), _export_suggestions, _forget_suggestions, _expire_suggestions
)
SUGGESTION_VOTES = PersonalData(
    "suggestion_votes",
    ("suggestion_votes.user_id",),
    _export_suggestion_votes,
    _forget_suggestion_votes,
    _expire_suggestion_votes,
)
# Expired with the suggestions themselves.
DECISIONS = PersonalData("decisions", ("suggestions.decided_by",), _export_decisions, _forget_decisions)
