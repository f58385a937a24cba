"""Students suggest feeds, articles and topics; they vote; moderators approve, reject or merge.

A link is checked like a feed (http(s) only, public addresses only, the fetcher's size and time
limits), then read in a worker to tell a feed from an article. A suggestion that duplicates one
the group already has counts as a vote on it instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.errors import UserProblem
from bot.feeds.fetch import Fetcher
from bot.feeds.text import fold, tokens
from bot.feeds.themes import ThemeKeywords, scorer_for
from bot.feeds.urls import UnsafeAddressError, canonical_url, check_host
from bot.store.suggestions import Known, SuggestionStore
from bot.suggestions.inspect import inspect_link
from bot.suggestions.model import Inspection, Kind, Status, Submitted, Suggestion

Run = Callable[..., Awaitable[Any]]
TOPIC_MIN, TOPIC_MAX = 5, 200
DEFAULT_FEED_INTERVAL = 60


class SuggestionService:
    def __init__(
        self,
        store: SuggestionStore,
        fetcher: Fetcher,
        run: Run,
        themes: tuple[ThemeKeywords, ...],
        theme_labels: Mapping[str, Mapping[str, str]],
        *,
        per_day: int = 5,
        allow_private: bool = False,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self._fetcher = fetcher
        self._run = run
        self._themes = themes
        self._scorer = scorer_for(themes)
        self._labels = theme_labels
        self.per_day = per_day
        self._allow_private = allow_private
        self._clock = clock

    # ── suggesting ──────────────────────────────────────────────────────────────────────────────

    async def suggest_link(self, guild_id: int, user_id: int, link: str) -> Submitted:
        url = self._safe_url(link)
        existing, known = await self._already(guild_id, url)
        if existing is not None:
            return await self._vote_instead(existing, user_id)
        await self._within_limit(guild_id, user_id)
        if known is not None:  # an article read from a feed already: no need to fetch it again
            article = await self.store.add(
                guild_id, user_id, Kind.ARTICLE, known.title, url=url, article_id=known.article_id
            )
            return Submitted(article)
        inspection = await self._inspect(url)
        if inspection.kind is Kind.FEED and inspection.alternate is not None:
            url = inspection.alternate  # a page that announces its feed: the feed is the suggestion
            existing, _ = await self._already(guild_id, url)
            if existing is not None:
                return await self._vote_instead(existing, user_id)
        assert inspection.kind is not None
        return Submitted(
            await self.store.add(
                guild_id,
                user_id,
                inspection.kind,
                inspection.title,
                url=url,
                theme=_best_theme(inspection.theme_scores),
                inspection=inspection,
            )
        )

    async def _already(self, guild_id: int, url: str) -> tuple[Suggestion | None, Known | None]:
        """The group's suggestion of `url`, else the article the bot read there; a feed it follows
        or an article the group discussed is refused, said so."""
        existing = await self.store.by_url(guild_id, url)
        if existing is not None:
            return existing, None
        known = await self.store.known(guild_id, url)
        if known is not None and known.feed:
            raise UserProblem("suggest.feed_followed", name=known.title)
        if known is not None and known.discussed:
            raise UserProblem("suggest.already_discussed", title=known.title)
        return None, known

    async def suggest_topic(self, guild_id: int, user_id: int, text: str) -> Submitted:
        topic = " ".join(text.split())
        if len(topic) < TOPIC_MIN:
            raise UserProblem("suggest.topic_too_short", min=TOPIC_MIN)
        if len(topic) > TOPIC_MAX:
            raise UserProblem("suggest.topic_too_long", max=TOPIC_MAX, length=len(topic))
        existing = await self.store.by_topic(guild_id, topic)
        if existing is not None:
            return await self._vote_instead(existing, user_id)
        await self._within_limit(guild_id, user_id)
        theme = self.topic_theme(topic)
        return Submitted(await self.store.add(guild_id, user_id, Kind.TOPIC, topic, theme=theme))

    def topic_theme(self, topic: str) -> str | None:
        """The theme a topic is about: one named by its label, else the one its words score best."""
        folded = fold(topic)
        for theme, labels in self._labels.items():
            if any(fold(label) in folded for label in labels.values()):
                return theme
        scores = self._scorer.score(tokens(topic), [])
        return max(scores, key=lambda theme: (scores[theme], theme)) if scores else None

    def _safe_url(self, link: str) -> str:
        url = canonical_url(link.strip())
        if url is None:
            raise UserProblem("suggest.bad_url", url=link.strip()[:200])
        try:
            check_host(urlsplit(url).hostname or "", self._allow_private)
        except UnsafeAddressError:
            raise UserProblem("suggest.unsafe_url", url=url[:200]) from None
        return url

    async def _within_limit(self, guild_id: int, user_id: int) -> None:
        since = self._clock() - timedelta(days=1)
        if await self.store.made_since(guild_id, user_id, since) >= self.per_day:
            raise UserProblem("suggest.limit", count=self.per_day)

    async def _inspect(self, url: str) -> Inspection:
        """What the link is; a page that is no article but announces a feed leads to that feed."""
        inspection = await self._read(url)
        if inspection.kind is None and inspection.alternate:
            alternate = await self._read(self._safe_url(inspection.alternate))
            if alternate.kind is Kind.FEED:
                return Inspection(
                    Kind.FEED,
                    title=alternate.title,
                    language=alternate.language,
                    entries=alternate.entries,
                    alternate=self._safe_url(inspection.alternate),
                )
        if inspection.kind is None:
            raise UserProblem("suggest.not_readable", reason=inspection.error or "?")
        return inspection

    async def _read(self, url: str) -> Inspection:
        fetched = await self._fetcher.fetch(url)
        if not fetched.ok or fetched.body is None:
            raise UserProblem("suggest.unreachable", reason=fetched.error or f"HTTP {fetched.status}")
        result: Inspection = await self._run(
            inspect_link, fetched.body, fetched.final_url, fetched.content_type, self._themes
        )
        return result

    async def _vote_instead(self, existing: Suggestion, user_id: int) -> Submitted:
        target = await self._open_target(existing)
        added = await self.store.vote(target.id, user_id)
        return Submitted(await self.get(target.id), duplicate=True, vote_added=added)

    async def _open_target(self, suggestion: Suggestion) -> Suggestion:
        """The suggestion that collects votes for `suggestion` (the one it was merged into)."""
        seen = {suggestion.id}
        while suggestion.status is Status.MERGED and suggestion.merged_into_id not in (None, *seen):
            assert suggestion.merged_into_id is not None
            suggestion = await self.get(suggestion.merged_into_id)
            seen.add(suggestion.id)
        if suggestion.status is Status.MERGED:  # the one it joined was removed since
            raise UserProblem("suggest.gone")
        if suggestion.status is Status.REJECTED:
            raise UserProblem("suggest.was_rejected", title=suggestion.title[:200])
        return suggestion

    # ── voting and deciding ─────────────────────────────────────────────────────────────────────

    async def get(self, suggestion_id: int) -> Suggestion:
        """The suggestion, or `suggest.gone` if it was removed (its author was forgotten)."""
        found = await self.store.get(suggestion_id)
        if found is None:
            raise UserProblem("suggest.gone")
        return found

    async def vote(self, suggestion_id: int, user_id: int) -> tuple[bool, Suggestion]:
        """Back a suggestion (once): whether the vote is new, and the suggestion now."""
        target = await self._open_target(await self.get(suggestion_id))
        added = await self.store.vote(target.id, user_id)
        return added, await self.get(target.id)

    async def approve(self, suggestion_id: int, moderator_id: int) -> Suggestion:
        suggestion = await self._pending(suggestion_id)
        feed = None
        if suggestion.kind is Kind.FEED:
            feed = {
                "name": suggestion.title[:200],
                "language": suggestion.language or "fr",
                "themes": [suggestion.theme] if suggestion.theme else [],
                "interval_minutes": DEFAULT_FEED_INTERVAL,
                "enabled": True,
            }
        # A page the moderator approved is on topic by their decision: it gets a theme to be filed under.
        theme = suggestion.theme or next(iter(self._labels), None)
        return await self._decide(suggestion, Status.APPROVED, moderator_id, feed=feed, theme=theme)

    async def reject(self, suggestion_id: int, moderator_id: int) -> Suggestion:
        return await self._decide(await self._pending(suggestion_id), Status.REJECTED, moderator_id)

    async def merge(self, suggestion_id: int, into_id: int, moderator_id: int) -> Suggestion:
        """Fold a duplicate into another suggestion of the group: its votes move there."""
        suggestion = await self._pending(suggestion_id)
        target = await self._open_target(await self.get(into_id))
        if target.id == suggestion.id or target.guild_id != suggestion.guild_id:
            raise UserProblem("suggest.merge_self")
        await self._decide(suggestion, Status.MERGED, moderator_id, merged_into=target.id)
        return await self.get(target.id)

    async def merge_targets(self, suggestion_id: int) -> list[Suggestion]:
        suggestion = await self.get(suggestion_id)
        pending = await self.store.pending(suggestion.guild_id)
        return [other for other in pending if other.id != suggestion.id]

    async def _pending(self, suggestion_id: int) -> Suggestion:
        suggestion = await self.get(suggestion_id)
        if not suggestion.pending:
            raise UserProblem("suggest.decided", status=suggestion.status.value)
        return suggestion

    async def _decide(
        self, suggestion: Suggestion, status: Status, moderator_id: int, **extra: Any
    ) -> Suggestion:
        if not await self.store.decide(suggestion.id, status, moderator_id, self._clock(), **extra):
            decided = await self.get(suggestion.id)  # another moderator was quicker
            raise UserProblem("suggest.decided", status=decided.status.value)
        return await self.get(suggestion.id)

    async def pending(self, guild_id: int) -> list[Suggestion]:
        return await self.store.pending(guild_id)

    async def place(self, suggestion_id: int, channel_id: int, message_id: int) -> None:
        await self.store.place(suggestion_id, channel_id, message_id)


def _best_theme(scores: Mapping[str, float]) -> str | None:
    """The theme a page or feed serves best, even a little (a moderator decides if it is on topic)."""
    return max(scores, key=lambda theme: (scores[theme], theme)) if scores else None
