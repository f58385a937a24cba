"""Database URLs: accept what people write (`postgres://`, `sqlite:///`) and pick the async driver."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
}
_EXAMPLES = "sqlite:///data/veille.db or postgresql://user:password@host:5432/veille"


class DatabaseUrlError(ValueError):
    pass


def parse_database_url(raw: str) -> URL:
    """Return the URL with its async driver; the error never repeats the URL, which may hold a password."""
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise DatabaseUrlError(f"not a database URL; expected something like {_EXAMPLES}") from None
    dialect = url.drivername.partition("+")[0]
    if dialect not in _DRIVERS:
        raise DatabaseUrlError(
            f"the {dialect!r} database is not supported; use SQLite or PostgreSQL ({_EXAMPLES})"
        )
    # The bot is async end to end: whatever driver was named, use the async one of that dialect.
    return url.set(drivername=_DRIVERS[dialect])


def redact(url: URL) -> str:
    return url.render_as_string(hide_password=True)
