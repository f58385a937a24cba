"""The bank of discussion questions and role-plays (`casestudies.toml`), validated on load.

Moderators edit the file, not the code: per theme and per language, question and situation
templates whose placeholders are filled with the article's own words. `[default]` templates serve
every theme and complete a theme's own. Every template is checked at load so that, filled with the
longest values allowed, it still fits its Discord field, and that each placeholder stands where
what fills it reads right: a quoted sentence alone inside its quotes, an organisation where its
determiner needs no contraction, a key term inside quotes.

A template is only filled with a value the article gives and the builder vouched for (a key term
that passed its checks, a whole sentence); one without its value is passed over. Every case study
gets one question that quotes the article when the article gives something to quote, and a group
is given templates it has not had before first (`used`: what it was given, most recent first).
"""

from __future__ import annotations

import difflib
import hashlib
import random
import re
import string
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from bot.casestudy.model import (
    KEY_TERM_MAX,
    LANGUAGES,
    ORGANISATION_MAX,
    QUESTION_MAX,
    QUOTE_MAX,
    SITUATION_MAX,
)
from bot.errors import ConfigError
from bot.feeds.text import tokens

PLACEHOLDERS = ("term", "term2", "source", "theme", "claim", "figure", "org")
TERMS = {"term", "term2"}
QUOTED = {"claim", "figure"}  # a whole sentence of the article
CITING = QUOTED | {"org"}  # what makes a question one that only this article could raise
FILL_MAX = {
    "term": KEY_TERM_MAX,
    "term2": KEY_TERM_MAX,
    "source": 40,
    "theme": 100,
    "claim": QUOTE_MAX,
    "figure": QUOTE_MAX,
    "org": ORGANISATION_MAX,
}
KINDS = {"questions": QUESTION_MAX, "situations": SITUATION_MAX}
MIN_DEFAULT = {"questions": 3, "situations": 1}  # enough for any theme without templates
QUESTIONS_PER_CASE = 3
THEME_QUESTIONS = 2  # of the three: two of the theme's (the quoting one counted), one general
# Where a placeholder may stand (checked at load, see `_check_position`).
_QUOTES = {"fr": ("« ", " »"), "en": ("“", "”")}
_TERM_QUOTES = {"fr": (("« ", " »"),), "en": (('"', '"'), ("“", "”"))}
# A key term's gender and number are unknown (« notifications », « CV vidéo »): it follows a noun
# that names it, never a preposition or a verb that would want its article (« liée à « CV vidéo » »).
_NAMING = {
    "fr": re.compile(
        r"\b(?:terme|termes|notion|notions|expression|expressions|mot|mots|idée|concept|phénomène|pratique|"
        r"sujet|thème)(?:\s+(?:de|d'|d’))?\s*$",
        re.IGNORECASE,
    ),
    "en": re.compile(
        r"\b(?:term|terms|notion|notions|idea|concept|phrase|practice|phenomenon|topic|expression|word)"
        r"(?:\s+of)?\s*$",
        re.IGNORECASE,
    ),
}
_NO_ORG_AFTER = {
    "fr": re.compile(r"(?:^|\s)(?:de|à|du|au|aux|des|d'|d’|le|la|les|l'|l’|un|une)\s*$", re.IGNORECASE),
    "en": re.compile(r"(?:^|\s)(?:the|a|an)\s*$", re.IGNORECASE),
}
_SENTENCE_START = re.compile(r"(?:^|[.!?»”]\s+)$")


@dataclass(frozen=True)
class Templates:
    questions: tuple[str, ...] = ()
    situations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Picked:
    """What a case study is given: three questions, one situation, and the keys of their
    templates (so that the group is not given them again soon)."""

    questions: tuple[str, ...]
    situation: str
    templates: tuple[str, ...]
    # The placeholders each question, then the situation, was filled with.
    placeholders: tuple[frozenset[str], ...] = ()

    @property
    def citing(self) -> int:
        """How many questions quote the article."""
        return sum(bool(used & CITING) for used in self.placeholders[: len(self.questions)])


