"""Key terms: the noun phrases a teacher would write on the board for an article.

Candidates are noun phrases found by their parts of speech ("CV vidéo", "marque employeur",
"lettre de motivation", "applicant tracking system"), the field's known platforms and
institutions, and acronyms ("RGPD", "ATS"). A candidate is kept only when it reads as a term on its
own: a single word that is common in general language ("entreprise", "job", "online") is not one,
nor a phrase made only of common words ("même temps"), a person's name, or a chance pair said once.
The rest are ranked by how often the article says them, how rare they are among the stored
articles and in general language, and whether they are one of the themes' keywords; fewer than
five good terms beat five with bad ones.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field

from bot.casestudy.model import KEY_TERM_MAX, KEY_TERMS
from bot.casestudy.organisations import Organisation
from bot.casestudy.tagging import Sentence, Token
from bot.feeds.frequency import zipf
from bot.feeds.stopwords import STOPWORDS
from bot.feeds.text import fold, tokens
from bot.feeds.themes import stem_words

MAX_WORDS = 4
GENERIC_ZIPF = 4.7  # a single word this common is no term ("entreprise" 5.3, "emploi" 4.9)
RARE_ZIPF = 3.5  # a single word this rare, said `REPEATED` times, is the field's own ("retakes")
RARE_KEYWORD_ZIPF = 4.0  # a themes' keyword this rare is a term once said ("cooptation", "mentorat")
REPEATED = 3
# The field's everyday acronyms say no more than "entreprise" (folded, without a plural's s).
EVERYDAY_ACRONYMS = frozenset(
    "cv rh drh pme tpe eti pdg dg ceo cto cdi cdd bts it tv ok faq pdf hr ia ai uk us usa ue eu".split()
)
# The people an article speaks of: who, not what; no term on the board (folded, singular).
PEOPLE = frozenset(
    """
    candidat candidate recruteur recruiter salarie employe employee employeur employer etudiant
    student jeune diplome graduate demandeur seeker chercheur researcher volontaire volunteer
    participant collegue colleague consoeur confrere coauteur coautrice lyceen adolescent teen
    teenager parent utilisateur user internaute manager dirigeant leader patron boss travailleur
    worker personne people gens femme homme women men client customer abonne follower cadre
    stagiaire intern apprenti apprentice alternant recrue hire starter newcomer postulant applicant
    ancien former alumnus membre member responsable expert specialiste specialist professionnel
    professional sonde respondent repondant interroge
    """.split()
)
PHRASE_GENERIC_ZIPF = 5.3  # a phrase needs one word rarer than this ("grande partie" has none)
MIN_SCORE = 1.0
TITLE_BONUS = 1.5
KEYWORD_BONUS = 2.0  # one of the themes' keywords: the field's own vocabulary
PHRASE_BONUS = 0.6  # per word after the first
MAX_ORGANISATIONS = 2  # platforms are terms too, but an article is about more than its actors
ORGANISATION_MENTIONS = 3  # the article comes back to it: a platform used in passing ("on Slack") is none
_ACRONYM = re.compile(r"^[A-ZÀ-ÖØ-Þ]{2,6}s?$")
_DIGITS = re.compile(r"\d")
_CAPITAL = re.compile(r"^[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]")  # "Mulhouse", "Kestrel"; not "CV" nor "iPhone"
_NAME_SHAPE = re.compile(r"^[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+)?$")
# French adjectives that stand before the noun and make a term with it ("jeunes diplômés").
_FRENCH_PRENOMINAL = frozenset("jeune jeunes premier premiere premiers premieres faux fausse fausses".split())
# Folded: « à » is "a".
_FRENCH_LINKS = frozenset(("de", "d'", "a", "en", "sans"))
_FRENCH_LINK_DETERMINERS = frozenset(("l'", "la"))
_PARTICIPLE = re.compile(r"(?:é|ée|és|ées)$")
_NOUNS = ("NOUN", "PROPN")


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
            words = [word for word in tokens(text) if word not in STOPWORDS]
            frequencies[language].update(
                set(stem_words(words, language if language in ("fr", "en") else "fr"))
            )
        return cls(dict(documents), {lang: dict(counts) for lang, counts in frequencies.items()})

    def idf(self, stem: str, language: str) -> float:
        total = self.documents.get(language, 0)
        seen = self.frequencies.get(language, {}).get(stem, 0)
        return math.log((1 + total) / (1 + seen)) + 1

    def rarity(self, stem: str, language: str) -> float:
        """`idf` scaled to (0, 1]: 1 for a stem no stored article holds (see `ThemeScorer.score`)."""
        total = self.documents.get(language, 0)
        return self.idf(stem, language) / (math.log(1 + total) + 1)


def domain_words(about: Iterable[str], language: str, shared_by: int = 3) -> frozenset[str]:
    """Stems of the words that several themes' descriptions share ("candidat", "recruteur",
    "emploi"): the field's everyday words, which tell a reader nothing as a key term."""
    counts: Counter[str] = Counter()
    for text in about:
        words = [word for word in tokens(text) if word not in STOPWORDS and len(word) > 2]
        counts.update(set(stem_words(words, language)))
    return frozenset(stem for stem, count in counts.items() if count >= shared_by)


@dataclass
class _Candidate:
    words: tuple[str, ...]  # folded
    stems: tuple[str, ...]
    forms: Counter[str] = field(default_factory=Counter)
    count: int = 0
    in_title: bool = False
    organisation: bool = False
    nouns: int = 0  # occurrences of a one-word candidate tagged as a noun
    capitalised: int = 0  # occurrences with a capital inside a sentence: a proper name


def key_terms(
    tagged: Sequence[Sentence],
    title: Sentence,
    language: str,
    stats: TermStats,
    *,
    people: Set[str] = frozenset(),
    organisations: Sequence[Organisation] = (),
    keywords: Sequence[str] = (),
    generic: Set[str] = frozenset(),
    field: Set[str] | None = None,
    count: int = KEY_TERMS,
) -> tuple[str, ...]:
    """Up to `count` key terms, best first, spelled as the article writes them.

    `tagged` are the article's sentences, `title` its title, `people` the folded words of the
    people it names, `organisations` those it names, `keywords` every theme's keywords,
    `generic` the stems of words that every theme uses (see `domain_words`), `field` the stems
    of every theme's vocabulary (`domain_words(..., shared_by=1)`; None: any phrase may be a term)."""
    candidates: dict[tuple[str, ...], _Candidate] = {}
    for sentence in tagged:
        for start, phrase in noun_phrases(sentence, language):
            _add(candidates, phrase, language, initial=_is_initial(sentence, start))
    for _, phrase in noun_phrases(title, language):
        # Titles are often in title case: they vouch for a term of the text, never spell one.
        key = tuple(stem_words([_fold(token.text) for token in phrase], language))
        if key in candidates:
            candidates[key].in_title = True
    for organisation in organisations:
        key = tuple(stem_words(tokens(organisation.name), language))
        # Only the field's known actors: a firm or a town the article names is not a term.
        if organisation.known and key in candidates:
            candidates[key].organisation = True
            candidates[key].forms = Counter({organisation.name: candidates[key].count})
    known = {_singular(tokens(keyword)) for keyword in keywords}
    scored = {
        key: score
        for key, candidate in candidates.items()
        if _is_term(candidate, language, people, keyword := _is_keyword(candidate, known), generic, field)
        and (score := _score(candidate, language, stats, keyword)) >= MIN_SCORE
    }
    chosen: list[_Candidate] = []
    for key in sorted(scored, key=lambda k: (-scored[k], k)):
        candidate = candidates[key]
        if any(set(candidate.stems) & set(other.stems) for other in chosen):
            continue  # "CV vidéo" chosen: neither "CV" nor "vidéo" again
        if candidate.organisation and sum(other.organisation for other in chosen) >= MAX_ORGANISATIONS:
            continue
        surface = _surface(candidate)
        if len(surface) <= KEY_TERM_MAX:
            chosen.append(candidate)
        if len(chosen) == count:
            break
    return tuple(_surface(candidate) for candidate in chosen)


def noun_phrases(sentence: Sentence, language: str) -> Iterable[tuple[int, tuple[Token, ...]]]:
    """Every noun phrase of the sentence up to `MAX_WORDS` words, with where it starts, inner ones
    included: "applicant tracking system" gives "tracking system" and "system" too (counting
    decides between them)."""
    for start in range(len(sentence)):
        if not _may_start(sentence, start, language):
            continue
        for end in range(start + 1, min(len(sentence), start + MAX_WORDS + 2) + 1):
            phrase = sentence[start:end]
            if not _may_continue(phrase, language):
                break
            if _may_end(phrase, language) and _word_count(phrase) <= MAX_WORDS:
                yield start, phrase


def _fold(word: str) -> str:
    return fold(word.replace("’", "'"))


