"""An extractive summary: the sentences of the article that say the most of it (3 or 4 from a
page; a feed's short summary may give only 2, the least a case study accepts).

Sentences are scored by LexRank (centrality in the graph of their stemmed-word cosine similarity)
with a lead bonus (news put the essential first: the bonus goes to the body's first sentence) and a
bonus for sharing words with the title; the best are taken without near-repeats, within the
summary's character budget, and given back in the article's order. Sentences that are not prose
(too short, cut, boilerplate), questions (a summary states, it does not ask), the article's
subheadings and sentences that only repeat the title are never candidates.

LexRank is a few lines over the stems we already compute; sumy would bring NLTK (1.5 s, 140 MB).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.casestudy.model import MAX_SUMMARY_SENTENCES, SUMMARY_MAX
from bot.casestudy.sentences import sentences
from bot.feeds.stopwords import STOPWORDS
from bot.feeds.text import tokens
from bot.feeds.themes import stem_words

MAX_SENTENCES_READ = 150  # the lead holds the story; 100,000-word pages are read this far only
MIN_WORDS, MAX_WORDS = 6, 70
MAX_SENTENCE_CHARS = 450
SIMILARITY_EDGE = 0.1  # LexRank's threshold for an edge between two sentences
REPEAT = 0.5  # a sentence this similar to one already chosen adds nothing
TITLE_REPEAT = 0.6  # a sentence this similar to the title tells the reader nothing new
DAMPING = 0.85

# "…" is left out: feeds cut their summaries with it ("[…]"), and a cut sentence is no sentence.
_ENDS_PROPERLY = re.compile(r"(?<!\.\.)[.!?][\s\"'”’»)\]]*$")
_STARTS_PROPERLY = re.compile(r"^[\"'“‘«(\[¿¡]?\s*[A-ZÀ-ÖØ-Þ0-9]")
# Site furniture that slips through extraction; matched on folded text.
_BOILERPLATE = re.compile(
    r"cookie|newsletter|abonnez|abonne[sz]?\b|subscri|lire aussi|a lire|read also|read more|see also|"
    r"voir aussi|partager|share (this|on)|tous droits|all rights reserved|\(c\)|cliquez|click here|"
    r"inscrivez|sign up|suivez[- ]nous|follow us|publicite|advertis|credit photo|photo credit|"
    r"est (journaliste|redact)|is an? (senior |staff )?(journalist|reporter|writer|editor)|"
    r"javascript|votre navigateur|your browser"
)
_SOURCE_LINE = re.compile(r"^\W*(?:sources?|méthodologie|methodology)\s*:", re.IGNORECASE)  # a chart's credit


@dataclass(frozen=True)
class _Sentence:
    text: str
    position: int  # order in the article
    stems: Counter[str]


def summarise(
    paragraphs: Sequence[str],
    language: str,
    title: str = "",
    *,
    headings: Sequence[str] = (),
    limit: int = SUMMARY_MAX,
    count: int = MAX_SUMMARY_SENTENCES,
) -> tuple[str, ...]:
    """Up to `count` whole sentences of the text, in its order, together at most `limit` characters."""
    title_stems = Counter(_stems(title, language))
    candidates = [
        sentence
        for sentence in _candidates(paragraphs, language, limit)
        if not _is_heading(sentence.text, headings) and _cosine(sentence.stems, title_stems) < TITLE_REPEAT
    ]
    if not candidates:
        return ()
    scores = _scores(candidates, title_stems)
    chosen: list[_Sentence] = []
    used = 0
    for index in sorted(range(len(candidates)), key=lambda i: -scores[i]):
        sentence = candidates[index]
        cost = len(sentence.text) + (1 if chosen else 0)
        if used + cost > limit or any(_cosine(sentence.stems, c.stems) > REPEAT for c in chosen):
            continue
        chosen.append(sentence)
        used += cost
        if len(chosen) == count:
            break
    return tuple(s.text for s in sorted(chosen, key=lambda s: s.position))


def is_prose(sentence: str) -> bool:
    """Whether a sentence can stand in a summary: whole, of a decent length, not site furniture."""
    words = sentence.split()
    return (
        MIN_WORDS <= len(words) <= MAX_WORDS
        and len(sentence) <= MAX_SENTENCE_CHARS
        and bool(_ENDS_PROPERLY.search(sentence))
        and bool(_STARTS_PROPERLY.match(sentence))
        and not sentence.rstrip("»”\"' ").endswith(":")
        and not is_boilerplate(sentence)
    )


def is_question(sentence: str) -> bool:
    """« Faut-il tout arrêter ? », "Is it worth it?": rhetorical or not, no summary sentence."""
    return sentence.rstrip("»”\"'’) \u00a0").endswith("?")


def is_boilerplate(sentence: str) -> bool:
    """Site furniture that slips through extraction: "Lire aussi", a newsletter box, a credit…"""
    return bool(_BOILERPLATE.search(" ".join(tokens(sentence))) or _SOURCE_LINE.match(sentence))


def _is_heading(sentence: str, headings: Sequence[str]) -> bool:
    flat = " ".join(sentence.split())
    return any(flat == heading or (len(heading) > 20 and heading in flat) for heading in headings)


def _candidates(paragraphs: Sequence[str], language: str, limit: int) -> list[_Sentence]:
    found: list[_Sentence] = []
    position = 0
    for paragraph in paragraphs:
        for text in sentences(paragraph):
            position += 1
            if position > MAX_SENTENCES_READ:
                return found
            if len(text) <= limit and is_prose(text) and not is_question(text):
                stems = Counter(_stems(text, language))
                if stems:
                    found.append(_Sentence(text, position, stems))
    return found


def _stems(text: str, language: str) -> list[str]:
    return stem_words([w for w in tokens(text) if w not in STOPWORDS and len(w) > 1], language)


def _scores(candidates: list[_Sentence], title: Counter[str]) -> list[float]:
    """LexRank centrality, weighted towards the lead and the title's words."""
    n = len(candidates)
    idf = _idf(candidates)
    vectors = [{stem: tf * idf[stem] for stem, tf in s.stems.items()} for s in candidates]
    edges: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if _cosine(vectors[i], vectors[j]) > SIMILARITY_EDGE:
                edges[i].append(j)
                edges[j].append(i)
    rank = [1.0 / n] * n
    for _ in range(30):
        rank = [
            (1 - DAMPING) / n + DAMPING * sum(rank[j] / len(edges[j]) for j in edges[i]) for i in range(n)
        ]
    top = max(rank)
    first = candidates[0].position
    return [
        rank[i] / top
        + 0.6 / (1 + (s.position - first) / 2)  # the lead: news say the essential first
        + 0.4 * _cosine(s.stems, title)
        for i, s in enumerate(candidates)
    ]


def _idf(candidates: list[_Sentence]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for sentence in candidates:
        df.update(sentence.stems.keys())
    n = len(candidates)
    return {stem: math.log((1 + n) / (1 + count)) + 1 for stem, count in df.items()}


def _cosine(a: dict[str, float] | Counter[str], b: dict[str, float] | Counter[str]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(value * b.get(key, 0) for key, value in a.items())
    if not dot:
        return 0.0
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm
