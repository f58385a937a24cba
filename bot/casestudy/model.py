"""The values that flow through the case-study builder, and the limits a case study keeps.

A `CaseStudy` is what the Discord layer (or a terminal preview) renders: every text in it fits the
embed field it goes to. Only escaping for a platform can lengthen a text made of markdown
characters; the renderer then shortens it at a word boundary (`cogs.embeds.fit`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

# Discord embed limits (title 256, field 1024, 6000 in all) with room for labels and markup.
TITLE_MAX = 250
SUMMARY_MAX = 1000
QUESTION_MAX = 300  # a question that quotes a sentence of the article (up to QUOTE_MAX)
QUOTE_MAX = 200
ORGANISATION_MAX = 60
SITUATION_MAX = 500
KEY_TERM_MAX = 40
SOURCE_MAX = 100
KEY_TERMS = 5
MIN_SUMMARY_SENTENCES = 2  # a feed summary rarely has more; a page gives 3 or 4
MAX_SUMMARY_SENTENCES = 4
LANGUAGES = ("fr", "en")


class TextSource(StrEnum):
    """Where the summary's sentences were taken from."""

    PAGE = "page"  # the article page, main text extracted
    FEED = "feed"  # the feed's own summary (page unreachable, paywalled, too short, not HTML…)


@dataclass(frozen=True)
class ArticleInput:
    """What the builder needs of a stored (or a directly given) article."""

    title: str
    url: str | None
    summary: str  # the feed's summary, plain text
    language: str | None
    published_at: datetime | None
    source_name: str
    id: int | None = None
    feed_id: int | None = None
    story_id: int | None = None
    theme_scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PageText:
    """The main text of an article page, as paragraphs, with what the page says of itself."""

    paragraphs: tuple[str, ...]
    title: str | None = None
    language: str | None = None
    site_name: str | None = None
    published_at: datetime | None = None  # from the page's metadata only, never its text
    headings: tuple[str, ...] = ()  # the article's subheadings: words of it, never summary sentences


@dataclass(frozen=True)
class Extraction:
    """The text chosen for the summary and why: the page's, or the feed's with the reason."""

    paragraphs: tuple[str, ...]
    source: TextSource
    fallback_reason: str | None = None  # why the page was not used
    page: PageText | None = None


@dataclass(frozen=True)
class CaseStudy:
    title: str
    url: str | None
    source_name: str
    published_at: datetime | None
    reading_minutes: int | None  # unknown when only the feed's summary was read
    language: str  # the article's: the summary and key terms are in it
    locale: str  # the group's: the questions and the situation are in it
    theme: str
    summary: tuple[str, ...]
    key_terms: tuple[str, ...]
    questions: tuple[str, ...]
    situation: str
    text_source: TextSource
    fallback_reason: str | None = None
    article_id: int | None = None
    templates: tuple[str, ...] = ()  # keys of the question and situation templates it was given

    @property
    def summary_text(self) -> str:
        return " ".join(self.summary)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored with the posted case study."""
        data = asdict(self)
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        data["text_source"] = self.text_source.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseStudy:
        values = dict(data)
        published = values.get("published_at")
        values["published_at"] = datetime.fromisoformat(published) if published else None
        values["text_source"] = TextSource(values["text_source"])
        for key in ("summary", "key_terms", "questions", "templates"):
            values[key] = tuple(values.get(key, ()))
        return cls(**values)


@dataclass(frozen=True)
class Rejection:
    """Why an article cannot make a case study (the next candidate is tried)."""

    reason: str
