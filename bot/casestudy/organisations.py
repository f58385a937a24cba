"""The organisations, platforms, institutions and laws an article names, as it writes them.

Known ones come from a list of the field's usual actors (networks, job boards, regulators, laws),
with the determiner each takes ("la CNIL", "l'Apec", "le RGPD", "France Travail"; "the EEOC");
others are names the article itself repeats (capitalised words that are not people's names), with
the determiner the article puts before them. What comes out reads right after « par », « pour »,
"by", "for", which is where the question templates put it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence, Set
from dataclasses import dataclass

from bot.casestudy.tagging import Sentence
from bot.feeds.frequency import zipf
from bot.feeds.text import fold

MAX_NAME_LENGTH = 60
MIN_MENTIONS = 2  # an unknown name said once is a passing mention


@dataclass(frozen=True)
class Known:
    name: str
    fr: str = ""  # determiner in French: "la ", "le ", "l'", "les " or none
    en: str = ""  # "the " or none
    aliases: tuple[str, ...] = ()


# The field's usual actors. A name is matched on folded words ("welcome to the jungle").
KNOWN = (
    Known("LinkedIn"),
    Known("X", aliases=("Twitter",)),
    Known("Bluesky"),
    Known("Threads"),
    Known("Mastodon"),
    Known("TikTok"),
    Known("Instagram"),
    Known("Facebook"),
    Known("YouTube"),
    Known("Snapchat"),
    Known("Reddit"),
    Known("Discord"),
    Known("Slack"),
    Known("GitHub"),
    Known("WhatsApp"),
    Known("Indeed"),
    Known("Glassdoor"),
    Known("Welcome to the Jungle"),
    Known("Viadeo"),
    Known("Xing"),
    Known("Malt"),
    Known("HelloWork"),
    Known("JobTeaser"),
    Known("Monster"),
    Known("ZipRecruiter"),
    Known("Handshake"),
    Known("Upwork"),
    Known("Fiverr"),
    Known("Zoom"),
    Known("Microsoft Teams", aliases=("Teams",)),
    Known("Google Meet"),
    Known("ChatGPT"),
    Known("OpenAI"),
    Known("Google"),
    Known("Microsoft"),
    Known("Meta"),
    Known("Apple"),
    Known("Amazon"),
    Known("HireVue"),
    Known("Workday"),
    Known("France Travail", aliases=("Pôle emploi",)),
    Known("Apec", fr="l'", en="", aliases=("APEC",)),
    Known("CNIL", fr="la ", en="the "),
    Known("Medef", fr="le "),
    Known("Insee", fr="l'", aliases=("INSEE",)),
    Known("Dares", fr="la ", aliases=("DARES",)),
    Known("Arcom", fr="l'"),
    Known("Défenseur des droits", fr="le ", aliases=("Defenseur des droits",)),
    Known("Commission européenne", fr="la ", aliases=("European Commission",)),
    Known("Parlement européen", fr="le ", aliases=("European Parliament",)),
    Known("Union européenne", fr="l'", en="the ", aliases=("European Union",)),
    Known("Erasmus+", aliases=("Erasmus",)),
    Known("RGPD", fr="le ", aliases=("GDPR",)),
    Known("AI Act", fr="l'", en="the ", aliases=("EU AI Act",)),
    Known("Digital Services Act", fr="le ", en="the ", aliases=("DSA",)),
    Known("Code du travail", fr="le ", en="the French "),
    Known("EEOC", en="the "),
    Known("FTC", en="the "),
    Known("ICO", en="the "),
    Known("OCDE", fr="l'", aliases=("OECD",)),
    Known("Unédic", fr="l'", aliases=("Unedic",)),
)

# Acronyms of concepts, not of organisations: they may be key terms, never an {org}.
CONCEPT_ACRONYMS = frozenset(
    """
    cv rh drh ia ai hr ats pme tpe eti cdi cdd rse kpi ceo cto bts mba seo api ux it qr rtt smic vae
    bac dut but iut ong ngo faq pdf ok tv gafam pdg dg
    """.split()
)
COMMON_ZIPF = 4.0  # "English", "Germany", "Europe": words, not the organisations of an article
_CAPITALISED = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w&+.'’-]*$")
_ACRONYM = re.compile(r"^[A-ZÀ-ÖØ-Þ]{2,6}$")
_FR_DETERMINERS = {"la": "la ", "le": "le ", "l'": "l'", "l’": "l'", "les": "les "}
_FR_CONTRACTIONS = {"du": "le ", "au": "le ", "des": "les ", "aux": "les "}


@dataclass(frozen=True)
class Organisation:
    name: str  # as the article writes it
    mentions: int
    known: bool
    with_determiner: str  # "la CNIL": what a template puts after « par »


def organisations(
    tagged: Sequence[Sentence], language: str, people: Set[str], exclude: Set[str] = frozenset()
) -> list[Organisation]:
    """The organisations the article names, the most mentioned first; `people` are the folded
    words of people's names (never an organisation), `exclude` folded names to leave out (the
    publisher's own)."""
    mentions: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    determiners: dict[str, Counter[str]] = {}
    known_keys: set[str] = set()
    for sentence in tagged:
        words = [token.text for token in sentence]
        folded = [fold(word) for word in words]
        taken = [False] * len(words)
        for known in KNOWN:
            for spelling in (known.name, *known.aliases):
                target = tuple(fold(spelling).split())
                for start in _find(folded, target):
                    if any(taken[start : start + len(target)]) or not _written_as_name(words, start, target):
                        continue
                    taken[start : start + len(target)] = [True] * len(target)
                    key = fold(known.name)
                    mentions[key] += 1
                    spelled.setdefault(key, " ".join(words[start : start + len(target)]))
                    known_keys.add(key)
                    determiners.setdefault(key, Counter())[_known_determiner(known, language)] += 1
        for start, end in _name_runs(sentence, taken, people):
            name = " ".join(words[start:end])
            key = fold(name)
            mentions[key] += 1
            spelled.setdefault(key, name)
            determiners.setdefault(key, Counter())[_determiner_before(words, start, language)] += 1
    found = []
    for key, count in mentions.items():
        in_gazetteer = key in known_keys
        if key in exclude or len(spelled[key]) > MAX_NAME_LENGTH:
            continue
        if not in_gazetteer and (count < MIN_MENTIONS or _is_word(key, language)):
            continue
        determiner = determiners[key].most_common(1)[0][0]
        found.append(Organisation(spelled[key], count, in_gazetteer, determiner + spelled[key]))
    return sorted(found, key=lambda org: (-org.known, -org.mentions, org.name))


