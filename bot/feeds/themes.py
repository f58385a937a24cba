"""Theme relevance: how strongly an article speaks of each theme of `feeds.toml`.

Two kinds of evidence, both on words folded (case, accents) and stemmed with the Snowball stemmer
of each language, so that "recruteurs" meets "recruteur" and "E-Réputation" meets "e-reputation":

- **keywords**: a theme's phrases found as such ("cv vidéo", "marque employeur"). A hit in the title
  weighs more than one in the text, a phrase more than a word, a rare word more than a common one.
- **profile**: the whole text compared with the words of each theme's label, description, keywords
  and examples (a cosine over weighted stems). A word weighs by how specific it is in general
  language (`bot.feeds.frequency`), by how few themes share it, and, when the stored articles are
  known, by how few of them hold it: journalists rarely repeat a theme's name, but they use its
  vocabulary ("filmé", "webcam", "enregistrement" for the video CV).

The score grows with both and saturates below 1.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from bot.feeds.frequency import specificity
from bot.feeds.stopwords import STOPWORDS
from bot.feeds.text import tokens

LANGUAGES = ("fr", "en")
# Words are weighed by how common they are in either language: articles and keywords mix them, and
# a French « aux » is no rare word in an English profile.
ANY_LANGUAGE = "fr+en"
TITLE_WEIGHT = 3.0
SUMMARY_WEIGHT = 1.0
SATURATION = 128.0  # keyword hits that alone score 1 - 1/e: the profile leads, keywords tip a balance
PHRASE_BONUS = 5.0  # per word after the first: "cv vidéo" is the theme, "vidéo" could be anything
REPEATS_COUNTED = 2  # occurrences of one keyword that count, in the title and in the text
KEYWORD_RARITY_FLOOR = 0.4  # a common one-word keyword ("stage") still counts for something
PROFILE_WEIGHT = 4.0  # a cosine of 0.25 with a profile, common in on-topic articles, scores 0.63
PROFILE_SOURCES = {"keywords": 2.0, "about": 1.0}  # a keyword's words say more than an example's
MIN_SHARED_WORDS = 3  # words a text shares with a profile before the cosine counts in full
MIN_WORD_LENGTH = 3
SHORT_WORD = 3  # "ats", "rh": matched as written, never by stem
ON_TOPIC_THRESHOLD = 0.2  # below this on every theme, an article is off-topic
CANDIDATE_THRESHOLD = 0.06  # a feed summary this weak may still be on topic: its page decides

Rarity = Callable[[str, str], float]  # (stem, language) → weight of a stem among stored articles


@dataclass(frozen=True)
class ThemeKeywords:
    """What the scorer needs of a theme (plain data, so it can cross into worker processes)."""

    id: str
    fr: tuple[str, ...]
    en: tuple[str, ...]
    # The label, description and examples in each language: how articles on the theme are written.
    about_fr: str = ""
    about_en: str = ""

    def about(self, language: str) -> str:
        return self.about_en if language == "en" else self.about_fr


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


Phrase = tuple[str, ...]


@lru_cache(maxsize=4)
def scorer_for(themes: tuple[ThemeKeywords, ...]) -> ThemeScorer:
    """The scorer of `themes`, built once: its profiles weigh every word of every theme."""
    return ThemeScorer(themes)


class ThemeScorer:
    def __init__(self, themes: Sequence[ThemeKeywords]) -> None:
        self.theme_ids = tuple(theme.id for theme in themes)
        # For each text language: first stem (or folded word) → [(theme, phrase, weight)].
        self._index: dict[str, dict[str, list[tuple[str, Phrase, float]]]] = {}
        # For each language: theme → {stem: weight}, of unit length.
        self._profiles: dict[str, dict[str, dict[str, float]]] = {}
        for language in LANGUAGES:
            self._index[language] = _keyword_index(themes, language)
            self._profiles[language] = _profiles(themes, language)

    def score(
        self,
        title_words: list[str],
        summary_words: list[str],
        language: str | None = None,
        rarity: Rarity | None = None,
    ) -> dict[str, float]:
        """Each theme's score in [0, 1) from the `tokens` of a title and a text, for themes hit.

        `language` chooses the profile the text is compared with (both when unknown); `rarity`
        weighs stems by how rare they are among the stored articles (see `TermStats.rarity`)."""
        hits = self._keyword_hits(title_words, summary_words, language)
        similarity = self.similarity(title_words, summary_words, language, rarity)
        raw = {theme: PROFILE_WEIGHT * value for theme, value in similarity.items()}
        for theme, count in hits.items():
            raw[theme] = raw.get(theme, 0.0) + count / SATURATION
        return {theme: round(1 - math.exp(-value), 3) for theme, value in raw.items() if value > 0}

    def similarity(
        self,
        title_words: list[str],
        text_words: list[str],
        language: str | None = None,
        rarity: Rarity | None = None,
    ) -> dict[str, float]:
        """The cosine between the text and each theme's profile, in the text's language (the
        better of both when unknown)."""
        best: dict[str, float] = {}
        for candidate in _languages(language):
            vector = _text_vector(title_words, text_words, candidate, rarity)
            if not vector:
                continue
            for theme, profile in self._profiles[candidate].items():
                shared = [weight * profile[stem] for stem, weight in vector.items() if stem in profile]
                # One rare word in common ("enseigne" in an example) is a coincidence, not a topic.
                value = sum(shared) * min(1.0, len(shared) / MIN_SHARED_WORDS)
                if value > best.get(theme, 0.0):
                    best[theme] = value
        return best

    def _keyword_hits(
        self, title_words: list[str], summary_words: list[str], language: str | None = None
    ) -> dict[str, float]:
        """Weighted keyword hits, in the text's language (the better of both when unknown)."""
        best: dict[str, float] = {}
        for candidate in _languages(language):
            hits: dict[str, float] = defaultdict(float)
            index = self._index[candidate]
            for text_words, weight in ((title_words, TITLE_WEIGHT), (summary_words, SUMMARY_WEIGHT)):
                seen: Counter[tuple[str, Phrase]] = Counter()
                keys = _match_keys(text_words, candidate)
                for theme_id, phrase, strength in _matches(keys, index):
                    seen[(theme_id, phrase)] += 1
                    if seen[(theme_id, phrase)] > REPEATS_COUNTED:
                        continue  # a generic word repeated all along says less than several keywords
                    hits[theme_id] += weight * strength
            for theme, count in hits.items():
                best[theme] = max(best.get(theme, 0.0), count)
        return best


