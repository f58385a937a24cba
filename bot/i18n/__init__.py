"""Translation catalogues (French and English) and the locale of the current task.

Catalogues are TOML files beside this module; a key is a dotted path (`status.title`). Placeholders
are named (`{count}`), and a value that is a table of `one` / `other` is chosen by a count.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any, Literal

Locale = Literal["fr", "en"]
LOCALES: tuple[Locale, ...] = ("fr", "en")
DEFAULT_LOCALE: Locale = "fr"

_current: ContextVar[Locale] = ContextVar("veille_locale", default=DEFAULT_LOCALE)


def supported_locale(tag: str | None) -> Locale | None:
    """Map a platform locale tag (`fr`, `en-US`, `en-GB`…) to one of ours, if we have it."""
    if tag:
        language = tag.split("-")[0].split("_")[0].lower()
        if language in LOCALES:
            return language
    return None


def locale_from(tag: str | None, fallback: Locale = DEFAULT_LOCALE) -> Locale:
    return supported_locale(tag) or fallback


def current_locale() -> Locale:
    return _current.get()


@contextmanager
def using_locale(locale: Locale) -> Iterator[None]:
    """Translate in `locale` inside the block (a background job sets its guild's language so)."""
    token = _current.set(locale)
    try:
        yield
    finally:
        _current.reset(token)


def t(key: str, locale: Locale | None = None, /, *, count: int | None = None, **params: Any) -> str:
    """The text for `key` in `locale` (default: the current task's), with its placeholders filled."""
    locale = locale or current_locale()
    value = catalogue(locale).get(key)
    if value is None:
        raise KeyError(f"missing translation {key!r} in the {locale!r} catalogue")
    if isinstance(value, Mapping):
        value = value["one" if _is_one(locale, count) else "other"]
    if count is not None:
        params.setdefault("count", count)
    return str(value).format(**params)


def _is_one(locale: Locale, count: int | None) -> bool:
    """CLDR's plural rule: French counts 0 and 1 as one ("0 avis nuancé"), English only 1."""
    if count is None:
        return False
    return count in (0, 1) if locale == "fr" else count == 1


@cache
def catalogue(locale: Locale) -> dict[str, Any]:
    path = Path(__file__).with_name(f"{locale}.toml")
    with path.open("rb") as file:
        return _flatten(tomllib.load(file))


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and not _is_plural(value):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _is_plural(value: Mapping[str, Any]) -> bool:
    return set(value) == {"one", "other"}
