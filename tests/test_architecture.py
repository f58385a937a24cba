"""The layout rules of DESIGN.md, checked on the source: the core stays platform-free, cogs stay thin."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


@pytest.mark.parametrize("path", python_files("bot"), ids=lambda p: str(p.relative_to(REPO)))
def test_the_core_never_imports_a_platform(path: Path) -> None:
    forbidden = {
        name for name in imported_modules(path) if name.split(".")[0] in {"discord", "cogs", "slack_bolt"}
    }

    assert forbidden == set()


@pytest.mark.parametrize("path", python_files("cogs"), ids=lambda p: str(p.relative_to(REPO)))
def test_cogs_hold_no_sql(path: Path) -> None:
    storage = {
        name
        for name in imported_modules(path)
        if name.split(".")[0] in {"sqlalchemy", "aiosqlite", "asyncpg"}
    }
    storage |= {name for name in imported_modules(path) if name.startswith(("bot.db", "bot.store"))}

    assert storage == set()


def test_there_is_no_print_in_the_code() -> None:
    for path in python_files("bot") + python_files("cogs"):
        calls = [
            node
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
        ]
        assert calls == [], path


def test_every_extension_is_a_module_with_setup() -> None:
    import importlib

    from cogs.client import EXTENSIONS

    for name in EXTENSIONS:
        assert callable(getattr(importlib.import_module(name), "setup", None)), name
