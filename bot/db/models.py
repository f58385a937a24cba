"""The database tables, as SQLAlchemy models. Discord ids are snowflakes in BigInteger columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db.types import UTCDateTime, utcnow

# Named constraints, so that migrations can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Guild(Timestamped, Base):
    """One Discord server (guild) and how its veille is set up."""

    __tablename__ = "guilds"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    casestudy_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    digest_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    moderator_role_id: Mapped[int | None] = mapped_column(BigInteger)
    # Days as "mon,wed,fri" and a local "HH:MM"; interpreted in `timezone`.
    casestudy_days: Mapped[str] = mapped_column(String(32), default="mon,wed,fri")
    casestudy_time: Mapped[str] = mapped_column(String(5), default="12:30")
    digest_day: Mapped[str] = mapped_column(String(3), default="fri")
    digest_time: Mapped[str] = mapped_column(String(5), default="17:00")
    themes: Mapped[list[Any]] = mapped_column(default=list)  # empty: every theme of feeds.toml
    anonymous_takes: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_role_id: Mapped[int | None] = mapped_column(BigInteger)
    notify_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where moderators are told about problems (posting paused, a feed down); None: the server's
    # system channel, else the owner's DMs.
    alerts_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    # Replies in a case study's thread count as takes (needs the Message Content intent).
    replies_as_takes: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when posting stopped on a permanent error (missing permission, deleted channel).
    paused_reason: Mapped[str | None] = mapped_column(Text)
    # The next scheduled slot a moderator chose to skip ("2026-11-25T12:30"), if any.
    skip_slot: Mapped[str | None] = mapped_column(String(40))


class Feed(Timestamped, Base):
    """A feed and its fetch state; the feed engine decides from this row when to check it next."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)  # as configured or suggested
    # Where a permanent redirect said the feed now lives; fetched instead of `url` when set.
    fetch_url: Mapped[str | None] = mapped_column(String(2048))
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5))
    themes: Mapped[list[Any]] = mapped_column(default=list)
    interval_minutes: Mapped[int] = mapped_column(Integer, default=60)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    origin: Mapped[str] = mapped_column(String(16), default="config")  # config | suggested
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    # Conditional GET and "same body, do not parse again".
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    body_hash: Mapped[str | None] = mapped_column(String(64))
    # Health.
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    last_checked_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_warning: Mapped[str | None] = mapped_column(Text)  # readable but broken (bozo) feeds
    last_duration_ms: Mapped[int | None] = mapped_column(Integer)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[datetime | None]
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    failure_alerted_at: Mapped[datetime | None]  # moderators were told; cleared on recovery


class Article(Timestamped, Base):
    """One entry of a feed, normalised; copies of one story from several feeds point at its first
    article through `story_id` (see `Article.story`)."""

    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("feed_id", "guid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str | None] = mapped_column(String(1024))
    url: Mapped[str | None] = mapped_column(String(2048), index=True)  # some entries have no link
    title: Mapped[str] = mapped_column(String(500))
    author: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(5))
    published_at: Mapped[datetime] = mapped_column(index=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    # The first article of the story this one joined (told by another feed); None: it starts one.
    story_id: Mapped[int | None] = mapped_column(Integer, index=True)
    theme_scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    off_topic: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def story(self) -> int:
        return self.story_id or self.id


class ArticleBand(Base):
    """An LSH band key of an article's MinHash signature: articles sharing one may tell one story."""

    __tablename__ = "article_bands"

    band: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CaseStudy(Timestamped, Base):
    """A case study built for a guild from an article, and where it was posted."""

    __tablename__ = "case_studies"
    # One case study per slot: a slot fired twice (a restart, two processes) fills it once.
    __table_args__ = (UniqueConstraint("guild_id", "article_id"), UniqueConstraint("guild_id", "slot"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="RESTRICT"))
    theme: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|posted|deleted
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    slot: Mapped[str | None] = mapped_column(String(40))  # the schedule slot it filled, if any
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    tally_message_id: Mapped[int | None] = mapped_column(BigInteger)  # the running count of takes
    posted_at: Mapped[datetime | None]
    requested_by: Mapped[int | None] = mapped_column(BigInteger)  # the moderator of a /casestudy


class UsefulVote(Base):
    """A student found a case study useful (one vote each); the selection and digest read these."""

    __tablename__ = "useful_votes"

    case_study_id: Mapped[int] = mapped_column(
        ForeignKey("case_studies.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Take(Timestamped, Base):
    """A student's stance and words on a case study; one per student, the latest wins."""

    __tablename__ = "takes"
    __table_args__ = (UniqueConstraint("case_study_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_study_id: Mapped[int] = mapped_column(ForeignKey("case_studies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    stance: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="modal")  # modal | command | message
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class TakeVote(Base):
    """A student found another student's take useful (one vote each); the digest quotes these first."""

    __tablename__ = "take_votes"

    take_id: Mapped[int] = mapped_column(ForeignKey("takes.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Digest(Timestamped, Base):
    """The weekly briefing of a guild for one ISO week."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("guild_id", "iso_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"), index=True)
    iso_week: Mapped[str] = mapped_column(String(8))  # "2026-W48"
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    posted_at: Mapped[datetime | None]


class OutboxItem(Timestamped, Base):
    """A post the bot owes a platform, written before the call and marked done after it.

    The unique `key` (e.g. `<guild>:casestudy:<article>`) is what makes delivery exactly-once.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|done|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)  # ids the platform returned
    done_at: Mapped[datetime | None]


class Suggestion(Timestamped, Base):
    """A student's suggestion to the group: a feed, an article or a topic, and what became of it."""

    __tablename__ = "suggestions"
    __table_args__ = (Index("ix_suggestions_guild_id_status", "guild_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)  # who suggested it
    kind: Mapped[str] = mapped_column(String(16))  # feed | article | topic
    url: Mapped[str | None] = mapped_column(String(2048))  # canonical form, for duplicates
    title: Mapped[str] = mapped_column(String(300))  # the feed's or page's title, or the topic
    language: Mapped[str | None] = mapped_column(String(5))
    theme: Mapped[str | None] = mapped_column(String(40))  # the theme it serves best, if any
    theme_scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|approved|rejected|merged
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("suggestions.id", ondelete="SET NULL"))
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    # The public card with its vote button, where the suggestion was made.
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)  # the moderator who decided
    decided_at: Mapped[datetime | None]


class SuggestionVote(Base):
    """A student backs a suggestion (one vote each; the suggester's own counts as the first)."""

    __tablename__ = "suggestion_votes"

    suggestion_id: Mapped[int] = mapped_column(
        ForeignKey("suggestions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MemberPreference(Timestamped, Base):
    """A student's own choices in a group: named in the digest or not (not, unless they opt in)."""

    __tablename__ = "member_preferences"

    guild_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, index=True)
    attributed: Mapped[bool] = mapped_column(Boolean, default=False)
