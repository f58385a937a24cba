"""Key terms: the words and two-word phrases most distinctive of an article.

Distinctive means frequent in this article and rare in the articles already stored (tf-idf, the
document frequencies coming from `TermStats`). Terms are compared by stem, so "recruteur" and
"recruteurs" are one term, and shown in the form the article uses most.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.casestudy.model import KEY_TERM_MAX, KEY_TERMS
from bot.casestudy.stopwords import STOPWORDS
from bot.feeds.text import fold
from bot.feeds.themes import stem_words

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
_BREAK = re.compile(r"[.,;:!?()\[\]«»\"“”…/|–—]|\s-\s")  # a phrase never spans these
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
MIN_LENGTH = 3
TITLE_BONUS = 1.5
ONCE_PENALTY = 0.3


@dataclass(frozen=True)
class TermStats:
    """How many stored articles of each language contain each stem (for idf)."""

    documents: dict[str, int] = field(default_factory=dict)
    frequencies: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def from_texts(cls, texts: Iterable[tuple[str, str]]) -> TermStats:
        """From (language, text) pairs: the titles and summaries of stored articles."""
        documents: Counter[str] = Counter()
        frequencies: dict[str, Counter[str]] = defaultdict(Counter)
        for language, text in texts:
            documents[language] += 1
            frequencies[language].update({word.stem for word in _words(text, language)})
        return cls(dict(documents), {lang: dict(counts) for lang, counts in frequencies.items()})

    def idf(self, stem: str, language: str) -> float:
        total = self.documents.get(language, 0)
        seen = self.frequencies.get(language, {}).get(stem, 0)
        return math.log((1 + total) / (1 + seen)) + 1


def key_terms(
    paragraphs: Sequence[str], title: str, language: str, stats: TermStats, count: int = KEY_TERMS
) -> tuple[str, ...]:
    # The title counts once: pages repeat it as their first line, and counted twice a chance pair
    # of its words ("faut-il nettoyer") would pass for a phrase.
    text = "\n".join([title, *(p for p in paragraphs if p.strip() != title.strip())])
    title_stems = {word.stem for word in _words(title, language)}
    singles: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    forms: dict[str | tuple[str, str], Counter[str]] = defaultdict(Counter)
    for chunk in _BREAK.split(text):
        run = _words(chunk, language)
        for word in run:
            singles[word.stem] += 1
            forms[word.stem][word.surface] += 1
        for first, second in itertools.pairwise(run):
            if second.position == first.position + 1:  # no stop word between them
                pairs[(first.stem, second.stem)] += 1
                forms[(first.stem, second.stem)][f"{first.surface} {second.surface}"] += 1

    scored: dict[str | tuple[str, str], float] = {}
    for stem, tf in singles.items():
        # A word said once (in the title, say) is an example of a term only when nothing else is.
        once = ONCE_PENALTY if tf < 2 else 1
        scored[stem] = once * tf * stats.idf(stem, language) * (TITLE_BONUS if stem in title_stems else 1)
    for (a, b), tf in pairs.items():
        if tf >= 2:  # a phrase said once is a coincidence of words
            bonus = TITLE_BONUS if {a, b} <= title_stems else 1
            # Summed, not averaged: "CV vidéo" must beat "CV", which is counted inside it too.
            scored[(a, b)] = tf * bonus * (stats.idf(a, language) + stats.idf(b, language))
    names = _person_names(forms)

    chosen: list[str | tuple[str, str]] = []
    for term in sorted(scored, key=lambda k: (-scored[k], str(k))):
        parts = {term} if isinstance(term, str) else set(term)
        if parts & names or any(_overlaps(parts, other) for other in chosen):
            continue
        if len(_surface(forms[term])) <= KEY_TERM_MAX:
            chosen.append(term)
        if len(chosen) == count:
            break
    return tuple(_surface(forms[term]) for term in chosen)


def _person_names(forms: dict[str | tuple[str, str], Counter[str]]) -> set[str]:
    """Stems of people's names: a pair of capitalised words ("Laure Bastien"), whose parts then
    recur alone ("Bastien explique"). Quoted people are not what an article is about; brands
    ("LinkedIn", "Welcome to the Jungle", "CNIL") do not have this shape and are kept."""
    names: set[str] = set()
    for term, spellings in forms.items():
        if isinstance(term, tuple) and all(_is_name(form) for form in spellings):
            names.update(term)
    return names


def _is_name(pair: str) -> bool:
    return all(word[:1].isupper() and word[1:].islower() and len(word) > 1 for word in pair.split(" "))


def _overlaps(parts: set[str], other: str | tuple[str, str]) -> bool:
    return bool(parts & ({other} if isinstance(other, str) else set(other)))


def _surface(forms: Counter[str]) -> str:
    """The article's usual spelling; a capital that only starts a sentence does not count."""
    best = max(forms, key=lambda form: (forms[form], form.islower()))
    lowered = [form for form in forms if form.islower()]
    if lowered and not best.islower() and best[1:].islower():  # "Recruteurs" opening a sentence
        return max(lowered, key=lambda form: forms[form])
    return best


@dataclass(frozen=True)
class _Word:
    surface: str
    stem: str
    position: int  # among all the words of the text, stop words included


def _words(text: str, language: str) -> list[_Word]:
    """The content words of `text`, in order."""
    found: list[tuple[str, str, int]] = []
    for position, match in enumerate(_WORD.finditer(text)):
        surface = _ELISION.sub("", match.group())
        key = fold(surface).replace("’", "'")
        acronym = len(surface) >= 2 and surface.isupper()  # "CV", "RH", "IA" say a lot
        if (len(key) >= MIN_LENGTH or acronym) and key not in STOPWORDS:
            found.append((surface, key, position))
    stems = stem_words([key for _, key, _ in found], language)
    return [_Word(surface, stem, position) for (surface, _, position), stem in zip(found, stems, strict=True)]
