"""The schema and the repository layer, on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.feeds_file import FeedsFile, load_feeds_file
from bot.config.settings import Settings
from bot.db import migrate
from bot.db.engine import check_connection, create_engine, sessionmaker
from bot.db.models import Base, Feed, Guild, Take
from bot.db.url import parse_database_url
from bot.errors import ConnectError
from bot.services import open_database
from bot.store.feeds import REMOVED_FROM_CONFIG, FeedStore
from tests.conftest import SHIPPED_FEEDS


def settings_for(url: str) -> Settings:
    return Settings(_env_file=None, database_url=url)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    async with open_database(settings_for(database_url)) as engine:
        yield engine


async def test_migrations_build_exactly_the_models(engine: AsyncEngine) -> None:
    def differences(connection: object) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})  # type: ignore[arg-type]
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []
    assert await migrate.current_revision(engine) == migrate.head_revision()


async def test_upgrading_twice_changes_nothing(engine: AsyncEngine) -> None:
    before, after = await migrate.upgrade(engine)

    assert before == after == migrate.head_revision()


async def test_sqlite_is_tuned_on_every_connection(tmp_path: Path) -> None:
    engine = create_engine(parse_database_url(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'x.db'}"))
    try:
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.execute(text(f"PRAGMA {name}"))).scalar()
                for name in ("journal_mode", "busy_timeout", "synchronous", "foreign_keys")
            }
    finally:
        await engine.dispose()

    assert pragmas == {"journal_mode": "wal", "busy_timeout": 5000, "synchronous": 1, "foreign_keys": 1}


async def test_times_come_back_as_aware_utc(engine: AsyncEngine) -> None:
    paris_noon = datetime(2026, 11, 23, 12, 30, tzinfo=timezone(timedelta(hours=1)))
    sessions = sessionmaker(engine)
    async with sessions.begin() as session:
        session.add(Guild(id=2**62, casestudy_channel_id=2**63 - 1, created_at=paris_noon))

    async with sessions() as session:
        guild = await session.get(Guild, 2**62)

    assert guild is not None
    assert guild.created_at == paris_noon and guild.created_at.tzinfo is UTC
    assert guild.casestudy_channel_id == 2**63 - 1  # snowflakes need 64 bits


async def test_naive_times_are_refused(engine: AsyncEngine) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        async with sessionmaker(engine).begin() as session:
            session.add(Guild(id=1, created_at=datetime(2026, 1, 1)))


async def test_foreign_keys_and_one_take_per_student_are_enforced(engine: AsyncEngine) -> None:
    sessions = sessionmaker(engine)
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            session.add(Take(case_study_id=12345, user_id=1, stance="agree", text="orphan"))


async def test_feeds_follow_the_file_and_keep_their_state(engine: AsyncEngine, tmp_path: Path) -> None:
    store = FeedStore(sessionmaker(engine))
    shipped = load_feeds_file(SHIPPED_FEEDS)

    first = await store.sync_from_config(shipped)
    assert (first.added, first.updated, first.disabled) == (len(shipped.feeds), 0, 0)

    # The engine records a fetch on one feed; a student's feed was approved.
    async with sessionmaker(engine).begin() as session:
        row = await session.scalar(select(Feed).where(Feed.url == shipped.feeds[0].url))
        assert row is not None
        row.etag, row.last_checked_at, row.consecutive_failures = '"v1"', datetime.now(UTC), 2
        session.add(
            Feed(url="https://students.example/feed", name="Suggestion", language="fr", origin="suggested")
        )

    # The file changes: the first feed is renamed, the last one leaves.
    edited = FeedsFile.model_validate(
        {
            **shipped.model_dump(),
            "feeds": [
                {**shipped.feeds[0].model_dump(), "name": "Renamed"},
                *[feed.model_dump() for feed in shipped.feeds[1:-1]],
            ],
        }
    )
    second = await store.sync_from_config(edited)
    assert (second.added, second.updated, second.disabled) == (0, 1, 1)
    assert await store.sync_from_config(edited) == type(second)(0, 0, 0)  # idempotent

    health = {feed.url: feed for feed in await store.health()}
    renamed = health[shipped.feeds[0].url]
    assert renamed.name == "Renamed" and renamed.consecutive_failures == 2  # state kept
    assert renamed.state.value == "failing"
    removed = health[shipped.feeds[-1].url]
    assert not removed.enabled and removed.disabled_reason == REMOVED_FROM_CONFIG
    assert health["https://students.example/feed"].enabled  # not the file's to manage


async def test_an_unreachable_database_is_one_clear_line_without_password() -> None:
    engine = create_engine(make_url("postgresql+asyncpg://veille:hunter2@127.0.0.1:9/veille"))
    try:
        with pytest.raises(ConnectError) as caught:
            await check_connection(engine)
    finally:
        await engine.dispose()

    message = caught.value.one_line()
    assert message.startswith(
        "cannot connect to the database postgresql+asyncpg://veille:***@127.0.0.1:9/veille ("
    )
    assert "hunter2" not in message
    assert "check DATABASE_URL" in message