def _is_initial(sentence: Sentence, start: int) -> bool:
    """Whether a capital at `start` may only say that a sentence (or a heading's part) starts."""
    before = sentence[:start]
    return all(token.pos == "PUNCT" for token in before) or before[-1].text in (":", "–", "—")


def _may_start(sentence: Sentence, index: int, language: str) -> bool:
    token = sentence[index]
    if token.pos in _NOUNS:
        return True
    if language == "fr":
        return token.pos == "ADJ" and _fold(token.text) in _FRENCH_PRENOMINAL
    return token.pos == "ADJ"


def _may_continue(phrase: Sequence[Token], language: str) -> bool:
    """Whether `phrase` (whose last token was just added) can still be or become a noun phrase."""
    last = phrase[-1]
    if len(phrase) == 1:
        return True
    if language == "en":
        return last.pos in (*_NOUNS, "ADJ") or (last.pos == "VERB" and last.text.endswith("ing"))
    previous = phrase[-2]
    if last.pos in _NOUNS:
        return True
    if last.pos == "ADJ" or (last.pos == "VERB" and _PARTICIPLE.search(last.text)):
        return previous.pos != "NOUN" or _agrees(previous.text, last.text)
    # « lettre de motivation », « droit à l'oubli »: one link word, once, after a noun.
    links = sum(_fold(token.text) in _FRENCH_LINKS for token in phrase)
    if _fold(last.text) in _FRENCH_LINKS and last.pos == "ADP":
        return previous.pos in _NOUNS and links == 1
    return _fold(last.text) in _FRENCH_LINK_DETERMINERS and _fold(previous.text) == "a"


def _agrees(noun: str, adjective: str) -> bool:
    """« offres consultées », not « offres consultée »: a tagger's slip shows in the number."""
    plural = ("s", "x")
    return adjective.endswith(plural) or not noun.endswith(plural)


def _may_end(phrase: Sequence[Token], language: str) -> bool:
    last = phrase[-1]
    if language == "en":
        return last.pos in _NOUNS
    return last.pos in _NOUNS or (
        len(phrase) > 1
        and (last.pos == "ADJ" or (last.pos == "VERB" and _PARTICIPLE.search(last.text) is not None))
    )


def _word_count(phrase: Sequence[Token]) -> int:
    return sum(_fold(token.text) not in _FRENCH_LINKS | _FRENCH_LINK_DETERMINERS for token in phrase)


def _add(
    candidates: dict[tuple[str, ...], _Candidate],
    phrase: Sequence[Token],
    language: str,
    *,
    initial: bool,
) -> None:
    words = tuple(_fold(token.text) for token in phrase)
    if any(_DIGITS.search(word) for word in words):
        return
    content = [word for word in words if word not in _FRENCH_LINKS | _FRENCH_LINK_DETERMINERS]
    if not content or content[0] in STOPWORDS or content[-1] in STOPWORDS:
        return
    key = tuple(stem_words(list(words), language))
    candidate = candidates.setdefault(key, _Candidate(words, key))
    spelling = _spelling(phrase)
    first = phrase[0]
    if initial and first.text[1:].islower():
        spelling = spelling[:1].lower() + spelling[1:]  # "Recruteurs" opening a sentence
    candidate.forms[spelling] += 1
    candidate.count += 1
    candidate.nouns += first.pos == "NOUN"
    candidate.capitalised += any(
        _CAPITAL.match(token.text) and not (index == 0 and initial) for index, token in enumerate(phrase)
    )


def _spelling(phrase: Sequence[Token]) -> str:
    text = ""
    for token in phrase:
        joined = text.endswith(("'", "’")) or not text
        text += token.text if joined else f" {token.text}"
    return text


def _singular(words: Sequence[str]) -> tuple[str, ...]:
    """Words compared without a plural's final s or x: "recruteurs" is "recruteur", but
    "networking" is not "network" as a stemmer would have it."""
    return tuple(word[:-1] if len(word) > 3 and word[-1] in "sx" else word for word in words)


def _is_keyword(candidate: _Candidate, known: Set[tuple[str, ...]]) -> bool:
    return any(_singular(tokens(form)) in known for form in candidate.forms)


def _generality(candidate: _Candidate, language: str) -> float:
    """The Zipf value of the candidate's rarest word, in its commonest spelling."""
    words_of = [
        [word for word in tokens(form) if word not in _FRENCH_LINKS | _FRENCH_LINK_DETERMINERS]
        for form in candidate.forms
    ]
    return max(min((zipf(word, language) for word in words), default=0.0) for words in words_of)


