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
    """At most `limit` characters, whitespace collapsed, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
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


# The most frequent words of each language: enough to tell languages apart in a few lines. The
# bot works in French and English; the others are here so that a Spanish article is called Spanish
# rather than "French" for sharing "de", "la" and "que".
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
    "es": frozenset(
        "el los las del y por para con una es al lo como pero sus ya este porque esta cuando muy sin sobre "
        "tambien hasta hay donde desde todo durante uno ni otros eso ellos esto".split()
    ),
    "de": frozenset(
        "der die das und ist nicht mit sich auf fur dem den des ein eine einer zu im auch es sie bei "
        "wird werden sind oder aus nach wie uber noch nur".split()
    ),
    "it": frozenset(
        "il di che e per gli della delle non sono con una nel alla anche come piu questo sua loro "
        "degli ha essere".split()
    ),
    "pt": frozenset(
        "o os da das do dos em que um uma para com nao por mais como mas ao seu sua ou ser quando "
        "muito tambem pelo pela".split()
    ),
}


def detect_language(words: list[str]) -> str | None:
    """The language of the words (see `tokens`) when it is clear: "fr", "en" (or "es", "de", "it",
    "pt", so that they are not mistaken for ours), else None."""
    if len(words) < 4:
        return None
    counts = {lang: sum(word in stop for word in words) for lang, stop in _STOPWORDS.items()}
    ranked = sorted(counts, key=lambda lang: counts[lang], reverse=True)
    best, second = ranked[0], ranked[1]
    if counts[best] < 2 or counts[best] < 1.5 * counts[second]:
        return None
    return best


def fingerprint(title_words: list[str], summary_words: list[str]) -> str:
    """Identical for the same story text whatever its markup, case, accents or punctuation."""
    words = title_words + summary_words[:60]
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:32]
