"""People's names in an article: never a key term, never an organisation.

Journalists name a person in full once ("Olivia Chen, head of talent acquisition", « selon Frédéric
Aubry ») and then by the last name alone. A run of two or three capitalised words is a person's
name when its last word comes back alone, when a role follows
it after a comma, when a title or a verb of saying stands before it. Known organisations ("France
Travail", "Welcome to the Jungle") are never people.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.casestudy.organisations import KNOWN
from bot.casestudy.tagging import Sentence, Token
from bot.feeds.stopwords import STOPWORDS
from bot.feeds.text import fold

_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'’][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)*$")
_TITLES = frozenset(
    "m mme mmes mlle me dr pr prof mr mrs ms miss sir madame monsieur docteur professeur maître".split()
)
_SAYING = frozenset(
    """
    selon pour explique expliquait estime estimait affirme souligne ajoute raconte confie observe
    note reconnait assure regrette resume precise indique poursuit insiste rappelle temoigne
    said says told explains explained argues argued adds added notes noted recalls recalled
    according warns warned believes thinks admits admitted
    """.split()
)
_KNOWN_WORDS = frozenset(
    word for known in KNOWN for spelling in (known.name, *known.aliases) for word in fold(spelling).split()
)


def people(tagged: Sequence[Sentence]) -> frozenset[str]:
    """The folded words of the people's names the sentences hold ("olivia", "chen")."""
    runs = [(sentence, start, end) for sentence in tagged for start, end in _capitalised_runs(sentence)]
    alone = _words_alone(tagged)
    names: set[str] = set()
    for sentence, start, end in runs:
        words = [fold(token.text) for token in sentence[start:end]]
        if end - start >= 2 and _is_person(sentence, start, end, alone):
            names.update(words)
    # A last name seen in full elsewhere, now after a title: « Mme Aubry ».
    for sentence in tagged:
        for index, token in enumerate(sentence[:-1]):
            following = sentence[index + 1]
            if fold(token.text).rstrip(".") in _TITLES and _NAME_WORD.match(following.text):
                names.add(fold(following.text))
    return frozenset(names - _KNOWN_WORDS)


def _capitalised_runs(sentence: Sentence) -> list[tuple[int, int]]:
    runs = []
    start = None
    for index, token in enumerate((*sentence, None)):
        # "In Europe, …", "Mme Costa": a capitalised function word or title is no part of a name.
        is_word = (
            token is not None
            and _NAME_WORD.match(token.text) is not None
            and fold(token.text) not in STOPWORDS
            and fold(token.text).rstrip(".") not in _TITLES
        )
        if is_word and start is None:
            start = index
        elif not is_word and start is not None:
            if 2 <= index - start <= 3:
                runs.append((start, index))
            start = None
    return runs


def _words_alone(tagged: Sequence[Sentence]) -> set[str]:
    """Capitalised words that stand alone, not first in their sentence: a last name used again."""
    alone = set()
    for sentence in tagged:
        for index, token in enumerate(sentence):
            if index == 0 or not _NAME_WORD.match(token.text):
                continue
            before = sentence[index - 1].text
            after = sentence[index + 1].text if index + 1 < len(sentence) else ""
            if not _NAME_WORD.match(before) and not _NAME_WORD.match(after):
                alone.add(fold(token.text))
    return alone


def _is_person(sentence: Sentence, start: int, end: int, alone: set[str]) -> bool:
    tokens = sentence[start:end]
    if any(fold(token.text) in _KNOWN_WORDS for token in tokens):
        return False
    if fold(tokens[-1].text) in alone:
        return True
    before = fold(sentence[start - 1].text).rstrip(".") if start > 0 else ""
    if before in _TITLES or before in _SAYING:
        return True
    return _role_follows(sentence, end) or _saying_follows(sentence, end)


def _role_follows(sentence: Sentence, end: int) -> bool:
    """ "Olivia Chen, head of…", « Frédéric Aubry, directeur… »: a comma, then a lower-case word."""
    if end + 1 >= len(sentence) or sentence[end].text != ",":
        return False
    following: Token = sentence[end + 1]
    return following.text[:1].islower() and following.pos in ("NOUN", "ADJ", "DET", "NUM")


def _saying_follows(sentence: Sentence, end: int) -> bool:
    return end < len(sentence) and fold(sentence[end].text) in _SAYING
