"""Parse a fetched body into normalised entries. Runs in a worker process: parsing costs CPU.

feedparser reads every RSS/Atom/RDF variant and most broken XML; JSON Feed is read directly. Each
entry comes out normalised (plain-text title and summary, canonical link, UTC date, language,
fingerprint, story bands, theme scores) so that only small, final values cross back to the bot.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import feedparser

from bot.feeds import fastparse, stories
from bot.feeds.fastparse import RawEntry, RawFeed, ttl_minutes
from bot.feeds.text import detect_language, fingerprint, plain_text, shorten, tokens
from bot.feeds.themes import (
    CANDIDATE_THRESHOLD,
    ThemeKeywords,
    ThemeScorer,
    is_off_topic,
    scorer_for,
)
from bot.feeds.urls import canonical_url

TITLE_LIMIT = 500
SUMMARY_LIMIT = 2000
AUTHOR_LIMIT = 200
GUID_LIMIT = 1024
FUTURE_TOLERANCE = timedelta(hours=1)
UNTITLED_WORDS = 12


@dataclass(frozen=True)
class ParsedEntry:
    guid: str | None
    url: str | None
    title: str
    author: str | None
    published_at: datetime | None  # None: the publisher gave no usable date
    summary: str
    language: str | None
    fingerprint: str
    bands: tuple[int, ...]
    theme_scores: dict[str, float]
    off_topic: bool


@dataclass(frozen=True)
class ParsedFeed:
    entries: list[ParsedEntry] = field(default_factory=list)
    language: str | None = None
    ttl_minutes: int | None = None  # the feed's own hint (RSS ttl, sy:updatePeriod)
    warning: str | None = None  # readable, but not well-formed
    error: str | None = None  # nothing readable
    alternate: str | None = None  # a feed URL suggested by an HTML page


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: (value or "") for key, value in attrs}
        feed_types = ("application/rss+xml", "application/atom+xml", "application/feed+json")
        is_alternate = "alternate" in values.get("rel", "").lower().split()
        if tag == "link" and is_alternate and values.get("type", "").lower() in feed_types:
            self.links.append(values.get("href", ""))


_SCORER: ThemeScorer | None = None


def init_worker(themes: tuple[ThemeKeywords, ...]) -> None:
    """Process-pool initializer: build the theme scorer once per worker."""
    global _SCORER
    _SCORER = scorer_for(themes)


def parse_feed(
    body: bytes,
    url: str,
    content_type: str | None,
    declared_language: str | None,
    seen_at: datetime,
    themes: tuple[ThemeKeywords, ...] | None = None,
    *,
    fast: bool = True,
) -> ParsedFeed:
    """Entries of `body` fetched from `url`; `declared_language` is the one feeds.toml gives.

    Well-formed plain RSS 2.0 and Atom go through lxml (`fastparse`) unless `fast` is False;
    everything else, and anything the fast reader is unsure of, through feedparser.
    """
    scorer = scorer_for(themes) if themes is not None else _SCORER
    if scorer is None:
        raise RuntimeError("parse_feed needs themes, or a worker set up with init_worker")
    if not body.strip():
        return ParsedFeed(error="the server sent an empty response")
    if _looks_like_json(body, content_type):
        return _parse_json_feed(body, url, declared_language, seen_at, scorer)
    raw = fastparse.read(body, content_type) if fast else None
    warning = None
    if raw is None:
        read = _read_with_feedparser(body, url, content_type)
        if isinstance(read, ParsedFeed):
            return read
        raw, warning = read
    language = _language_tag(raw.language)
    entries = _unique(
        entry
        for item in raw.entries
        if (entry := _entry(item, url, language or declared_language, seen_at, scorer)) is not None
    )
    return ParsedFeed(
        entries=entries,
        language=language,
        ttl_minutes=raw.ttl_minutes,
        warning=warning,
    )


def _read_with_feedparser(
    body: bytes, url: str, content_type: str | None
) -> tuple[RawFeed, str | None] | ParsedFeed:
    # No content-location: feedparser would rewrite relative guids into URLs, and a guid must stay
    # what the publisher wrote. Relative links are resolved later, against the feed's own URL.
    parsed = feedparser.parse(
        body,
        response_headers={"content-type": content_type or "application/xml"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not parsed.entries and (not parsed.version or parsed.bozo):
        return _unreadable(body, url, parsed)
    entries = [
        RawEntry(
            guid=raw.get("id"),
            link=raw.get("link"),
            title=raw.get("title"),
            author=raw.get("author"),
            # dict.get: FeedParserDict.get("updated_parsed") falls back with a deprecation warning.
            date=_datetime(dict.get(raw, "published_parsed") or dict.get(raw, "updated_parsed")),
            summary=raw.get("summary") or (raw["content"][0].get("value") if raw.get("content") else None),
            language=raw.get("language"),
        )
        for raw in parsed.entries
    ]
    feed = parsed.feed
    hint = ttl_minutes(feed.get("ttl"), feed.get("sy_updateperiod"), feed.get("sy_updatefrequency"))
    raw_feed = RawFeed(entries, feed.get("language"), hint)
    return raw_feed, _bozo_warning(parsed) if parsed.bozo else None


def _entry(
    raw: RawEntry, base: str, language: str | None, seen_at: datetime, scorer: ThemeScorer
) -> ParsedEntry | None:
    summary = shorten(plain_text(raw.summary), SUMMARY_LIMIT)
    guid = (raw.guid or "").strip()[:GUID_LIMIT] or None
    url = canonical_url(raw.link, base)
    if url is None and guid and guid.lower().startswith(("http://", "https://")):
        url = canonical_url(guid, base)
    title = shorten(plain_text(raw.title), TITLE_LIMIT) or _untitled(summary)
    if not title and not url:
        return None  # nothing to show or link to
    return _normalised(
        guid=guid,
        url=url,
        title=title or url or "",
        author=shorten(plain_text(raw.author), AUTHOR_LIMIT) or None,
        published_at=_clamped(raw.date, seen_at),
        summary=summary,
        language=_language_tag(raw.language) or language,
        scorer=scorer,
    )


def _normalised(
    *,
    guid: str | None,
    url: str | None,
    title: str,
    author: str | None,
    published_at: datetime | None,
    summary: str,
    language: str | None,
    scorer: ThemeScorer,
) -> ParsedEntry:
    title_words, summary_words = tokens(title), tokens(summary)
    language = language or detect_language(title_words + summary_words)
    scores = scorer.score(title_words, summary_words, language)
    return ParsedEntry(
        guid=guid,
        url=url,
        title=title,
        author=author,
        published_at=published_at,
        summary=summary,
        language=language,
        fingerprint=fingerprint(title_words, summary_words),
        bands=tuple(stories.band_keys(stories.content_words(title_words, summary_words))),
        theme_scores=scores,
        # A short summary may undersell an article: its page is read before it is posted.
        off_topic=is_off_topic(scores, CANDIDATE_THRESHOLD),
    )


def _untitled(summary: str) -> str:
    words = summary.split()
    if not words:
        return ""
    return " ".join(words[:UNTITLED_WORDS]) + ("…" if len(words) > UNTITLED_WORDS else "")


def _datetime(parsed: Any) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _clamped(moment: datetime | None, seen_at: datetime) -> datetime | None:
    """Dates in the future (a publisher's clock or typo) become the first-seen time."""
    if moment is None:
        return None
    return seen_at if moment > seen_at + FUTURE_TOLERANCE else moment


def _unique(entries: Any) -> list[ParsedEntry]:
    """Duplicate guids (or links) within one feed: the first occurrence wins, as feed readers do."""
    seen: set[str] = set()
    unique = []
    for entry in entries:
        key = entry.guid or entry.url or entry.fingerprint
        if key not in seen:
            seen.add(key)
            unique.append(entry)
    return unique


def _language_tag(tag: Any) -> str | None:
    if not isinstance(tag, str) or not tag.strip():
        return None
    language = tag.strip().lower().replace("_", "-").split("-")[0]
    return language if re.fullmatch(r"[a-z]{2,3}", language) else None


def _bozo_warning(parsed: Any) -> str:
    problem = parsed.get("bozo_exception")
    text = str(problem).strip() or type(problem).__name__
    return shorten(f"not well-formed, read anyway ({text})", 300)


def _unreadable(body: bytes, url: str, parsed: Any) -> ParsedFeed:
    head = body[:4096].decode("utf-8", "replace").lower()
    if "<html" in head or "<!doctype html" in head:
        finder = _AlternateLinks()
        finder.feed(body[:200_000].decode("utf-8", "replace"))
        alternate = next((link for href in finder.links if (link := canonical_url(href, url))), None)
        hint = f"; the page announces a feed at {alternate}" if alternate else ""
        return ParsedFeed(error=f"this is a web page, not a feed{hint}", alternate=alternate)
    problem = parsed.get("bozo_exception")
    reason = f" ({shorten(str(problem), 200)})" if problem else ""
    return ParsedFeed(error=f"not a readable RSS, Atom or JSON feed{reason}")


def _looks_like_json(body: bytes, content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().endswith("json") or body.lstrip()[:1] == b"{"


def _parse_json_feed(
    body: bytes, url: str, declared_language: str | None, seen_at: datetime, scorer: ThemeScorer
) -> ParsedFeed:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ParsedFeed(error=f"not a readable JSON feed ({shorten(str(exc), 200)})")
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith("https://jsonfeed.org/"):
        return ParsedFeed(error="JSON that is not a JSON Feed (https://jsonfeed.org)")
    language = _language_tag(data.get("language"))
    base = data.get("home_page_url") or url
    entries = []
    for item in data.get("items") or []:
        if not isinstance(item, dict):
            continue
        summary = shorten(
            plain_text(item.get("summary") or item.get("content_html") or item.get("content_text")),
            SUMMARY_LIMIT,
        )
        link = canonical_url(item.get("url") or item.get("external_url"), base)
        title = shorten(plain_text(item.get("title")), TITLE_LIMIT) or _untitled(summary) or link
        if not title:
            continue
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        author = next((a.get("name") for a in authors if isinstance(a, dict) and a.get("name")), None)
        entries.append(
            _normalised(
                guid=str(item.get("id") or "")[:GUID_LIMIT] or None,
                url=link,
                title=title,
                author=shorten(plain_text(author), AUTHOR_LIMIT) or None,
                published_at=_clamped(
                    _json_date(item.get("date_published") or item.get("date_modified")), seen_at
                ),
                summary=summary,
                language=_language_tag(item.get("language")) or language or declared_language,
                scorer=scorer,
            )
        )
    return ParsedFeed(entries=_unique(entries), language=language)


def _json_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
