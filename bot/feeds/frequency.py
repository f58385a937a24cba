"""How common a word is in general French or English (wordfreq's small lists), for folded words.

A word that everybody writes ("entreprise", "job", "online") says little about what an article is
about; a rare one ("cooptation", "onboarding") says a lot. Words are looked up in the folded form
of `bot.feeds.text.tokens` ("vidéo" → "video"), so each folded form keeps its most frequent spelling.
"""

from __future__ import annotations

import math
from functools import lru_cache

from bot.feeds.text import fold

LANGUAGES = ("fr", "en")
COMMON_ZIPF = 6.5  # "de", "the", "est": no weight left
RARE_ZIPF = 3.0  # below the small list's floor: as specific as a word gets
FLOOR = 0.05


@lru_cache(maxsize=len(LANGUAGES))
def _zipf_table(language: str) -> dict[str, float]:
    # Imported here: only the processes that score or extract pay for the tables (about 7 MB).
    import wordfreq

    table: dict[str, float] = {}
    for word, frequency in wordfreq.get_frequency_dict(language, wordlist="small").items():
        key = fold(word)
        value = math.log10(frequency) + 9
        if value > table.get(key, 0.0):
            table[key] = value
    return table


def zipf(word: str, language: str) -> float:
    """wordfreq's Zipf value (≈ 7 for "de", 3 for rare words, 0 when unknown) of a folded word;
    a language other than French or English is looked up in both."""
    if language not in LANGUAGES:
        return max(zipf(word, other) for other in LANGUAGES)
    return _zipf_table(language).get(word, 0.0)


def specificity(word: str, language: str) -> float:
    """1 for a rare word, down to `FLOOR` for the commonest: how much a word can say of a topic."""
    value = zipf(word, language)
    return max(FLOOR, min(1.0, (COMMON_ZIPF - value) / (COMMON_ZIPF - RARE_ZIPF)))
