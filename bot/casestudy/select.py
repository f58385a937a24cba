"""Which article makes the next case study of a group, and why.

Every candidate gets a score made of named parts, so that `veille preview --explain` can show the
choice: relevance to the group's themes, freshness, a bonus for the language of the group, for a
story several sources cover and for students' votes, a bonus for themes not covered lately
(rotation) and a penalty for the source of the last case studies (diversity). Students steer it
too: an article they suggested and a moderator approved gets a bonus (suggested, votes), and their
votes on topics raise the weight of those topics' themes (interest). An article or story the group
already had is never a candidate again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.casestudy.model import LANGUAGES
from bot.feeds.themes import CANDIDATE_THRESHOLD

MAX_AGE = timedelta(days=14)
FRESHNESS_WEIGHT, FRESHNESS_HALF_LIFE_HOURS = 0.6, 48.0
ROTATION_WEIGHT, ROTATION_FULL_AFTER = 0.4, timedelta(days=14)
# An article in the group's language comes first unless another is clearly better: this outweighs a
# neglected theme (rotation, 0.4) or a day of freshness, not both together nor students' picks.
LANGUAGE_BONUS = 0.5
SAME_SOURCE_AS_LAST, RECENT_SOURCE = -0.4, -0.15
RECENT_SOURCES = 3
SOURCES_BONUS, VOTE_BONUS, VOTES_MAX = 0.1, 0.1, 0.3
SUGGESTED_BONUS = 0.3
INTEREST_PER_VOTE, INTEREST_MAX = 0.05, 0.3


@dataclass(frozen=True)
class Candidate:
    article_id: int
    feed_id: int
    title: str
    language: str | None
    published_at: datetime
    theme_scores: dict[str, float]
    story_id: int | None = None  # the story's first article; None: the article is its own story
    source_name: str = ""
    votes: int = 0

    @property
    def story(self) -> int:
        return self.story_id if self.story_id is not None else self.article_id


@dataclass(frozen=True)
class PastCaseStudy:
    article_id: int
    story_id: int
    feed_id: int
    theme: str
    posted_at: datetime


@dataclass(frozen=True)
class Preferences:
    locale: str = "fr"
    themes: tuple[str, ...] = ()  # the group's themes; empty: every theme
    theme: str | None = None  # only this theme (a moderator's request)
    language: str | None = None  # only articles in this language
    # Theme → students' recent votes on topics of that theme.
    interest: Mapping[str, int] = field(default_factory=dict)
    # Article → votes, for the articles students suggested and a moderator approved.
    picks: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    theme: str
    parts: dict[str, float] = field(default_factory=dict)
    sources: int = 1

    @property
    def score(self) -> float:
        return sum(self.parts.values())


def rank(
    candidates: Sequence[Candidate], history: Sequence[PastCaseStudy], preferences: Preferences, now: datetime
) -> list[Ranked]:
    """The candidates that may be chosen, best first, one per story."""
    used_articles = {past.article_id for past in history}
    used_stories = {past.story_id for past in history}
    recent = sorted(history, key=lambda past: past.posted_at, reverse=True)
    last_covered: dict[str, datetime] = {}
    for past in history:
        last_covered[past.theme] = max(past.posted_at, last_covered.get(past.theme, past.posted_at))
    story_feeds: dict[int, set[int]] = {}
    for candidate in candidates:
        story_feeds.setdefault(candidate.story, set()).add(candidate.feed_id)

    ranked: list[Ranked] = []
    for candidate in candidates:
        if candidate.article_id in used_articles or candidate.story in used_stories:
            continue
        if not _eligible(candidate, preferences, now):
            continue
        theme = _theme(candidate, preferences, last_covered, now)
        if theme is None:
            continue
        feeds = len(story_feeds[candidate.story])
        picked = candidate.article_id in preferences.picks
        votes = preferences.picks.get(candidate.article_id, candidate.votes)
        parts = {
            "relevance": round(candidate.theme_scores[theme], 3),
            "freshness": round(_freshness(candidate, now), 3),
            "rotation": round(_rotation(theme, last_covered, now), 3),
            "diversity": _diversity(candidate, recent),
            "language": LANGUAGE_BONUS if candidate.language == preferences.locale else 0.0,
            "sources": SOURCES_BONUS * min(2, feeds - 1),
            "votes": min(VOTES_MAX, VOTE_BONUS * votes),
            "suggested": SUGGESTED_BONUS if picked else 0.0,
            "interest": _interest(theme, preferences),
        }
        ranked.append(Ranked(candidate, theme, parts, feeds))
    ranked.sort(key=lambda r: (-r.score, -r.candidate.published_at.timestamp(), r.candidate.article_id))
    return _one_per_story(ranked)


def _eligible(candidate: Candidate, preferences: Preferences, now: datetime) -> bool:
    if candidate.language is not None and candidate.language not in LANGUAGES:
        return False
    if preferences.language and candidate.language not in (preferences.language, None):
        return False
    return now - candidate.published_at <= MAX_AGE


def _theme(
    candidate: Candidate, preferences: Preferences, last_covered: dict[str, datetime], now: datetime
) -> str | None:
    """The group's theme the article serves best, rotation counted (a tie goes to the neglected one)."""
    themes = [
        theme
        for theme, score in candidate.theme_scores.items()
        if score >= CANDIDATE_THRESHOLD
        and (not preferences.themes or theme in preferences.themes)
        and (preferences.theme is None or theme == preferences.theme)
    ]
    if not themes:
        return None
    return max(
        themes,
        key=lambda t: (
            candidate.theme_scores[t] + _rotation(t, last_covered, now) + _interest(t, preferences),
            t,
        ),
    )


def _interest(theme: str, preferences: Preferences) -> float:
    return round(min(INTEREST_MAX, INTEREST_PER_VOTE * preferences.interest.get(theme, 0)), 3)


def _freshness(candidate: Candidate, now: datetime) -> float:
    hours = max(0.0, (now - candidate.published_at).total_seconds() / 3600)
    return FRESHNESS_WEIGHT * math.exp(-math.log(2) * hours / FRESHNESS_HALF_LIFE_HOURS)


def _rotation(theme: str, last_covered: dict[str, datetime], now: datetime) -> float:
    if theme not in last_covered:
        return ROTATION_WEIGHT
    return ROTATION_WEIGHT * min(1.0, float((now - last_covered[theme]) / ROTATION_FULL_AFTER))


def _diversity(candidate: Candidate, recent: Sequence[PastCaseStudy]) -> float:
    if recent and recent[0].feed_id == candidate.feed_id:
        return SAME_SOURCE_AS_LAST
    if any(past.feed_id == candidate.feed_id for past in recent[:RECENT_SOURCES]):
        return RECENT_SOURCE
    return 0.0


def _one_per_story(ranked: list[Ranked]) -> list[Ranked]:
    seen: set[int] = set()
    kept = []
    for entry in ranked:
        if entry.candidate.story not in seen:
            seen.add(entry.candidate.story)
            kept.append(entry)
    return kept
