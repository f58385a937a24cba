"""Text from feeds made plain and comparable: HTML stripped, accents folded, tokens, language, fingerprint."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

from lxml import etree
from lxml import html as lxml_html

_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"[a-z0-9]+")
_TAG = re.compile(r"<[^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")  # never text; lxml refuses them
_BLOCK_TAGS = {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote"}
_SKIPPED_TAGS = {"script", "style", "noscript", "template", "svg"}


def plain_text(markup: str | None) -> str:
    """HTML (or text with entities) as one line of plain text, whitespace collapsed."""
    if not markup:
        return ""
    markup = _CONTROL.sub("", markup)
    text = _html_text(markup) if "<" in markup else html.unescape(markup)
    # Entities double-escaped by some publishers (&amp;eacute;) survive one pass: unescape again.
    if "&" in text:
        text = html.unescape(text)
    return _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()


def _html_text(markup: str) -> str:
    """The text of an HTML fragment (lxml, in C: several times faster than html.parser), with a
    space where a block ends and nothing of scripts or styles."""
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return _TAG.sub(" ", markup)
    for hidden in root.iter(*_SKIPPED_TAGS):
        hidden.text = None
        for child in list(hidden):
            hidden.remove(child)
    for block in root.iter(*_BLOCK_TAGS):
        block.text = " " + (block.text or "")
        block.tail = " " + (block.tail or "")
    return str(root.text_content())


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def fold(text: str) -> str:
    """Case- and accent-insensitive ASCII form: "É-réputation" → "e-reputation" (other scripts drop)."""
    if text.isascii():
        return text.lower()
    # Decompose first (𝐀 → A, é → e + accent), then fold case (A → a, ß → ss), then drop the rest.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return decomposed.encode("ascii", "ignore").decode("ascii")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


# The most frequent words of each language: enough to tell French from English in a few lines.
_STOPWORDS = {
    "fr": frozenset(
        (
            "le la les un une des du de et est en que qui pour dans sur au aux pas par plus ce cette "
            "ces il elle ils sont avec ne se son sa ses leur nous vous mais ou comme tout etre a d l "
            "qu"
        ).split()
    ),
    "en": frozenset(
        (
            "the a an and is are of to in for on that with as by this it be was were from at or not "
            "have has they their you we but which will can its more about how what"
        ).split()
    ),
}


def detect_language(words: list[str]) -> str | None:
    """ "fr" or "en" when the words (see `tokens`) clearly are one of them, else None."""
    if len(words) < 4:
        return None
    counts = {lang: sum(word in stop for word in words) for lang, stop in _STOPWORDS.items()}
    best = max(counts, key=lambda lang: counts[lang])
    other = min(counts, key=lambda lang: counts[lang])
    if counts[best] < 2 or counts[best] < 1.5 * counts[other]:
        return None
    return best


def fingerprint(title_words: list[str], summary_words: list[str]) -> str:
    """Identical for the same story text whatever its markup, case, accents or punctuation."""
    words = title_words + summary_words[:60]
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:32]
