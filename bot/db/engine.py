"""The async engine: SQLite tuned on connect, PostgreSQL as is, and a friendly failure when unreachable."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.db.url import redact
from bot.errors import ConnectError

log = logging.getLogger(__name__)

# DESIGN.md §4: WAL for concurrent readers, a busy timeout instead of "database is locked",
# NORMAL sync (safe with WAL), and foreign keys, which SQLite leaves off by default.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
CONNECT_TIMEOUT_SECONDS = 10


def create_engine(url: URL, **options: Any) -> AsyncEngine:
    """Build the engine for `url`; for SQLite, create the file's folder and set the pragmas."""
    if url.get_backend_name() == "sqlite":
        _ensure_sqlite_folder(url)
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
        return engine
    options.setdefault("pool_pre_ping", True)
    options.setdefault("connect_args", {"timeout": CONNECT_TIMEOUT_SECONDS})
    return create_async_engine(url, **options)


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


_WRITERS: weakref.WeakKeyDictionary[AsyncEngine, asyncio.Lock] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def write_transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A transaction that writes.

    SQLite has one writer at a time, and its busy timeout waits by sleeping up to 100 ms between
    tries (and fails with "database is locked" once the queue outlasts it). So writers take turns
    explicitly: the tasks of one process on an asyncio lock, the processes (the bot and its
    ingestion workers) on a lock file, and each is woken as soon as its turn comes.
    PostgreSQL needs none of this.
    """
    engine = sessions.kw["bind"]
    if engine.dialect.name != "sqlite":
        async with sessions.begin() as session:
            yield session
        return
    lock = _WRITERS.setdefault(engine, asyncio.Lock())
    async with lock, _file_lock(engine.url.database), sessions.begin() as session:
        yield session


@asynccontextmanager
async def _file_lock(database: str | None) -> AsyncIterator[None]:
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    fd = os.open(f"{database}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        waiting = asyncio.get_running_loop().run_in_executor(None, fcntl.flock, fd, fcntl.LOCK_EX)
        try:
            await asyncio.shield(waiting)
        except asyncio.CancelledError:
            # The thread still waits for the lock: closing the file when it gets it releases it.
            waiting.add_done_callback(lambda _: os.close(fd))
            raise
    try:
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


async def check_connection(engine: AsyncEngine) -> None:
    """Open one connection, or raise `ConnectError` naming the database without its password."""
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS + 5), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        raise ConnectError(
            f"cannot connect to the database {redact(engine.url)} ({_reason(exc)})",
            todo="check DATABASE_URL and that the database server is running",
        ) from None


def _reason(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    if isinstance(cause, TimeoutError) or isinstance(exc, TimeoutError):
        return "timed out"
    message = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {message}" if message else type(cause).__name__


def _ensure_sqlite_folder(url: URL) -> None:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()
