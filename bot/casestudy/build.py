"""From an article and its text to a complete `CaseStudy`, or the reason there cannot be one.

Pure and deterministic: the same article, text and context give the same case study. Runs in a
worker process (see `bot.casestudy.worker`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.casestudy.bank import QuestionBank
from bot.casestudy.keyterms import TermStats, key_terms
from bot.casestudy.model import (
    LANGUAGES,
    MIN_SUMMARY_SENTENCES,
    SOURCE_MAX,
    TITLE_MAX,
    ArticleInput,
    CaseStudy,
    Extraction,
    Rejection,
    TextSource,
)
from bot.casestudy.summarise import summarise
from bot.feeds.text import detect_language, plain_text, shorten, tokens
from bot.feeds.themes import ThemeKeywords, ThemeScorer

WORDS_PER_MINUTE = 230
THEME_WORDS = 400  # the title and the lead say what an article is about
LANGUAGE_NAMES = {"es": "Spanish", "de": "German", "it": "Italian", "pt": "Portuguese"}


@dataclass(frozen=True)
class BuildContext:
    """What a build needs besides the article: plain data, so it can cross into a worker."""

    themes: tuple[ThemeKeywords, ...]
    theme_labels: Mapping[str, Mapping[str, str]]  # theme id → {"fr": label, "en": label}
    bank: QuestionBank
    stats: TermStats
    locale: str = "fr"  # the group's language: questions and situation are written in it
    allowed_themes: tuple[str, ...] = ()  # the group's themes; empty: all
    forced_theme: str | None = None
    required_language: str | None = None  # only articles in this language (`preview --lang`)


def build(article: ArticleInput, extraction: Extraction, context: BuildContext) -> CaseStudy | Rejection:
    page = extraction.page
    title = shorten(plain_text(article.title or (page.title if page else "") or ""), TITLE_MAX)
    text = extraction.paragraphs
    language = _language(article, extraction)
    if language not in LANGUAGES:
        name = LANGUAGE_NAMES.get(language or "", "neither French nor English")
        return Rejection(f"the article is in {name}; case studies are in French or English")
    if context.required_language and language != context.required_language:
        wanted = "English" if context.required_language == "en" else "French"
        return Rejection(f"the article is not in {wanted}, the language asked for")
    summary = summarise(text, language, title)
    if len(summary) < MIN_SUMMARY_SENTENCES:
        why = f" ({extraction.fallback_reason})" if extraction.fallback_reason else ""
        return Rejection(f"not enough whole sentences for a summary{why}")
    theme = _theme(title, text, context)
    if theme is None:
        return Rejection("the article matches none of the group's themes")
    terms = key_terms(text, title, language, context.stats)
    source = shorten(
        article.source_name or (page.site_name if page and page.site_name else "") or "?", SOURCE_MAX
    )
    label = context.theme_labels.get(theme, {}).get(context.locale, theme)
    values = {
        "term": terms[0] if terms else "",
        "term2": terms[1] if len(terms) > 1 else "",
        "source": source,
        "theme": label,
    }
    questions, situation = context.bank.pick(theme, context.locale, values, seed=_seed(article, title))
    words = sum(len(p.split()) for p in text)
    return CaseStudy(
        title=title or shorten(summary[0], TITLE_MAX),
        url=article.url,
        source_name=source,
        published_at=article.published_at or (page.published_at if page else None),
        reading_minutes=max(1, math.ceil(words / WORDS_PER_MINUTE))
        if extraction.source is TextSource.PAGE
        else None,
        language=language,
        locale=context.locale,
        theme=theme,
        summary=summary,
        key_terms=terms,
        questions=questions,
        situation=situation,
        text_source=extraction.source,
        fallback_reason=extraction.fallback_reason,
        article_id=article.id,
    )


def _language(article: ArticleInput, extraction: Extraction) -> str | None:
    """What the text itself says first (feeds and pages mislabel), then the page, then the feed."""
    words = tokens(" ".join(extraction.paragraphs[:20]))
    detected = detect_language(words)
    if detected:
        return detected
    declared = extraction.page.language if extraction.page else None
    return declared or article.language


def _theme(title: str, text: Sequence[str], context: BuildContext) -> str | None:
    if context.forced_theme:
        return context.forced_theme
    lead = tokens(" ".join(text))[:THEME_WORDS]
    scores = _scorer(context.themes).score(tokens(title), lead)
    allowed = [t for t in scores if not context.allowed_themes or t in context.allowed_themes]
    if not allowed:
        return None
    return max(allowed, key=lambda theme: (scores[theme], theme))


@lru_cache(maxsize=4)
def _scorer(themes: tuple[ThemeKeywords, ...]) -> ThemeScorer:
    return ThemeScorer(themes)


def _seed(article: ArticleInput, title: str) -> str:
    key = article.url or f"{article.source_name}|{title}"
    return hashlib.sha256(key.encode()).hexdigest()