def _is_word(key: str, language: str) -> bool:
    """A common word or a concept's acronym, capitalised: not an organisation of the article."""
    words = key.split()
    if len(words) == 1 and (words[0] in CONCEPT_ACRONYMS or zipf(words[0], language) >= COMMON_ZIPF):
        return True
    return all(word in CONCEPT_ACRONYMS for word in words)


def _find(words: list[str], target: tuple[str, ...]) -> list[int]:
    size = len(target)
    return [i for i in range(len(words) - size + 1) if tuple(words[i : i + size]) == target]


def _written_as_name(words: list[str], start: int, target: tuple[str, ...]) -> bool:
    """ "Threads" the network, not "threads" of a discussion; "X" alone only as a capital."""
    first = words[start]
    if not first[:1].isupper():
        return False
    return not (len(target) == 1 and len(first) == 1 and start + 1 < len(words) and words[start + 1] == ".")


def _known_determiner(known: Known, language: str) -> str:
    return known.en if language == "en" else known.fr


def _name_runs(sentence: Sentence, taken: list[bool], people: Set[str]) -> list[tuple[int, int]]:
    """Runs of capitalised proper nouns or acronyms that are not people and not a sentence's
    first word (which is capitalised anyway)."""
    runs = []
    start = None
    for index, token in enumerate((*sentence, None)):
        is_name = (
            token is not None
            and index > 0
            and not taken[index]
            and _CAPITALISED.match(token.text) is not None
            and (token.pos == "PROPN" or _ACRONYM.match(token.text) is not None)
            and fold(token.text) not in people
        )
        if is_name and start is None:
            start = index
        elif not is_name and start is not None:
            runs.append((start, index))
            start = None
    return runs


def _determiner_before(words: list[str], start: int, language: str) -> str:
    if start == 0:
        return ""
    before = words[start - 1].lower()
    if language == "en":
        return "the " if before == "the" else ""
    if before in _FR_DETERMINERS:
        return _FR_DETERMINERS[before]
    if before in _FR_CONTRACTIONS:
        return _FR_CONTRACTIONS[before]
    return ""
