"""Tell what a suggested link is: a feed (with entries) or an article page with text to discuss.

Runs in a worker process (`WorkerPool.run`): parsing a 5 MB feed or a heavy page takes the CPU.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import feedparser

from bot.casestudy.extract import NotAnArticle, extract_page
from bot.feeds.parse import parse_feed
from bot.feeds.text import tokens
from bot.feeds.themes import ThemeKeywords, scorer_for
from bot.suggestions.model import Inspection, Kind

TITLE_MAX = 300
SUMMARY_WORDS = 400  # enough words of the page to tell its theme


def inspect_link(
    body: bytes, url: str, content_type: str | None, themes: tuple[ThemeKeywords, ...]
) -> Inspection:
    feed = parse_feed(body, url, content_type, None, datetime.now(UTC), themes)
    if feed.error is None and feed.entries:
        return Inspection(
            Kind.FEED, title=_feed_title(body) or url, language=feed.language, entries=len(feed.entries)
        )
    if feed.error is None:
        return Inspection(None, error="the feed has no entries")
    try:
        page = extract_page(body, content_type, url)
    except NotAnArticle as reason:
        return Inspection(None, error=str(reason) if not feed.alternate else None, alternate=feed.alternate)
    title = (page.title or url)[:TITLE_MAX]
    words = " ".join(" ".join(page.paragraphs).split()[:SUMMARY_WORDS])
    scores = scorer_for(themes).score(tokens(title), tokens(words), page.language)
    return Inspection(
        Kind.ARTICLE,
        title=title,
        language=page.language,
        theme_scores=scores,
        summary=" ".join(words.split()[:80]),
    )


def _feed_title(body: bytes) -> str | None:
    if body.lstrip()[:1] == b"{":
        try:
            title = json.loads(body).get("title")
        except (ValueError, AttributeError):
            return None
        return str(title)[:TITLE_MAX] if title else None
    title = feedparser.parse(body).feed.get("title")
    return " ".join(str(title).split())[:TITLE_MAX] if title else None
