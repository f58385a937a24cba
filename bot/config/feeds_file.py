"""`feeds.toml`: the feeds the bot reads and the themes it scores them against, validated on load."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.config.toml_lines import TomlLines
from bot.errors import ConfigError

Language = Literal["fr", "en"]
ThemeId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=400)]

MIN_INTERVAL_MINUTES = 5
MAX_INTERVAL_MINUTES = 7 * 24 * 60


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Labels(_Strict):
    fr: Text
    en: Text


class Keywords(_Strict):
    fr: list[Keyword] = Field(min_length=1)
    en: list[Keyword] = Field(min_length=1)


class Descriptions(_Strict):
    fr: Sentence
    en: Sentence


class Examples(_Strict):
    fr: list[Sentence] = Field(default_factory=list, max_length=20)
    en: list[Sentence] = Field(default_factory=list, max_length=20)


class Theme(_Strict):
    id: ThemeId
    label: Labels
    keywords: Keywords
    # What the theme is about and how articles on it are written: the scorer's profile of it.
    description: Descriptions | None = None
    examples: Examples = Field(default_factory=Examples)

    def label_in(self, locale: str) -> str:
        return self.label.en if locale == "en" else self.label.fr

    def about(self, language: str) -> str:
        """The label, description and examples in `language`, as one text."""
        parts = [self.label_in(language)]
        if self.description is not None:
            parts.append(self.description.en if language == "en" else self.description.fr)
        parts.extend(self.examples.en if language == "en" else self.examples.fr)
        return "\n".join(parts)


class Defaults(_Strict):
    interval_minutes: int = Field(default=60, ge=MIN_INTERVAL_MINUTES, le=MAX_INTERVAL_MINUTES)


class Feed(_Strict):
    name: Text
    url: str
    language: Language
    themes: list[ThemeId] = Field(default_factory=list)
    interval_minutes: int | None = Field(default=None, ge=MIN_INTERVAL_MINUTES, le=MAX_INTERVAL_MINUTES)
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("expected an http:// or https:// URL with a host name")
        return value


class FeedsFile(_Strict):
    defaults: Defaults = Field(default_factory=Defaults)
    themes: list[Theme] = Field(min_length=1)
    feeds: list[Feed] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> FeedsFile:
        _reject_duplicates("themes", [theme.id for theme in self.themes], "id")
        _reject_duplicates("feeds", [feed.url for feed in self.feeds], "url")
        known = [theme.id for theme in self.themes]
        for index, feed in enumerate(self.feeds):
            for position, theme in enumerate(feed.themes):
                if theme not in known:
                    guess = difflib.get_close_matches(theme, known, n=1)
                    hint = f"; did you mean {guess[0]!r}?" if guess else ""
                    raise _LocatedValueError(
                        ("feeds", index, "themes", position),
                        f"unknown theme {theme!r}: expected one of the [[themes]] ids{hint}",
                    )
        return self

    def interval_of(self, feed: Feed) -> int:
        return feed.interval_minutes or self.defaults.interval_minutes

    def theme(self, theme_id: str) -> Theme | None:
        return next((theme for theme in self.themes if theme.id == theme_id), None)


class _LocatedValueError(ValueError):
    """A cross-field error that knows which key it is about."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        self.path = path
        super().__init__(message)


def _reject_duplicates(table: str, values: Sequence[str], key: str) -> None:
    seen: dict[str, int] = {}
    for index, value in enumerate(values):
        if value in seen:
            raise _LocatedValueError(
                (table, index, key),
                f"duplicate {key} {value!r}, already used by {table} #{seen[value] + 1}",
            )
        seen[value] = index


def load_feeds_file(path: Path) -> FeedsFile:
    """Read and validate `feeds.toml`; every problem becomes a `ConfigError` naming file and line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            "file not found",
            where=str(path),
            todo="create it (the repository ships one) or point FEEDS_FILE at it",
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the file ({exc.strerror})", where=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            "the file is not valid UTF-8", where=f"{path} line {line}", todo="save it as UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"invalid TOML: {_strip_position(str(exc))}",
            where=f"{path} line {_position(str(exc))}",
            todo="fix the syntax (https://toml.io)",
        ) from None
    try:
        return FeedsFile.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(path, TomlLines(text), data, error) for error in exc.errors()]
        raise ConfigError(
            problems[0] if len(problems) == 1 else f"{len(problems)} problems in {path}",
            details=problems if len(problems) > 1 else [],
        ) from None


_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _position(message: str) -> str:
    match = _POSITION.search(message)
    return f"{match.group(1)}, column {match.group(2)}" if match else "?"


def _strip_position(message: str) -> str:
    return _POSITION.sub("", message).strip()


def _describe(path: Path, lines: TomlLines, data: Mapping[str, Any], error: Mapping[str, Any]) -> str:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    context = error.get("ctx") or {}
    located = context.get("error")
    if isinstance(located, _LocatedValueError):
        loc, message = located.path, str(located)
    elif error["type"] == "extra_forbidden":
        message = _unknown_key_message(loc)
    elif error["type"] == "literal_error":
        message = f"expected {context.get('expected', '')}, got {error['input']!r}"
    elif error["type"] == "missing":
        message = "missing required key"
    line = lines.line_of(loc)
    where = f"{path} line {line}" if line else str(path)
    return f"{where}, {_key_name(loc, data)}: {message}"


def _unknown_key_message(loc: tuple[str | int, ...]) -> str:
    key = str(loc[-1])
    allowed = _allowed_keys(loc[:-1])
    guess = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
    hint = f"; did you mean {guess[0]!r}?" if guess else f"; expected one of {', '.join(allowed)}"
    return f"unknown key{hint}"


def _allowed_keys(parent: tuple[str | int, ...]) -> list[str]:
    model: type[BaseModel] = FeedsFile
    for part in parent:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        inner = getattr(annotation, "__args__", (annotation,))[0]
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return []
        model = inner
    return list(model.model_fields)


def _key_name(loc: tuple[str | int, ...], data: Mapping[str, Any]) -> str:
    """`feeds #4 "Le Monde Pixels" → interval_minutes` reads better than a raw location tuple."""
    if len(loc) >= 2 and isinstance(loc[1], int):
        table, index = str(loc[0]), loc[1]
        entry = _entry(data, table, index)
        label = entry.get("name") or entry.get("id") if isinstance(entry, dict) else None
        head = f"{table} #{index + 1}" + (f" {label!r}" if label else "")
        rest = ".".join(str(part) for part in loc[2:])
        return f"{head} → {rest}" if rest else head
    return ".".join(str(part) for part in loc) or "(file)"


def _entry(data: Mapping[str, Any], table: str, index: int) -> Any:
    entries = data.get(table)
    if isinstance(entries, list) and 0 <= index < len(entries):
        return entries[index]
    return None
