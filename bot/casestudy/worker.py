"""What worker processes run for case studies: read the page or fall back to the feed, then build.

One call per article, so a page crosses into a worker once and a `CaseStudy` comes back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.casestudy.build import BuildContext, build
from bot.casestudy.extract import NotAnArticle, extract_page
from bot.casestudy.model import ArticleInput, CaseStudy, Extraction, Rejection, TextSource
from bot.casestudy.sentences import paragraphs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchedPage:
    """The article page as fetched, or why it could not be."""

    body: bytes | None = None
    content_type: str | None = None
    final_url: str = ""
    error: str | None = None


def make_case_study(article: ArticleInput, page: FetchedPage, context: BuildContext) -> CaseStudy | Rejection:
    """The case study, or why not. Never raises: a page that trips a library is one rejected
    article, and the next candidate is tried."""
    try:
        extraction = choose_text(article, page)
        if isinstance(extraction, Rejection):
            return extraction
        return build(article, extraction, context)
    except Exception as exc:
        log.exception("building a case study of %s failed", article.url or article.title)
        return Rejection(f"the article could not be processed ({type(exc).__name__}); the error is logged")


def choose_text(article: ArticleInput, page: FetchedPage) -> Extraction | Rejection:
    """The page's main text; else the feed's summary, with the reason the page was not used."""
    if page.body is not None:
        try:
            text = extract_page(page.body, page.content_type, page.final_url or article.url or "")
        except NotAnArticle as exc:
            reason = str(exc)
        else:
            return Extraction(text.paragraphs, TextSource.PAGE, page=text)
    else:
        reason = page.error or "the article has no link"
    summary = paragraphs(article.summary)
    if not summary:
        return Rejection(f"{reason}, and the feed gives no summary")
    return Extraction(tuple(summary), TextSource.FEED, fallback_reason=reason)
