"""Case studies on their way to a group, and the outbox that delivers them exactly once.

A case study and its outbox item are written in one transaction: either both exist or neither.
An item is claimed with a compare-and-set on its status and a lease (`next_attempt_at`), so that
two processes sharing PostgreSQL never deliver the same item at once, and an item whose process
died is taken up again when its lease ends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, cast, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.casestudy.model import CaseStudy
from bot.db.engine import write_transaction
from bot.db.models import Article, Feed, OutboxItem
from bot.db.models import CaseStudy as CaseStudyRow
from bot.errors import UserProblem
from bot.privacy.registry import PersonalData, Row, changed, plain

MANUAL_FEED_URL = "veille:moderator-picks"  # the articles moderators chose by URL; never fetched
CASESTUDY = "casestudy"
ALERT = "alert"
DIGEST = "digest"

PENDING, SENDING, HELD, DONE, FAILED = "pending", "sending", "held", "done", "failed"
QUEUED, POSTED, DELETED = "queued", "posted", "deleted"


@dataclass(frozen=True)
class Claim:
    """An outbox item this process now delivers."""

    id: int
    key: str
    kind: str
    guild_id: int | None
    payload: dict[str, Any]
    result: dict[str, Any]
    attempts: int  # including this one

    @property
    def resumed(self) -> bool:
        return self.attempts > 1


@dataclass(frozen=True)
class QueuedCaseStudy:
    case_study_id: int
    outbox_key: str


@dataclass(frozen=True)
class StoredCaseStudy:
    id: int
    guild_id: int
    article_id: int
    status: str
    case: CaseStudy
    slot: str | None
    channel_id: int | None
    message_id: int | None
    thread_id: int | None
    tally_message_id: int | None


def casestudy_key(guild_id: int, article_id: int) -> str:
    return f"{guild_id}:casestudy:{article_id}"


def nonce_of(key: str) -> str:
    """A platform nonce (Discord: 25 characters at most) derived from the idempotency key."""
    return hashlib.sha256(key.encode()).hexdigest()[:25]


class PostingStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # ── case studies ────────────────────────────────────────────────────────────────────────────

    async def queue_case_study(
        self,
        guild_id: int,
        case: CaseStudy,
        *,
        slot: str | None = None,
        requested_by: int | None = None,
        now: datetime,
    ) -> QueuedCaseStudy:
        """The case study and its outbox item, together. `UserProblem` if the group already had
        this article (`casestudy.already_posted`) or the slot is already filled (`casestudy.slot_filled`)."""
        try:
            async with write_transaction(self._sessions) as session:
                article_id = case.article_id or await _manual_article(session, case, now)
                row = CaseStudyRow(
                    guild_id=guild_id,
                    article_id=article_id,
                    theme=case.theme,
                    language=case.language,
                    status=QUEUED,
                    content=case.to_dict() | {"article_id": article_id},
                    slot=slot,
                    requested_by=requested_by,
                )
                session.add(row)
                await session.flush()
                key = casestudy_key(guild_id, article_id)
                session.add(
                    OutboxItem(
                        key=key,
                        guild_id=guild_id,
                        kind=CASESTUDY,
                        payload={"case_study_id": row.id},
                        status=PENDING,
                        next_attempt_at=now,
                    )
                )
                return QueuedCaseStudy(row.id, key)
        except IntegrityError:
            if slot is not None and await self.slot_filled(guild_id, slot):
                raise UserProblem("casestudy.slot_filled") from None
            raise UserProblem("casestudy.already_posted", title=case.title) from None

    async def slot_filled(self, guild_id: int, slot: str) -> bool:
        query = select(CaseStudyRow.id).where(CaseStudyRow.guild_id == guild_id, CaseStudyRow.slot == slot)
        async with self._sessions() as session:
            return (await session.execute(query)).first() is not None

    async def case_study(self, case_study_id: int) -> StoredCaseStudy | None:
        async with self._sessions() as session:
            row = await session.get(CaseStudyRow, case_study_id)
        return _stored(row) if row else None

    async def by_thread(self, thread_id: int) -> StoredCaseStudy | None:
        query = select(CaseStudyRow).where(CaseStudyRow.thread_id == thread_id)
        async with self._sessions() as session:
            row = (await session.scalars(query)).first()
        return _stored(row) if row else None

    async def mark_posted(self, case_study_id: int, ids: Mapping[str, Any], now: datetime) -> None:
        async with write_transaction(self._sessions) as session:
            row = await session.get(CaseStudyRow, case_study_id)
            if row is None:
                return
            row.status = POSTED
            row.channel_id = ids.get("channel_id")
            row.message_id = ids.get("message_id")
            row.thread_id = ids.get("thread_id")
            row.tally_message_id = ids.get("tally_message_id")
            row.posted_at = row.posted_at or now

    async def mark_deleted(self, case_study_id: int) -> None:
        async with write_transaction(self._sessions) as session:
            row = await session.get(CaseStudyRow, case_study_id)
            if row is not None:
                row.status = DELETED
            await session.execute(
                update(OutboxItem)
                .where(OutboxItem.kind == CASESTUDY, OutboxItem.status.in_((PENDING, HELD)))
                .where(OutboxItem.payload["case_study_id"].as_integer() == case_study_id)
                .values(status=DONE, last_error="deleted by a moderator before it was posted")
            )

    # ── outbox ──────────────────────────────────────────────────────────────────────────────────

    async def enqueue(
        self, key: str, kind: str, payload: dict[str, Any], *, guild_id: int | None, now: datetime
    ) -> bool:
        """Add an item unless one with this key exists (then it is the same post): True if added."""
        try:
            async with write_transaction(self._sessions) as session:
                session.add(
                    OutboxItem(
                        key=key,
                        guild_id=guild_id,
                        kind=kind,
                        payload=payload,
                        status=PENDING,
                        next_attempt_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[Claim]:
        """Items due now: pending ones, and sending ones whose lease ran out (their process died)."""
        query = (
            select(OutboxItem.id)
            .where(OutboxItem.status.in_((PENDING, SENDING)), OutboxItem.next_attempt_at <= now)
            .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
            .limit(limit)
        )
        async with self._sessions() as session:
            ids = list((await session.scalars(query)).all())
        claims = []
        for item_id in ids:
            claim = await self._claim(item_id, now, lease)
            if claim is not None:
                claims.append(claim)
        return claims

    async def _claim(self, item_id: int, now: datetime, lease: timedelta) -> Claim | None:
        async with write_transaction(self._sessions) as session:
            claimed = await session.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.id == item_id,
                    OutboxItem.status.in_((PENDING, SENDING)),
                    OutboxItem.next_attempt_at <= now,
                )
                .values(status=SENDING, attempts=OutboxItem.attempts + 1, next_attempt_at=now + lease)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None  # another process took it
            row = await session.get(OutboxItem, item_id, populate_existing=True)
            assert row is not None
            return Claim(
                row.id, row.key, row.kind, row.guild_id, dict(row.payload), dict(row.result), row.attempts
            )

    async def release_orphans(self, now: datetime) -> int:
        """Make every item left `sending` due now (a single-process deployment just restarted)."""
        async with write_transaction(self._sessions) as session:
            released = await session.execute(
                update(OutboxItem)
                .where(OutboxItem.status == SENDING)
                .values(status=PENDING, next_attempt_at=now)
            )
            return int(released.rowcount)  # type: ignore[attr-defined]

    async def save_result(self, item_id: int, result: dict[str, Any]) -> None:
        async with write_transaction(self._sessions) as session:
            await session.execute(update(OutboxItem).where(OutboxItem.id == item_id).values(result=result))

    async def finish(self, item_id: int, result: Mapping[str, Any], now: datetime) -> None:
        async with write_transaction(self._sessions) as session:
            await session.execute(
                update(OutboxItem)
                .where(OutboxItem.id == item_id)
                .values(status=DONE, result=dict(result), done_at=now, last_error=None)
            )

    async def retry_at(self, item_id: int, when: datetime, error: str) -> None:
        async with write_transaction(self._sessions) as session:
            await session.execute(
                update(OutboxItem)
                .where(OutboxItem.id == item_id)
                .values(status=PENDING, next_attempt_at=when, last_error=error)
            )

    async def set_status(self, item_id: int, status: str, error: str) -> None:
        async with write_transaction(self._sessions) as session:
            await session.execute(
                update(OutboxItem).where(OutboxItem.id == item_id).values(status=status, last_error=error)
            )

    async def release_held(self, guild_id: int, now: datetime) -> int:
        """A paused group was fixed: what waited for it is due now."""
        async with write_transaction(self._sessions) as session:
            released = await session.execute(
                update(OutboxItem)
                .where(OutboxItem.guild_id == guild_id, OutboxItem.status == HELD)
                .values(status=PENDING, next_attempt_at=now)
            )
            return int(released.rowcount)  # type: ignore[attr-defined]

    async def item(self, key: str) -> OutboxItem | None:
        async with self._sessions() as session:
            return (await session.scalars(select(OutboxItem).where(OutboxItem.key == key))).first()


async def _manual_article(session: AsyncSession, case: CaseStudy, now: datetime) -> int:
    """The article row of a page a moderator chose by URL (an article already read from a feed is
    reused, so that the group never gets it twice)."""
    known = (await session.scalars(select(Article.id).where(Article.url == case.url).limit(1))).first()
    if known is not None:
        return known
    feed_id = await pseudo_feed(session, MANUAL_FEED_URL, "moderator picks")
    article = Article(
        feed_id=feed_id,
        guid=case.url,
        url=case.url,
        title=case.title[:500],
        summary=" ".join(case.summary),
        language=case.language,
        published_at=case.published_at or now,
        first_seen_at=now,
        fingerprint=hashlib.sha256((case.url or case.title).encode()).hexdigest(),
        theme_scores={case.theme: 1.0},
    )
    session.add(article)
    await session.flush()
    return article.id


async def pseudo_feed(session: AsyncSession, url: str, name: str) -> int:
    """The id of a feed that is never fetched (`origin = "manual"`), holding articles that came
    from people rather than from feeds; made on first use."""
    feed_id = (await session.scalars(select(Feed.id).where(Feed.url == url))).first()
    if feed_id is None:
        feed = Feed(url=url, name=name, language="fr", origin="manual", enabled=False)
        session.add(feed)
        await session.flush()
        feed_id = feed.id
    return feed_id


def _stored(row: CaseStudyRow) -> StoredCaseStudy:
    return StoredCaseStudy(
        id=row.id,
        guild_id=row.guild_id,
        article_id=row.article_id,
        status=row.status,
        case=CaseStudy.from_dict(row.content),
        slot=row.slot,
        channel_id=row.channel_id,
        message_id=row.message_id,
        thread_id=row.thread_id,
        tally_message_id=row.tally_message_id,
    )


# ── personal data (see bot.privacy.registry) ────────────────────────────────────────────────────
# A moderator's id is kept on what they asked for (a /casestudy, a /digest now) for the log of who
# did what; erasing it leaves the post in place, asked for by nobody.


async def _export_requests(session: AsyncSession, user_id: int) -> list[Row]:
    cases = await session.execute(
        select(CaseStudyRow.id, CaseStudyRow.guild_id, CaseStudyRow.content, CaseStudyRow.created_at)
        .where(CaseStudyRow.requested_by == user_id)
        .order_by(CaseStudyRow.created_at)
    )
    rows: list[Row] = [
        {
            "server_id": str(guild_id),
            "requested": "case study",
            "case_study_id": case_id,
            "title": content.get("title"),
            "at": plain(created_at),
        }
        for case_id, guild_id, content, created_at in cases.all()
    ]
    for item in await _requested_posts(session, user_id):
        rows.append({"server_id": str(item.guild_id), "requested": item.kind, "at": plain(item.created_at)})
    return rows


def _requester() -> ColumnElement[int]:
    # A snowflake overflows `as_integer()` (a 32-bit INTEGER on PostgreSQL): read it as BIGINT.
    return cast(OutboxItem.payload["requested_by"].as_string(), BigInteger)


async def _requested_posts(session: AsyncSession, user_id: int) -> list[OutboxItem]:
    query = select(OutboxItem).where(_requester() == user_id)
    return list((await session.scalars(query)).all())


async def _forget_requests(session: AsyncSession, user_id: int) -> int:
    cases = await session.execute(
        update(CaseStudyRow).where(CaseStudyRow.requested_by == user_id).values(requested_by=None)
    )
    items = await _requested_posts(session, user_id)
    for item in items:
        item.payload = _without_requester(item.payload)
    return changed(cases) + len(items)


async def _expire_requests(session: AsyncSession, cutoff: datetime) -> int:
    cases = await session.execute(
        update(CaseStudyRow)
        .where(CaseStudyRow.requested_by.is_not(None), CaseStudyRow.created_at < cutoff)
        .values(requested_by=None)
    )
    query = select(OutboxItem).where(_requester().is_not(None), OutboxItem.created_at < cutoff)
    items = list((await session.scalars(query)).all())
    for item in items:
        item.payload = _without_requester(item.payload)
    return changed(cases) + len(items)


def _without_requester(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if key != "requested_by"}


REQUESTS = PersonalData(
    "requests",
    ("case_studies.requested_by", "outbox.payload"),
    _export_requests,
    _forget_requests,
    _expire_requests,
)
