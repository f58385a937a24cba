"""Alembic environment: runs on the connection the app hands over, or on DATABASE_URL from the CLI."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from bot.db.models import Base

target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table, using named constraints.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_settings() -> None:
    """`alembic` run by hand (e.g. `alembic revision --autogenerate`) uses the bot's own settings."""
    from bot.config.settings import load_settings
    from bot.db.engine import create_engine

    engine = create_engine(load_settings().settings.database)
    async with engine.begin() as connection:
        await connection.run_sync(run_on)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run `veille db upgrade`")

shared = context.config.attributes.get("connection")
if shared is not None:
    run_on(shared)
else:
    asyncio.run(run_from_settings())
