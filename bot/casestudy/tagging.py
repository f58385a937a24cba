"""Parts of speech of French and English sentences, in one tag set (Universal Dependencies' UPOS).

French goes through spaCy's `fr_core_news_sm` (its tagger only: the parser, the lemmatizer and
the named entities are left out, see `_french_pipeline`). English
goes through the Brill tagger that TextBlob ships with its lexicon: spaCy's English models are not
published on the package registry, and this one needs no download. Both load lazily, once per
worker process: the bot's own process never tags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Penn Treebank tags (TextBlob's) to UPOS.
_PENN = {
    **dict.fromkeys(("NN", "NNS"), "NOUN"),
    **dict.fromkeys(("NNP", "NNPS"), "PROPN"),
    **dict.fromkeys(("JJ", "JJR", "JJS"), "ADJ"),
    **dict.fromkeys(("VB", "VBD", "VBG", "VBN", "VBP", "VBZ"), "VERB"),
    "MD": "AUX",
    **dict.fromkeys(("RB", "RBR", "RBS", "WRB"), "ADV"),
    "IN": "ADP",
    **dict.fromkeys(("DT", "PDT", "WDT"), "DET"),
    **dict.fromkeys(("PRP", "PRP$", "WP", "WP$"), "PRON"),
    "CD": "NUM",
    "CC": "CCONJ",
    **dict.fromkeys(("TO", "RP", "POS"), "PART"),
    "UH": "INTJ",
}
_ENGLISH_TOKEN = re.compile(r"\w+(?:[-'’.&]\w+)*|[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_QUOTE_OPEN = re.compile(r"«\s*")
_QUOTE_CLOSE = re.compile(r"\s*»")
_POSSESSIVE = re.compile(r"^(.+?)(['’]s)$", re.IGNORECASE)


@dataclass(frozen=True)
class Token:
    text: str
    pos: str  # UPOS: NOUN, PROPN, ADJ, VERB, AUX, ADP, DET, PRON, NUM, PUNCT…


Sentence = tuple[Token, ...]


def tag_sentences(sentences: Sequence[str], language: str) -> list[Sentence]:
    """Each sentence as tagged tokens; `language` is "fr" or "en"."""
    prepared = [_prepare(sentence) for sentence in sentences]
    if language == "fr":
        return [_french(doc) for doc in _french_pipeline().pipe(prepared, batch_size=64)]
    return [_english(sentence) for sentence in prepared]


def _prepare(sentence: str) -> str:
    """Apostrophes and quotes as the taggers split them: « l’entreprise » is "l'" + "entreprise"."""
    sentence = _SPACES.sub(" ", sentence.replace("’", "'"))
    return _QUOTE_OPEN.sub("« ", _QUOTE_CLOSE.sub(" »", sentence))


@lru_cache(maxsize=1)
def _french_pipeline() -> Any:
    import spacy

    # Parts of speech only: the parser, the lemmatizer and the named entities (more than half the
    # time of a page, and no better at people's names than the rules of `names`) are left out.
    return spacy.load("fr_core_news_sm", exclude=["parser", "lemmatizer", "ner"])


def _french(doc: Any) -> Sentence:
    return tuple(
        # The model tags « and » as nouns now and then.
        Token(token.text, token.pos_ if _has_letters(token.text) else "PUNCT")
        for token in doc
        if not token.is_space
    )


def _has_letters(word: str) -> bool:
    return any(character.isalnum() for character in word)


@lru_cache(maxsize=1)
def _english_tagger() -> tuple[Any, Any]:
    from textblob.en import lexicon, parser

    return parser, lexicon


def _english(sentence: str) -> Sentence:
    parser, lexicon = _english_tagger()
    words: list[str] = []
    for match in _ENGLISH_TOKEN.finditer(sentence):
        word = match.group()
        possessive = _POSSESSIVE.match(word)
        words.extend(possessive.groups() if possessive else (word,))
    if not words:
        return ()
    tagged = parser.find_tags(words)
    tokens = []
    for index, (word, penn) in enumerate(tagged):
        if penn == "NNP" and _sentence_initial(words, index):
            # The tagger calls every capitalised first word a proper noun: "Recruiters say…".
            penn = _common_tag(word.lower(), lexicon) or penn
        pos = _PENN.get(penn, "X") if _has_letters(word) else "PUNCT"
        tokens.append(Token(word, pos))
    return tuple(tokens)


def _common_tag(word: str, lexicon: Any) -> str | None:
    """The tag of a lower-case word, or of its singular: "Recruiters" opening a sentence."""
    known = lexicon.get(word)
    if known:
        return str(known)
    if word.endswith("s") and lexicon.get(word[:-1]) in ("NN", "VB"):
        return "NNS"
    return None


def _sentence_initial(words: list[str], index: int) -> bool:
    return not any(_has_letters(word) for word in words[:index])
