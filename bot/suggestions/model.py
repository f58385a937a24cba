"""What a suggestion is, as the core hands it to the platform adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    FEED = "feed"  # a feed to follow: joins the ingestion once approved
    ARTICLE = "article"  # a page to discuss: a candidate for the next case study once approved
    TOPIC = "topic"  # a theme or question: its votes raise the theme's weight in the selection


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    MERGED = "merged"  # a duplicate: its votes went to `merged_into_id`


@dataclass(frozen=True)
class Suggestion:
    id: int
    guild_id: int
    kind: Kind
    title: str
    url: str | None
    theme: str | None
    status: Status
    votes: int
    created_at: datetime
    language: str | None = None
    merged_into_id: int | None = None
    channel_id: int | None = None
    message_id: int | None = None

    @property
    def pending(self) -> bool:
        return self.status is Status.PENDING


@dataclass(frozen=True)
class Submitted:
    """What `/suggest` did: a new suggestion, or a vote counted on the one it duplicates."""

    suggestion: Suggestion
    duplicate: bool = False
    vote_added: bool = True


@dataclass(frozen=True)
class Inspection:
    """What a suggested link turned out to be (read in a worker process)."""

    kind: Kind | None  # None: neither a feed nor a readable article
    title: str = ""
    language: str | None = None
    theme_scores: dict[str, float] = field(default_factory=dict)
    summary: str = ""
    entries: int = 0
    alternate: str | None = None  # an HTML page that announces its feed
    error: str | None = None