def _languages(language: str | None) -> tuple[str, ...]:
    """The text's language, or both when it is unknown (the better of the two counts)."""
    return (language,) if language in LANGUAGES and language is not None else LANGUAGES


def _match_keys(words: list[str], language: str) -> list[str]:
    """What keywords are matched on in a text of `language`: each word's stem, and the word
    itself (see `_keyword_index`)."""
    return [f"{stem}|{word}" for word, stem in zip(words, stem_words(words, language), strict=True)]


def _keyword_index(
    themes: Sequence[ThemeKeywords], language: str
) -> dict[str, list[tuple[str, Phrase, float]]]:
    """Keywords as they are looked for in a text of `language`. Those of that language are
    stemmed with its stemmer ("recruteurs" meets "recruteur"); those of the other language, and
    the short ones, must appear as written, folded: "onboarding" and "sourcing" are loanwords in
    French articles, but the English "resume" is not the French « résumé », nor "ATS" "at"."""
    index: dict[str, list[tuple[str, Phrase, float]]] = defaultdict(list)
    for theme in themes:
        seen: set[Phrase] = set()
        for keyword_language, keywords in (("fr", theme.fr), ("en", theme.en)):
            for keyword in keywords:
                words = tokens(keyword)
                phrase = tuple(
                    f"{stem}|" if keyword_language == language and len(word) > SHORT_WORD else f"|{word}"
                    for word, stem in zip(words, stem_words(words, language), strict=True)
                )
                if not phrase or phrase in seen:
                    continue
                seen.add(phrase)
                # "CV vidéo" says more than "recruteur", and "cooptation" more than "stage".
                rarity = max(specificity(word, ANY_LANGUAGE) for word in words)
                strength = (1 + PHRASE_BONUS * (len(phrase) - 1)) * max(KEYWORD_RARITY_FLOOR, rarity)
                index[phrase[0]].append((theme.id, phrase, strength))
    return dict(index)


