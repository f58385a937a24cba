"""Find the line of a key in a TOML file, so that validation errors can point at it.

`tomllib` keeps no positions. This reads the simple shape our files have (tables, arrays of tables,
plain and dotted keys) and maps each key path, such as ("feeds", 3, "url"), to its line number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")

KeyPath = tuple[str | int, ...]


class TomlLines:
    def __init__(self, text: str) -> None:
        self._lines: dict[KeyPath, int] = {}
        self._index(text)

    def _index(self, text: str) -> None:
        table: KeyPath = ()
        counts: dict[str, int] = {}
        in_multiline_string = False
        for number, line in enumerate(text.splitlines(), start=1):
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline_string = not in_multiline_string
                if not in_multiline_string:
                    continue
            if in_multiline_string:
                continue
            header = _HEADER.match(line)
            if header:
                name = header.group(2).strip()
                if header.group(1) == "[[":
                    index = counts.get(name, 0)
                    counts[name] = index + 1
                    table = (*name.split("."), index)
                else:
                    table = tuple(name.split("."))
                self._lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                parts = tuple(part.strip() for part in key.group(1).split("."))
                self._lines.setdefault((*table, *parts), number)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The line of the key, or of its nearest enclosing key or table that the file names."""
        path = tuple(path)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None
