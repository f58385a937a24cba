"""Paragraphs and sentences of French and English prose.

A sentence ends at `.`, `!`, `?` or `…` (with any closing quote or bracket after it) when the next
sentence starts: a capital, a digit or an opening quote after a space. It does not end after the
abbreviations of either language (« M. Dupont », "Dr. Smith", "p. ex.", "U.S."), after an initial
("J. K. Rowling") or inside a number ("3.5 %", "1,2 million"), nor inside a « quotation » or a
"quotation" of several sentences; a quotation that ends with its own full stop stays with the
words that introduce it.

Written here rather than taken from pysbd: pysbd (unmaintained since 2021) is slow on long texts,
and these rules are all a summary needs.
"""

from __future__ import annotations

import re

# Lower-case, without the final dot. Both languages at once: articles quote each other.
_ABBREVIATIONS = frozenset(
    """
    m mm mme mmes mlle mlles dr drs pr pre st ste me mgr cie ets ex env cf etc vol chap fig p pp
    art av bd hab tel tél no nos n° réf ref min max approx vs mr mrs ms prof sr jr inc ltd corp co
    dept est jan feb mar apr jun jul aug sep sept oct nov dec janv févr fevr avr juil déc
    e.g i.e u.s u.k u.e a.m p.m ph.d
    """.split()
)
# "etc." ends a sentence when a capital follows; the others never do.
_MAY_END = frozenset({"etc", "inc", "ltd", "corp", "co", "min", "max", "jr", "sr"})

_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["
# A candidate end: terminal punctuation, closing marks, spaces, then what may start a sentence.
# Possessive quantifiers (`++`, `*+`): a run of 20,000 dots or spaces must not make the engine
# backtrack through every way of splitting it.
_END = re.compile(
    rf"(?P<stop>[.!?…]++)(?P<close>(?:[\s\u00a0]*+[{re.escape(_CLOSERS)}])*+)\s++"
    rf"(?=[{re.escape(_OPENERS)}]?\s*[A-ZÀ-ÖØ-Þ0-9¿¡])"
)
_WORD_BEFORE = re.compile(r"([\w.°'’-]+)$")
WORD_WINDOW = 64  # characters before a full stop that can hold the abbreviation it may end
QUOTE_PAIRS = (("«", "»"), ("“", "”"))
MAX_QUOTED = 600  # a quotation left open this long was never closed: split anyway
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")
_SPACES = re.compile(r"[ \t\u00a0\u202f]+")


def paragraphs(text: str) -> list[str]:
    """Paragraphs of extracted text: trafilatura separates them with a single newline."""
    return [p for p in (_SPACES.sub(" ", part).strip() for part in _PARAGRAPH_BREAK.split(text)) if p]


def sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph, each stripped; never splits inside a word or number."""
    found: list[str] = []
    start = 0
    for match in _END.finditer(paragraph):
        stop = match.group("stop")
        if stop == "." and not _closes_sentence(paragraph[start : match.start()][-WORD_WINDOW:], match):
            continue
        end = match.end("close")
        if _inside_quotation(paragraph[start:end]):
            continue  # « Nous recrutons. Venez ! » is one sentence, not two halves of a quote
        found.append(paragraph[start:end].strip())
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        found.append(tail)
    return found


def _inside_quotation(text: str) -> bool:
    if len(text) > MAX_QUOTED:
        return False
    # "We tried everything. Nothing worked," she said: straight quotes open and close alike.
    straight_open = text.count('"') % 2 == 1
    return straight_open or any(text.count(opening) > text.count(closing) for opening, closing in QUOTE_PAIRS)


def _closes_sentence(before: str, match: re.Match[str]) -> bool:
    """Whether a single full stop ends the sentence, given the words before it."""
    if match.group("close").strip():
        return True  # « … nous recrutons. » Il ajoute : a quotation closed after its full stop
    word = _WORD_BEFORE.search(before)
    if word is None:
        return True
    token = word.group(1).lower().strip("'’-")
    if len(token) == 1 and token.isalpha():
        return False  # an initial: "J. K. Rowling"
    if token in _ABBREVIATIONS:
        # "etc. Les jeunes…" ends; "min. 5 ans" goes on.
        return token in _MAY_END and not match.string[match.end() : match.end() + 1].isdigit()
    return not ("." in token and len(token) <= 6)  # "U.S.", "p.ex." and other dotted short forms