@dataclass(frozen=True)
class _Filled:
    key: str
    text: str
    placeholders: frozenset[str]

    @property
    def citing(self) -> bool:
        return bool(self.placeholders & CITING)


@dataclass(frozen=True)
class QuestionBank:
    default: Mapping[str, Templates]
    themes: Mapping[str, Mapping[str, Templates]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # problems that do not stop the bot (a theme left feeds.toml)

    def pick(
        self,
        theme: str,
        language: str,
        values: Mapping[str, str],
        seed: str,
        used: Sequence[str] = (),
    ) -> Picked:
        """Three questions and one situation for an article, the same every time for the same
        seed and history.

        Templates whose placeholders have no value (an article with one key term has no {term2})
        are passed over. One question quotes the article ({claim}, {figure} or {org}) when one
        can. `used` are the template keys the group was given, most recent first: the others go
        first, then the ones given longest ago."""
        rng = random.Random(seed)
        language = language if language in self.default else "fr"
        own = self.themes.get(theme, {}).get(language, Templates())
        general = self.default.get(language) or self.default["fr"]
        filled = {key: _fit(key, value, language) for key, value in values.items() if value}
        recency = {key: age for age, key in reversed(list(enumerate(used)))}

        def usable(templates: tuple[str, ...], kind: str) -> list[_Filled]:
            found = [_filled(kind, template, filled) for template in templates]
            return _fresh_first([item for item in found if item is not None], recency, rng)

        theme_questions, general_questions = (
            usable(own.questions, "questions"),
            usable(general.questions, "questions"),
        )
        citing = [q for q in theme_questions if q.citing] or [q for q in general_questions if q.citing]
        questions = citing[:1]
        theme_rest = [q for q in theme_questions if not q.citing or not questions]
        questions += [q for q in theme_rest if q not in questions][: THEME_QUESTIONS - len(questions)]
        # A general question that quotes the article again comes last: one is enough.
        rest = sorted(general_questions, key=lambda q: (q.key in recency, q.citing, -recency.get(q.key, 0)))
        questions += [q for q in rest if q not in questions][: QUESTIONS_PER_CASE - len(questions)]
        # The theme's own role-plays first, then the general ones; all of them before a repeat.
        own_situations, general_situations = (
            usable(own.situations, "situations"),
            usable(general.situations, "situations"),
        )
        situations = [s for s in own_situations + general_situations if s.key not in recency] or _fresh_first(
            own_situations + general_situations, recency, rng
        )
        situation = situations[0]
        chosen = (*questions, situation)
        return Picked(
            tuple(q.text for q in questions),
            situation.text,
            tuple(item.key for item in chosen),
            tuple(item.placeholders for item in chosen),
        )


def _repeats_itself(template: str, values: Mapping[str, str]) -> bool:
    """« Si vous enregistriez un CV vidéo, quelle place donneriez-vous à « CV vidéo » ? »: a term
    that the template already says makes a question that turns in circles."""
    words = set(tokens(template))
    return any(
        set(tokens(values[name])) <= words for name in _placeholders(template) & TERMS if tokens(values[name])
    )


def template_key(kind: str, template: str) -> str:
    """A template's identity in a group's memory: its kind and its text (an edited template is a
    new one)."""
    return hashlib.sha256(f"{kind}|{template}".encode()).hexdigest()[:12]


def _filled(kind: str, template: str, values: Mapping[str, str]) -> _Filled | None:
    text = _fill(template, values)
    if text is None or _repeats_itself(template, values):
        return None
    return _Filled(template_key(kind, template), text, frozenset(_placeholders(template)))


def _fresh_first(items: list[_Filled], recency: Mapping[str, int], rng: random.Random) -> list[_Filled]:
    """Shuffled by the seed, then: never given first, then the ones given longest ago."""
    shuffled = list(items)
    rng.shuffle(shuffled)
    return sorted(shuffled, key=lambda item: (item.key in recency, -recency.get(item.key, 0)))


def _fit(placeholder: str, value: str, language: str) -> str:
    """The value as it goes into its slot: a quoted sentence gets the inner quotes of its
    language (« … “…” … »), and nothing is longer than its slot allows."""
    if placeholder in QUOTED:
        value = _inner_quotes(value, language)
    return value[: FILL_MAX[placeholder]]


def _inner_quotes(sentence: str, language: str) -> str:
    if language == "en":
        return sentence.replace("“", "‘").replace("”", "’").replace('"', "'")
    return re.sub(r"«\s*", "“", re.sub(r"\s*»", "”", sentence))


def _misplaced(template: str, language: str) -> str | None:
    """What would make a filled template read wrong, in words for the file's editor; else None."""
    for match in re.finditer(r"\{(\w+)\}", template):
        placeholder, before, after = match.group(1), template[: match.start()], template[match.end() :]
        if placeholder in QUOTED:
            opening, closing = _QUOTES[language]
            if not (_ends_with_quote(before, opening) and _starts_with_quote(after, closing)):
                example = f"{opening}{{{placeholder}}}{closing}"
                return f"{{{placeholder}}} is a whole sentence: write it alone inside quotes, {example}"
        elif placeholder in TERMS:
            if not any(
                _ends_with_quote(before, opening) and _starts_with_quote(after, closing)
                for opening, closing in _TERM_QUOTES[language]
            ):
                opening, closing = _TERM_QUOTES[language][0]
                return f"a key term is always quoted: {opening}{{{placeholder}}}{closing}"
            unquoted = before.rstrip().removesuffix(_TERM_QUOTES[language][0][0].strip())
            if language in _NAMING and not _NAMING[language].search(unquoted.rstrip('"“ ')):
                example = "la notion de « {term} »" if language == "fr" else 'the idea of "{term}"'
                return (
                    "a key term's gender and number are unknown: put a word that names it before "
                    f"it ({example}, le terme / the term, l'expression / the phrase)"
                )
        elif placeholder == "org":
            if _SENTENCE_START.search(before):
                return '{org} brings its determiner (« la CNIL », "the EEOC"): never start a sentence with it'
            if _NO_ORG_AFTER[language].search(before):
                word = before.split()[-1] if before.split() else before
                return (
                    f"{{org}} brings its determiner: not after {word!r} "
                    "(« de la CNIL » reads right, « de le RGPD » does not)"
                )
    return None


def _ends_with_quote(text: str, opening: str) -> bool:
    return text.replace("\u00a0", " ").endswith(opening) or text.endswith(opening.strip())


def _starts_with_quote(text: str, closing: str) -> bool:
    return text.replace("\u00a0", " ").startswith(closing) or text.startswith(closing.strip())


def describe_bank(bank: QuestionBank) -> str:
    """One line for `veille config check`: how many templates, for how many themes."""
    tables = [bank.default, *bank.themes.values()]
    questions = sum(len(t.questions) for table in tables for t in table.values())
    situations = sum(len(t.situations) for table in tables for t in table.values())
    return f"{questions} questions and {situations} situations, general and for {len(bank.themes)} themes"


def _fill(template: str, values: Mapping[str, str]) -> str | None:
    needed = _placeholders(template)
    if not needed <= values.keys():
        return None
    return template.format_map({key: values[key] for key in needed})


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def load_bank(path: Path, themes: Collection[str]) -> QuestionBank:
    """Read and check the bank; `themes` are the ids of feeds.toml. Problems name file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            "file not found",
            where=str(path),
            todo="create it (the repository ships one) or point CASESTUDIES_FILE at it",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file as UTF-8 text ({exc})", where=str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"invalid TOML: {exc}", where=str(path), todo="fix the syntax (https://toml.io)"
        ) from None
    return _Reader(path, text, themes).bank(data)


@dataclass
class _Reader:
    path: Path
    text: str
    themes: Collection[str]

    def bank(self, data: dict[str, Any]) -> QuestionBank:
        self._keys(data, {"default", "themes"}, "the file")
        if "default" not in data:
            self._fail("missing the [default] table (templates for every theme)")
        default = self._table(data["default"], "[default]")
        for language in LANGUAGES:
            for kind, minimum in MIN_DEFAULT.items():
                # Counted without {term}: an article may give no key term, and still needs them.
                termless = [t for t in getattr(default[language], kind) if not _placeholders(t) & TERMS]
                if len(termless) < minimum:
                    self._fail(
                        f"[default] needs at least {minimum} {kind}.{language} without {{term}} or "
                        "{term2}, for articles that give no key term",
                        needle="[default]",
                    )
        themes = data.get("themes", {})
        if not isinstance(themes, dict):
            self._fail("themes must be tables such as [themes.video-cv]", needle="themes")
        parsed, warnings = {}, []
        for theme, table in themes.items():
            templates = self._table(table, f"[themes.{theme}]")
            if theme in self.themes:
                parsed[theme] = templates
                continue
            # A theme removed from feeds.toml must not stop the bot; a typo must still be seen.
            guess = difflib.get_close_matches(theme, list(self.themes), n=1)
            hint = f"; did you mean {guess[0]!r}?" if guess else " (not in feeds.toml): templates unused"
            warnings.append(f"{self._where(f'[themes.{theme}]')}: unknown theme {theme!r}{hint}")
        return QuestionBank(default, parsed, tuple(warnings))

    def _table(self, table: object, name: str) -> dict[str, Templates]:
        if not isinstance(table, dict):
            self._fail(f"{name} must be a table", needle=name)
        self._keys(table, set(KINDS), name)
        lists: dict[str, dict[str, tuple[str, ...]]] = {}
        for kind in KINDS:
            by_language = table.get(kind, {})
            if not isinstance(by_language, dict):
                self._fail(f"{name} {kind} must have fr and en lists ({kind}.fr = [...])", needle=name)
            self._keys(by_language, set(LANGUAGES), f"{name} {kind}")
            lists[kind] = {
                lang: self._templates(by_language.get(lang, []), kind, lang, f"{name} {kind}.{lang}")
                for lang in LANGUAGES
            }
        return {
            lang: Templates(questions=lists["questions"][lang], situations=lists["situations"][lang])
            for lang in LANGUAGES
        }

    def _templates(self, values: object, kind: str, language: str, name: str) -> tuple[str, ...]:
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            self._fail(f"{name} must be a list of strings", needle=name)
        for template in values:
            self._check(template.strip(), kind, name)
            problem = _misplaced(template.strip(), language)
            if problem:
                self._fail(f"{name}: {template.strip()!r}: {problem}", needle=template.strip()[:40])
        return tuple(template.strip() for template in values)

    def _check(self, template: str, kind: str, name: str) -> None:
        needle = template[:40]
        try:
            used = _placeholders(template)
        except ValueError as exc:
            self._fail(
                f"{name}: {exc} in {template!r} (write {{{{ and }}}} for a literal brace)", needle=needle
            )
        unknown = used - set(PLACEHOLDERS)
        if unknown:
            allowed = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            self._fail(
                f"{name}: unknown placeholder {{{sorted(unknown)[0]}}}; allowed: {allowed}", needle=needle
            )
        if not template:
            self._fail(f"{name}: an empty template", needle=name)
        longest = len(template.format_map({key: "x" * FILL_MAX[key] for key in used}))
        if longest > KINDS[kind]:
            self._fail(
                f"{name}: {template!r} can reach {longest} characters once filled; "
                f"the limit is {KINDS[kind]} (Discord's field): shorten it",
                needle=needle,
            )

    def _keys(self, table: Mapping[str, Any], allowed: set[str], name: str) -> None:
        for key in table:
            if key not in allowed:
                self._fail(f"{name}: unknown key {key!r}; expected {', '.join(sorted(allowed))}", needle=key)

    def _fail(self, message: str, *, needle: str | None = None) -> NoReturn:
        raise ConfigError(message, where=self._where(needle))

    def _where(self, needle: str | None) -> str:
        line = self._line(needle)
        return f"{self.path} line {line}" if line else str(self.path)

    def _line(self, needle: str | None) -> int | None:
        if not needle:
            return None
        index = self.text.find(needle)
        return self.text.count("\n", 0, index) + 1 if index >= 0 else None
