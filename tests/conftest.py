"""Shared fixtures: real databases (SQLite, and PostgreSQL when configured), settings, a log guard."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
# The feed engine's fixtures serve the case-study tests too.
pytest_plugins = ("tests.feed_fixtures",)

SHIPPED_FEEDS = REPO / "feeds.toml"
SHIPPED_BANK = REPO / "casestudies.toml"
POSTGRES_URL_VARIABLE = "VEILLE_TEST_POSTGRES_URL"
GUARDED_LOGGERS = ("discord", "bot", "cogs", "sandbox", "asyncio")


# ── a test fails on any ERROR that discord.py (or our code) only logs ───────────────────────────


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def fail_on_logged_errors(request: pytest.FixtureRequest) -> Iterator[_ErrorCollector]:
    collector = _ErrorCollector()
    loggers = [logging.getLogger(name) for name in GUARDED_LOGGERS]
    for logger in loggers:
        logger.addHandler(collector)
    yield collector
    for logger in loggers:
        logger.removeHandler(collector)
    if request.node.get_closest_marker("allow_logged_errors") is None and collector.records:
        lines = [f"{r.name}: {r.getMessage()}" for r in collector.records]
        pytest.fail("errors were logged:\n" + "\n".join(lines), pytrace=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "allow_logged_errors: the test provokes errors that the code is right to log"
    )


# ── databases ───────────────────────────────────────────────────────────────────────────────────


def _backends() -> list[str]:
    return ["sqlite", "postgresql"]


@pytest.fixture(params=_backends())
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database on each backend: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'veille.db'}"
        return
    admin_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not admin_url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_URL_VARIABLE} is not set: CI must test PostgreSQL too (.ci/run)")
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_URL_VARIABLE} (bash .ci/run does)")
    async with _postgres_database(admin_url) as url:
        yield url


class _postgres_database:
    """Create a uniquely named database for one test and drop it afterwards."""

    def __init__(self, admin_url: str) -> None:
        self.admin = make_url(admin_url)
        self.name = f"veille_test_{secrets.token_hex(6)}"

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(
            user=self.admin.username,
            password=self.admin.password,
            host=self.admin.host,
            port=self.admin.port,
            database=self.admin.database or "postgres",
        )

    async def __aenter__(self) -> str:
        connection = await self._admin()
        try:
            await connection.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            await connection.close()
        return self.admin.set(database=self.name).render_as_string(hide_password=False)

    async def __aexit__(self, *exc: object) -> None:
        connection = await self._admin()
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await connection.close()


# ── settings ────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from what each test says, never from the developer's shell."""
    from bot.config.settings import Settings

    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