def _is_term(
    candidate: _Candidate,
    language: str,
    people: Set[str],
    keyword: bool,
    generic: Set[str],
    field: Set[str] | None = None,
) -> bool:
    words = [word for word in candidate.words if word not in _FRENCH_LINKS | _FRENCH_LINK_DETERMINERS]
    if any(word in people for word in words) or (
        _looks_like_a_name(candidate) and not candidate.organisation
    ):
        return False
    if candidate.organisation:
        return candidate.in_title or candidate.count >= ORGANISATION_MENTIONS
    if candidate.capitalised * 2 > candidate.count:
        return False  # a place, a firm, a person the article names: not what it teaches
    if _is_person(_head(_content(_surface(candidate)), language), language):
        return False  # "job seekers", « demandeurs d'emploi »: who the article is about
    if len(words) == 1:
        return _is_single_term(candidate, language, keyword, generic)
    if keyword:
        return True
    if candidate.count + candidate.in_title < 2:
        return False  # a phrase said once is a coincidence of words
    if field is not None and not set(candidate.stems) & field and candidate.count < REPEATED:
        return False  # "biscuit tin", « coupures d'eau »: the article's story, not its subject
    return _generality(candidate, language) < PHRASE_GENERIC_ZIPF


def _content(form: str) -> list[str]:
    """A spelling's words, folded, without the French link words (« de », « à la »)."""
    return [word for word in tokens(form) if word not in _FRENCH_LINKS | _FRENCH_LINK_DETERMINERS] or [""]


def _is_person(noun: str, language: str) -> bool:
    """Whether a (folded) noun names people: one of `PEOPLE`, or in French a feminine agent noun
    (« préparatrice », « formatrice »: -trice names a person, bar « matrice »)."""
    singular = _singular([noun])[0]
    return singular in PEOPLE or (language == "fr" and singular.endswith("trice") and len(singular) > 7)


def _head(words: Sequence[str], language: str) -> str:
    """The noun a phrase is about: the first in French (« marque employeur »), the last in
    English ("employer brand")."""
    return words[0] if language == "fr" else words[-1]


def _is_single_term(candidate: _Candidate, language: str, keyword: bool, generic: Set[str]) -> bool:
    """One word is a term when it is the field's own ("cooptation", "RGPD", "alternance") and the
    article comes back to it; not a word of every article on the topic ("candidats", "CV",
    "employers"), nor one of general language, nor one said in passing."""
    if any(_ACRONYM.match(form) for form in candidate.forms):
        # An acronym the field's vocabulary does not hold is most often a name (a school, an
        # agency): the article must come back to it for it to be what the article teaches.
        said = 2 if keyword else REPEATED
        return candidate.count >= said and candidate.words[0].rstrip("s") not in EVERYDAY_ACRONYMS
    if candidate.stems[0] in generic or candidate.nouns * 2 <= candidate.count:
        return False
    zipf_value = _generality(candidate, language)
    if keyword:
        return zipf_value < RARE_KEYWORD_ZIPF or (zipf_value < GENERIC_ZIPF and candidate.count >= REPEATED)
    return len(candidate.words[0]) >= 4 and zipf_value < RARE_ZIPF and candidate.count >= REPEATED


def _looks_like_a_name(candidate: _Candidate) -> bool:
    """ "Elon Musk", "Olivia Chen": two or three capitalised words, each as names are written."""
    spelled = _surface(candidate).split()
    return 2 <= len(spelled) <= 3 and all(_NAME_SHAPE.match(word) for word in spelled)


def _score(candidate: _Candidate, language: str, stats: TermStats, keyword: bool) -> float:
    words = [word for word in candidate.words if word not in _FRENCH_LINKS | _FRENCH_LINK_DETERMINERS]
    rarest = _generality(candidate, language)
    # 1 for a word wordfreq does not know, 0.3 for one as common as "emploi".
    general = max(0.3, min(1.0, (6.0 - rarest) / 3.0))
    corpus = max(stats.idf(stem, language) for stem in candidate.stems)
    said = candidate.count + (TITLE_BONUS if candidate.in_title else 0)
    if said < 2 and not keyword:
        said *= 0.5  # a word said once is an example of a term only when nothing else is
    score = said * general * corpus * (1 + PHRASE_BONUS * (len(words) - 1))
    return score * (KEYWORD_BONUS if keyword else 1.0)


def _surface(candidate: _Candidate) -> str:
    """The article's usual spelling."""
    forms = candidate.forms
    return max(forms, key=lambda form: (forms[form], form.islower(), form))
