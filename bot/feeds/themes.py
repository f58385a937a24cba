"""Theme relevance: how strongly an article speaks of each theme of `feeds.toml`.

Keywords and article text are folded (case, accents) and stemmed with the Snowball stemmer of each
language, so "recruteurs" meets "recruteur" and "E-Réputation" meets "e-reputation". A hit in the
title weighs more than one in the summary; the score grows with hits and saturates below 1.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from bot.feeds.text import tokens

LANGUAGES = ("fr", "en")
TITLE_WEIGHT = 3.0
SUMMARY_WEIGHT = 1.0
SATURATION = 4.0  # weighted hits at which a theme scores 1 - 1/e ≈ 0.63
PHRASE_BONUS = 0.5  # per word after the first
REPEATS_COUNTED = 2  # occurrences of one keyword that count, in the title and in the text
ON_TOPIC_THRESHOLD = 0.2  # one keyword in the summary is enough; nothing at all is off-topic


@dataclass(frozen=True)
class ThemeKeywords:
    """What the scorer needs of a theme (plain data, so it can cross into worker processes)."""

    id: str
    fr: tuple[str, ...]
    en: tuple[str, ...]


@lru_cache(maxsize=2)
def _stemmer(language: str) -> snowballstemmer.Stemmer:
    return snowballstemmer.stemmer("french" if language == "fr" else "english")


# Snowball is pure Python; words recur from article to article, so each is stemmed once.
_STEMS: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
_STEM_CACHE_LIMIT = 200_000


def stem_words(words: list[str], language: str) -> list[str]:
    cache = _STEMS[language]
    missing = [word for word in words if word not in cache]
    if missing:
        if len(cache) > _STEM_CACHE_LIMIT:
            cache.clear()
        unique = list(dict.fromkeys(missing))
        cache.update(zip(unique, _stemmer(language).stemWords(unique), strict=True))
    return [cache[word] for word in words]


def stems(text: str, language: str) -> list[str]:
    return stem_words(tokens(text), language)


class ThemeScorer:
    def __init__(self, themes: Sequence[ThemeKeywords]) -> None:
        self.theme_ids = tuple(theme.id for theme in themes)
        # For each stemming language: first stem → [(theme, full stemmed phrase)].
        self._index: dict[str, dict[str, list[tuple[str, tuple[str, ...]]]]] = {}
        for language in LANGUAGES:
            index: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
            for theme in themes:
                for keyword in (*theme.fr, *theme.en):
                    phrase = tuple(stems(keyword, language))
                    if phrase and (theme.id, phrase) not in index[phrase[0]]:
                        index[phrase[0]].append((theme.id, phrase))
            self._index[language] = dict(index)

    def score(self, title_words: list[str], summary_words: list[str]) -> dict[str, float]:
        """Each theme's score in [0, 1) from the `tokens` of a title and summary, for themes hit."""
        hits: dict[str, float] = defaultdict(float)
        words = ((title_words, TITLE_WEIGHT), (summary_words, SUMMARY_WEIGHT))
        for language in LANGUAGES:
            index = self._index[language]
            for text_words, weight in words:
                seen: Counter[tuple[str, tuple[str, ...]]] = Counter()
                for theme_id, phrase in _matches(stem_words(text_words, language), index):
                    seen[(theme_id, phrase)] += 1
                    if seen[(theme_id, phrase)] > REPEATS_COUNTED:
                        continue  # a generic word repeated all along says less than several keywords
                    # "CV vidéo" says more than "recruteur": a phrase is a more specific keyword.
                    hits[theme_id] += weight * (1 + PHRASE_BONUS * (len(phrase) - 1))
        # Both stemmers see the same words: halve so that a word matched in both counts once.
        return {theme: round(1 - math.exp(-(count / 2) / SATURATION), 3) for theme, count in hits.items()}


def _matches(
    words: list[str], index: dict[str, list[tuple[str, tuple[str, ...]]]]
) -> Iterable[tuple[str, tuple[str, ...]]]:
    """(theme, stemmed keyword) for each keyword found."""
    for position, word in enumerate(words):
        for theme_id, phrase in index.get(word, ()):
            if tuple(words[position : position + len(phrase)]) == phrase:
                yield theme_id, phrase


def is_off_topic(scores: dict[str, float]) -> bool:
    return not scores or max(scores.values()) < ON_TOPIC_THRESHOLD
