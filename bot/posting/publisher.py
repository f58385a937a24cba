"""The core's outbound port: what a chat platform must do for the bot, in platform-free terms.

Discord implements it in `cogs/publisher.py`; Slack would add its own beside it. Every call may
be repeated after a crash: `Progress` holds the ids a half-done post already has, and an adapter
finds a post it made before recording it (by the case study's id it carries) instead of posting
it twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from bot.casestudy.model import CaseStudy
from bot.digest.model import Digest
from bot.i18n import Locale
from bot.posting.model import Tally


class FailureKind(StrEnum):
    TRANSIENT = "transient"  # a 5xx, a timeout: try again later
    MISSING_PERMISSION = "missing_permission"  # the group must fix it: posting pauses
    CHANNEL_GONE = "channel_gone"  # deleted channel: posting pauses
    REJECTED = "rejected"  # the platform refused this one post (it will not change by retrying)


class DeliveryFailure(Exception):
    def __init__(self, kind: FailureKind, detail: str, *, permission: str | None = None) -> None:
        self.kind = kind
        self.detail = detail
        self.permission = permission  # e.g. "create_public_threads"
        super().__init__(f"{kind.value}: {detail}")

    @property
    def pauses_guild(self) -> bool:
        return self.kind in (FailureKind.MISSING_PERMISSION, FailureKind.CHANNEL_GONE)


@dataclass(frozen=True)
class CaseStudyPost:
    case_study_id: int
    guild_id: int
    channel_id: int
    case: CaseStudy
    theme_label: str
    locale: Locale
    ping_role_id: int | None = None
    nonce: str = ""  # the platform's own short-lived de-duplication, when it has one


@dataclass(frozen=True)
class DigestPost:
    guild_id: int
    channel_id: int
    digest: Digest
    chart_png: bytes | None
    nonce: str = ""


@dataclass(frozen=True)
class TallyUpdate:
    case_study_id: int
    channel_id: int  # the thread
    message_id: int
    tally: Tally
    locale: Locale


@dataclass(frozen=True)
class PostedRef:
    """Where a case study was posted, to take it down."""

    guild_id: int
    channel_id: int
    message_id: int | None
    thread_id: int | None


class AlertKind(StrEnum):
    POSTING_PAUSED = "posting_paused"
    NO_CASE_STUDY = "no_case_study"
    FEED_FAILING = "feed_failing"
    FEED_RECOVERED = "feed_recovered"
    DIGEST_MOVED = "digest_moved"  # the digest channel is unusable: posted in the case-study channel


@dataclass(frozen=True)
class ModeratorAlert:
    guild_id: int
    kind: AlertKind
    locale: Locale
    alerts_channel_id: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


class Progress:
    """The ids a post has so far, saved as each step succeeds (a resumed post skips those steps)."""

    def __init__(
        self, ids: dict[str, Any], save: Callable[[dict[str, Any]], Awaitable[None]], *, resumed: bool
    ) -> None:
        self.ids = dict(ids)
        self.resumed = resumed  # an earlier attempt may have posted without recording it
        self._save = save

    def get(self, name: str) -> Any:
        return self.ids.get(name)

    async def record(self, **ids: Any) -> None:
        self.ids.update(ids)
        await self._save(dict(self.ids))


class Publisher(Protocol):
    async def post_case_study(self, post: CaseStudyPost, progress: Progress) -> Mapping[str, Any]:
        """Post the case study and open its discussion; return the ids (channel_id, message_id,
        thread_id, tally_message_id). Raise `DeliveryFailure` when it cannot."""
        ...

    async def post_digest(self, post: DigestPost, progress: Progress) -> Mapping[str, Any]:
        """Post the week's digest, in as many messages as it needs; return their ids (channel_id,
        message_ids). Raise `DeliveryFailure` when it cannot."""
        ...

    async def update_tally(self, update: TallyUpdate) -> None: ...

    async def remove_case_study(self, ref: PostedRef) -> None: ...

    async def alert_moderators(self, alert: ModeratorAlert) -> None: ...
