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

from bot.casestudy.analysis import analyse
from bot.casestudy.bank import Picked, QuestionBank
from bot.casestudy.keyterms import TermStats, domain_words, key_terms
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
from bot.casestudy.organisations import Organisation
from bot.casestudy.slots import quotes
from bot.casestudy.summarise import summarise
from bot.feeds.text import detect_language, fold, plain_text, shorten, tokens
from bot.feeds.themes import ThemeKeywords, is_off_topic, scorer_for

WORDS_PER_MINUTE = 230
THEME_WORDS = 1200  # the title and the first thousand words say what an article is about
# The ranking's theme (rotation counted) stands when the page scores it this close to its best.
PREFERRED_THEME_MARGIN = 0.8
# A question asks about an organisation the article comes back to, and one known to be one: a name
# the article repeats may be a person's ("Benali"), one named once plays no part in the story.
QUESTION_ORGANISATION_MENTIONS = 2
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
    forced_theme: str | None = None  # a moderator's choice: the case study is on this theme
    preferred_theme: str | None = None  # the ranking's choice: kept unless the page says otherwise
    required_language: str | None = None  # only articles in this language (`preview --lang`)
    used_templates: tuple[str, ...] = ()  # the template keys the group was given, most recent first


@dataclass(frozen=True)
class Draft:
    """A case study and what its templates were filled with (for measurements)."""

    case_study: CaseStudy
    values: Mapping[str, str]
    picked: Picked


def build(article: ArticleInput, extraction: Extraction, context: BuildContext) -> CaseStudy | Rejection:
    made = draft(article, extraction, context)
    return made.case_study if isinstance(made, Draft) else made


def draft(article: ArticleInput, extraction: Extraction, context: BuildContext) -> Draft | Rejection:
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
    summary = summarise(text, language, title, headings=page.headings if page else ())
    if len(summary) < MIN_SUMMARY_SENTENCES:
        why = f" ({extraction.fallback_reason})" if extraction.fallback_reason else ""
        return Rejection(f"not enough whole sentences for a summary{why}")
    theme = _theme(title, text, language, context)
    if isinstance(theme, Rejection):
        return theme
    source = shorten(
        article.source_name or (page.site_name if page and page.site_name else "") or "?", SOURCE_MAX
    )
    analysis = analyse(text, title, language, source)
    terms = key_terms(
        analysis.tagged,
        analysis.title,
        language,
        context.stats,
        people=analysis.people,
        organisations=analysis.organisations,
        keywords=_keywords(context.themes),
        generic=generic_words(context.themes, language),
        field=field_words(context.themes, language),
    )
    quoted = quotes(analysis.sentences_with_a_verb(), language, avoid=summary)
    label = context.theme_labels.get(theme, {}).get(context.locale, theme)
    # A platform is a key term on the card, but « le terme « LinkedIn » » makes a poor question:
    # the article's concepts fill {term} first, {org} asks about organisations.
    names = {fold(organisation.name) for organisation in analysis.organisations}
    concepts = sorted(terms, key=lambda term: fold(term) in names)
    values = {
        "term": concepts[0] if concepts else "",
        "term2": concepts[1] if len(concepts) > 1 else "",
        "source": source,
        "theme": label,
        "claim": quoted.claim or "",
        "figure": quoted.figure or "",
        "org": _organisation(analysis.organisations, quoted.claim or quoted.figure),
    }
    picked = context.bank.pick(
        theme, context.locale, values, seed=_seed(article, title), used=context.used_templates
    )
    words = sum(len(p.split()) for p in text)
    case = CaseStudy(
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
        questions=picked.questions,
        situation=picked.situation,
        text_source=extraction.source,
        fallback_reason=extraction.fallback_reason,
        article_id=article.id,
        templates=picked.templates,
    )
    return Draft(case, values, picked)


def _organisation(organisations: Sequence[Organisation], quoted: str | None) -> str:
    """The organisation a question may ask about; when the article gives nothing to quote, the
    one it names most, so that a question still cites it."""
    for organisation in organisations:
        if organisation.known and organisation.mentions >= QUESTION_ORGANISATION_MENTIONS:
            return organisation.with_determiner
    return organisations[0].with_determiner if organisations and not quoted else ""


def _language(article: ArticleInput, extraction: Extraction) -> str | None:
    """What the text itself says first (feeds and pages mislabel), then the page, then the feed."""
    words = tokens(" ".join(extraction.paragraphs[:20]))
    detected = detect_language(words)
    if detected:
        return detected
    declared = extraction.page.language if extraction.page else None
    return declared or article.language


def _theme(title: str, text: Sequence[str], language: str, context: BuildContext) -> str | Rejection:
    """The theme the text is about, among the group's; the ranking's choice when the text scores
    it nearly as well (a neglected theme gets its turn); a moderator's choice whatever the text."""
    if context.forced_theme:
        return context.forced_theme
    words = tokens(" ".join(text))[:THEME_WORDS]
    scores = scorer_for(context.themes).score(tokens(title), words, language, context.stats.rarity)
    if is_off_topic(scores):
        return Rejection("the article's text is about none of the themes")
    allowed = {t: s for t, s in scores.items() if not context.allowed_themes or t in context.allowed_themes}
    if not allowed or is_off_topic(allowed):
        return Rejection("the article matches none of the group's themes")
    best = max(allowed, key=lambda theme: (allowed[theme], theme))
    preferred = context.preferred_theme
    if preferred in allowed and allowed[preferred] >= PREFERRED_THEME_MARGIN * allowed[best]:
        return preferred
    return best


@lru_cache(maxsize=8)
def generic_words(themes: tuple[ThemeKeywords, ...], language: str) -> frozenset[str]:
    """Stems of the words several themes' descriptions share: too common in the field to teach."""
    return domain_words((theme.about(language) for theme in themes), language)


@lru_cache(maxsize=8)
def field_words(themes: tuple[ThemeKeywords, ...], language: str) -> frozenset[str]:
    """Stems of every theme's keywords: a phrase said once or twice needs one to be a term."""
    # The keywords only: the descriptions and examples tell how articles are written, and their
    # everyday words ("photos", "night") would let any chance pair through.
    texts = (" ".join((*theme.fr, *theme.en)) for theme in themes)
    return domain_words(texts, language, shared_by=1)


def _keywords(themes: tuple[ThemeKeywords, ...]) -> tuple[str, ...]:
    return tuple(keyword for theme in themes for keyword in (*theme.fr, *theme.en))


def _seed(article: ArticleInput, title: str) -> str:
    key = article.url or f"{article.source_name}|{title}"
    return hashlib.sha256(key.encode()).hexdigest()
