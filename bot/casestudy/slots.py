"""What the questions quote from the article: a debatable claim, a figure with its context.

A claim is a whole sentence that takes a position: an opinion reported (« selon », "critics
say"), a contrast (« pourtant », "however"), a judgement ("unfair", « indispensable »), a figure.
It must read on its own once quoted: no pronoun or connective that needs the sentence before
(« Elle estime… », "This means…"), no question, no heading, not too long to quote. A figure is a
sentence that gives a number with what it counts ("62 % des recruteurs…", "one in three").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.casestudy.summarise import is_prose
from bot.feeds.text import fold

MIN_LENGTH, MAX_LENGTH = 50, 200
CLAIM_SCORE, WEAK_CLAIM_SCORE = 1.0, 0.5  # a weaker claim rather than none: every case study cites
Scorer = Callable[[str, str], float]
# Patterns are matched on folded text (no accents, lower case): see `bot.feeds.text.fold`.

_OPINION = {
    "fr": re.compile(
        r"\b(selon|estime\w*|juge\w*|affirm\w*|assur\w*|consider\w*|pens\w*|craint|craignent|"
        r"denonc\w*|regrett\w*|reconna\w*|previen\w*|met\w* en garde|alert\w*|"
        r"il faut|faudrait|devrai\w*|doivent|doit)\b"
    ),
    "en": re.compile(
        r"\b(critics?|argu\w*|believ\w*|warn\w*|claim\w*|insist\w*|contend\w*|admit\w*|"
        r"should|must|ought|according to|say|says|said)\b"
    ),
}
_CONTRAST = {
    "fr": re.compile(
        r"\b(pourtant|mais|en revanche|cependant|toutefois|au contraire|alors que|tandis que|"
        r"n'est pas|ne sont pas|plus que|moins que|pas seulement|sans pour autant)\b"
    ),
    "en": re.compile(
        r"\b(however|yet|but|although|instead|whereas|while|rather than|not only|no longer|unlike)\b"
    ),
}
_JUDGEMENT = {
    "fr": re.compile(
        r"\b(risqu\w*|danger\w*|menac\w*|inutile\w*|indispensable\w*|essentiel\w*|obligatoire\w*|"
        r"interdit\w*|illega\w*|injust\w*|discrimin\w*|biais\w*|trop|mieux|pire|jamais|"
        r"depasse\w*|fin de|mort\w*)\b"
    ),
    "en": re.compile(
        r"\b(risk\w*|danger\w*|threat\w*|useless|essential|necessary|mandatory|illegal|unfair|"
        r"discriminat\w*|bias\w*|too|better|worse|never|obsolete|dead|end of)\b"
    ),
}
# A number that counts something: a share, a ratio, an amount (a year alone is no figure).
_FIGURE = re.compile(
    r"\d+(?:[.,]\d+)?\s?(?:%|pour ?cent|percent|per cent)|"
    r"\b(?:un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|\d+)\s+(?:\w+\s+)?sur\s+(?:deux|trois|"
    r"quatre|cinq|dix|cent|\d+)\b|\b(?:one|two|three|four|five|\d+)\s+in\s+(?:two|three|four|five|ten|"
    r"\d+)\b|\b\d+\s+(?:of|out of)\s+(?:the\s+)?(?:roughly\s+|some\s+|about\s+|nearly\s+)?\d+\b|"
    r"\b\d+(?:[.,]\d+)?\s?(?:millions?|milliards?|billions?|euros?|dollars?|€|\$|fois|times)\b|"
    r"[€$£]\s?\d",
    re.IGNORECASE,
)
# Pronouns that point at a person or thing named earlier: out of context, the reader is lost.
_POINTERS = {
    "fr": re.compile(
        r"\b(il|elle|ils|elles|lui|eux|celui-ci|celle-ci|ceux-ci|l'(?=[aeiouyh]\w*(?:ait|e|ent)\b))\b"
    ),
    "en": re.compile(r"\b(he|she|it|they|them|his|her|its|their|this|these|those)\b"),
}
_QUOTE_MARKS = re.compile(r"[«»“”\"]")
# Words that need the sentence before them.
_NEEDS_CONTEXT = {
    "fr": re.compile(
        r"^(?:il|elle|ils|elles|on|cela|ceci|ca|celui|celle|ceux|ce|cette|ces|cet|lui|leur|"
        r"et|or|donc|ainsi|alors|puis|ensuite|enfin|la|ici|c'est|c'etait|d'autres|certains|"
        r"eux|y|en|autant|aussi)\b"
    ),
    "en": re.compile(
        r"^(?:he|she|they|it|this|that|these|those|him|her|them|and|so|then|also|there|here|"
        r"such|others|some|his|their|its)\b"
    ),
}


@dataclass(frozen=True)
class Quotes:
    """Sentences of the article fit to quote in a question (None: the article gives none)."""

    claim: str | None = None
    figure: str | None = None


def quotes(sentences: Sequence[str], language: str, avoid: Sequence[str] = ()) -> Quotes:
    """The article's most debatable claim and its best figure, other than the sentences in
    `avoid` (the summary's, which students have just read) where another one will do."""
    fit = [sentence for sentence in dict.fromkeys(sentences) if _quotable(sentence, language)]
    claim = _best(fit, language, avoid, _claim_score) or _best(
        fit, language, avoid, _claim_score, minimum=WEAK_CLAIM_SCORE
    )
    figure = _best([s for s in fit if s != claim], language, avoid, _figure_score)
    return Quotes(claim, figure)


def _quotable(sentence: str, language: str) -> bool:
    return (
        MIN_LENGTH <= len(sentence) <= MAX_LENGTH
        and is_prose(sentence)
        and not sentence.rstrip("»”\"' )").endswith("?")
        and not _NEEDS_CONTEXT[_language(language)].match(fold(sentence.replace("’", "'").lstrip("«“\"' ")))
    )


def _best(
    sentences: Sequence[str],
    language: str,
    avoid: Sequence[str],
    score: Scorer,
    minimum: float = CLAIM_SCORE,
) -> str | None:
    """The best-scoring sentence (at least `minimum`), from outside `avoid` when one qualifies."""
    language = _language(language)
    fresh = [sentence for sentence in sentences if sentence not in avoid]
    for pool in (fresh, sentences):
        scored = [(score(sentence, language), -index, sentence) for index, sentence in enumerate(pool)]
        best = max(scored, default=None)
        if best is not None and best[0] >= minimum:
            return best[2]
    return None


def _claim_score(sentence: str, language: str) -> float:
    folded = fold(sentence.replace("’", "'"))
    return (
        1.0 * bool(_OPINION[language].search(folded))
        + 1.0 * bool(_CONTRAST[language].search(folded))
        + 0.7 * bool(_JUDGEMENT[language].search(folded))
        + 0.5 * bool(_FIGURE.search(sentence))
        - _context_penalty(sentence, folded, language)
    )


def _context_penalty(sentence: str, folded: str, language: str) -> float:
    """A quote within the claim reads awkwardly inside the question's own quotes; a pronoun
    that points back leaves the reader wondering who or what it is."""
    pointers = len(_POINTERS[language].findall(folded))
    return 0.4 * min(2, pointers) + 0.5 * bool(_QUOTE_MARKS.search(sentence))


def _figure_score(sentence: str, language: str) -> float:
    if not _FIGURE.search(sentence):
        return 0.0
    folded = fold(sentence.replace("’", "'"))
    return 1.0 + 0.3 * bool(_OPINION[language].search(folded)) + 0.2 * (len(sentence) >= 80)


def _language(language: str) -> str:
    return "en" if language == "en" else "fr"
