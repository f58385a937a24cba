"""The bank of discussion questions and role-plays (`casestudies.toml`), validated on load.

Moderators edit the file, not the code: per theme and per language, question and situation
templates whose placeholders are filled with the article's own words. `[default]` templates serve
every theme and complete a theme's own. Every template is checked at load so that, filled with the
longest values allowed, it still fits its Discord field.
"""

from __future__ import annotations

import difflib
import random
import string
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from bot.casestudy.model import KEY_TERM_MAX, LANGUAGES, QUESTION_MAX, SITUATION_MAX
from bot.errors import ConfigError

PLACEHOLDERS = ("term", "term2", "source", "theme")
TERMS = {"term", "term2"}
FILL_MAX = {"term": KEY_TERM_MAX, "term2": KEY_TERM_MAX, "source": 40, "theme": 100}
KINDS = {"questions": QUESTION_MAX, "situations": SITUATION_MAX}
MIN_DEFAULT = {"questions": 3, "situations": 1}  # enough for any theme without templates
QUESTIONS_PER_CASE = 3
THEME_QUESTIONS = 2  # of the three: two of the theme's, one general


@dataclass(frozen=True)
class Templates:
    questions: tuple[str, ...] = ()
    situations: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionBank:
    default: Mapping[str, Templates]
    themes: Mapping[str, Mapping[str, Templates]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # problems that do not stop the bot (a theme left feeds.toml)

    def pick(
        self, theme: str, language: str, values: Mapping[str, str], seed: str
    ) -> tuple[tuple[str, ...], str]:
        """Three questions and one situation for an article, the same every time for the same seed.

        Templates whose placeholders have no value (an article with one key term has no {term2})
        are passed over.
        """
        rng = random.Random(seed)
        language = language if language in self.default else "fr"
        own = self.themes.get(theme, {}).get(language, Templates())
        general = self.default.get(language) or self.default["fr"]
        filled = {key: value[: FILL_MAX[key]] for key, value in values.items() if value}

        def usable(templates: tuple[str, ...]) -> list[str]:
            texts = [_fill(t, filled) for t in templates]
            return [text for text in texts if text is not None]

        theme_questions, general_questions = usable(own.questions), usable(general.questions)
        rng.shuffle(theme_questions)
        rng.shuffle(general_questions)
        questions = theme_questions[:THEME_QUESTIONS]
        questions += [q for q in general_questions if q not in questions][
            : QUESTIONS_PER_CASE - len(questions)
        ]
        situations = usable(own.situations) or usable(general.situations)
        return tuple(questions), rng.choice(situations)


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
                lang: self._templates(by_language.get(lang, []), kind, f"{name} {kind}.{lang}")
                for lang in LANGUAGES
            }
        return {
            lang: Templates(questions=lists["questions"][lang], situations=lists["situations"][lang])
            for lang in LANGUAGES
        }

    def _templates(self, values: object, kind: str, name: str) -> tuple[str, ...]:
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            self._fail(f"{name} must be a list of strings", needle=name)
        for template in values:
            self._check(template.strip(), kind, name)
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