def _profiles(themes: Sequence[ThemeKeywords], language: str) -> dict[str, dict[str, float]]:
    """Each theme's words in `language` (its keywords in both), weighted and of unit length."""
    counts: dict[str, defaultdict[str, float]] = {}
    rarities: dict[str, float] = {}
    for theme in themes:
        counter: defaultdict[str, float] = defaultdict(float)  # weighted counts
        sources = (
            (" ".join((*theme.fr, *theme.en)), PROFILE_SOURCES["keywords"]),
            (theme.about(language), PROFILE_SOURCES["about"]),
        )
        for text, weight in sources:
            for word, stem in _content_words(tokens(text), language):
                counter[stem] += weight
                rarities[stem] = max(rarities.get(stem, 0.0), specificity(word, ANY_LANGUAGE))
        counts[theme.id] = counter
    shared = Counter(stem for counter in counts.values() for stem in counter)
    profiles: dict[str, dict[str, float]] = {}
    for theme_id, counter in counts.items():
        vector = {
            # A word of every theme's profile ("emploi", "candidat") tells them apart the least.
            stem: (1 + math.log(count)) * rarities[stem] * math.log(1 + len(counts) / shared[stem])
            for stem, count in counter.items()
        }
        profiles[theme_id] = _unit(vector)
    return profiles


def _text_vector(
    title_words: list[str], text_words: list[str], language: str, rarity: Rarity | None
) -> dict[str, float]:
    counts: defaultdict[str, float] = defaultdict(float)
    word_of: dict[str, str] = {}
    for words, weight in ((title_words, TITLE_WEIGHT), (text_words, SUMMARY_WEIGHT)):
        for word, stem in _content_words(words, language):
            counts[stem] += weight
            word_of.setdefault(stem, word)
    vector = {}
    for stem, count in counts.items():
        weight = (1 + math.log(count)) * specificity(word_of[stem], ANY_LANGUAGE)
        vector[stem] = weight * rarity(stem, language) if rarity else weight
    return _unit(vector)


def _content_words(words: list[str], language: str) -> Iterable[tuple[str, str]]:
    kept = [
        word
        for word in words
        if len(word) >= MIN_WORD_LENGTH and not word.isdigit() and word not in STOPWORDS
    ]
    return zip(kept, stem_words(kept, language), strict=True)


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {key: value / norm for key, value in vector.items()} if norm else {}


def _matches(
    keys: list[str], index: dict[str, list[tuple[str, Phrase, float]]]
) -> Iterable[tuple[str, Phrase, float]]:
    """(theme, keyword, strength) for each keyword found in the `_match_keys` of a text."""
    for position, key in enumerate(keys):
        stem, _, word = key.partition("|")
        for probe in (f"{stem}|", f"|{word}"):
            for theme_id, phrase, strength in index.get(probe, ()):
                end = position + len(phrase)
                if end <= len(keys) and all(_fits(part, keys[position + i]) for i, part in enumerate(phrase)):
                    yield theme_id, phrase, strength


def _fits(part: str, key: str) -> bool:
    stem, _, word = key.partition("|")
    return part == f"{stem}|" or part == f"|{word}"


def is_off_topic(scores: dict[str, float], threshold: float = ON_TOPIC_THRESHOLD) -> bool:
    return not scores or max(scores.values()) < threshold
