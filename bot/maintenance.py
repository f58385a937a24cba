"""Operator commands that need no chat platform: migrate, check the configuration, list feeds."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL

from bot.casestudy.bank import describe_bank, load_bank
from bot.config.feeds_file import FeedsFile, load_feeds_file
from bot.config.settings import Settings
from bot.console import Console, duration_text
from bot.db import migrate
from bot.db.engine import check_connection, create_engine, sessionmaker
from bot.db.url import redact
from bot.feeds.health import FeedHealth, HealthState, HealthSummary
from bot.services import open_database
from bot.store.feeds import FeedStore


async def db_upgrade(settings: Settings, console: Console) -> int:
    engine = create_engine(settings.database)
    try:
        await check_connection(engine)
        before, after = await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    where = redact(settings.database)
    if before == after:
        console.echo(f"{where}: already up to date (revision {after})")
    else:
        console.echo(f"{where}: upgraded from {before or 'an empty database'} to revision {after}")
    return 0


async def config_check(settings: Settings, console: Console) -> int:
    console.echo("Settings (.env and environment)")
    for name, value in settings.summary():
        console.echo(f"  {name:<20} {value}")
    console.echo()
    feeds_file = load_feeds_file(settings.feeds_file)
    _print_feeds_summary(settings.feeds_file, feeds_file, console)
    bank = load_bank(settings.casestudies_file, [theme.id for theme in feeds_file.themes])
    console.echo(f"{settings.casestudies_file}: {describe_bank(bank)}")
    for warning in bank.warnings:
        console.warn(warning)
    console.echo()
    console.echo(f"Database: {await _database_state(settings)}")
    console.echo()
    console.echo("Configuration OK.")
    return 0


def _print_feeds_summary(path: Path, feeds_file: FeedsFile, console: Console) -> None:
    enabled = [feed for feed in feeds_file.feeds if feed.enabled]
    by_language = {lang: sum(feed.language == lang for feed in enabled) for lang in ("fr", "en")}
    console.echo(
        f"{path}: {len(feeds_file.feeds)} feeds ({len(enabled)} enabled: "
        f"{by_language['fr']} French, {by_language['en']} English), {len(feeds_file.themes)} themes"
    )
    for theme in feeds_file.themes:
        count = sum(theme.id in feed.themes for feed in enabled)
        console.echo(f"  {theme.id:<26} {count:>2} feeds  {theme.label.fr} / {theme.label.en}")


async def _database_state(settings: Settings) -> str:
    url = settings.database
    where = redact(url)
    if _sqlite_file_missing(url):
        return f"{where} (will be created when the bot first starts)"
    engine = create_engine(url)
    try:
        await check_connection(engine)
        current = await migrate.current_revision(engine)
    finally:
        await engine.dispose()
    head = migrate.head_revision()
    if current == head:
        return f"{where} (reachable, schema up to date)"
    return f"{where} (reachable, schema {current or 'empty'}; {head} is applied at next start)"


def _sqlite_file_missing(url: URL) -> bool:
    database = url.database
    return (
        url.get_backend_name() == "sqlite"
        and bool(database)
        and database != ":memory:"
        and not Path(str(database)).exists()
    )


async def feeds_list(settings: Settings, console: Console) -> int:
    feeds_file = load_feeds_file(settings.feeds_file)
    async with open_database(settings) as engine:
        store = FeedStore(sessionmaker(engine))
        await store.sync_from_config(feeds_file)
        feeds = await store.health()
    _print_feed_table(feeds, console)
    return 0


async def feeds_export(settings: Settings, console: Console, output: Path | None) -> int:
    """The approved suggestions as `[[feeds]]` entries of feeds.toml."""
    async with open_database(settings) as engine:
        feeds = [
            feed for feed in await FeedStore(sessionmaker(engine)).health() if feed.origin == "suggested"
        ]
    entries = [feed_entry(feed) for feed in feeds if feed.enabled]
    text = "\n".join(entries) if entries else "# No approved suggestion to export.\n"
    if output is None:
        console.echo(text.rstrip("\n"))
    else:
        await asyncio.to_thread(output.write_text, text, encoding="utf-8")
        console.echo(f"{len(entries)} feed(s) written to {output}")
    return 0


def feed_entry(feed: FeedHealth) -> str:
    """One `[[feeds]]` table; JSON strings are valid TOML basic strings."""
    themes = ", ".join(json.dumps(theme, ensure_ascii=False) for theme in feed.themes)
    return (
        "[[feeds]]  # suggested by a student, approved by a moderator\n"
        f"name = {json.dumps(feed.name, ensure_ascii=False)}\n"
        f"url = {json.dumps(feed.url, ensure_ascii=False)}\n"
        f"language = {json.dumps(feed.language)}\n"
        f"themes = [{themes}]\n"
        f"interval_minutes = {feed.interval_minutes}\n"
    )


ORIGINS = {"config": "feeds.toml", "suggested": "suggestion", "local": "local file"}


def _print_feed_table(feeds: list[FeedHealth], console: Console) -> None:
    now = datetime.now(UTC)
    rows = [
        (
            "NAME",
            "FROM",
            "LANG",
            "CHECKED EVERY",
            "STATE",
            "LAST SUCCESS",
            "ITEMS",
            "ONE ITEM EVERY",
            "PROBLEM",
        )
    ]
    for feed in feeds:
        rows.append(
            (
                feed.name,
                ORIGINS.get(feed.origin, feed.origin),
                feed.language,
                f"{feed.interval_minutes} min",
                _state_text(feed),
                _age(feed.last_success_at, now),
                str(feed.items_seen),
                duration_text(feed.average_item_interval),
                feed.last_error or feed.last_warning or "",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        console.echo("  ".join([*cells, row[-1]]).rstrip())
    summary = HealthSummary.of(feeds)
    console.echo()
    console.echo(
        f"{summary.total} feeds: {summary.ok} ok, {summary.failing} failing, "
        f"{summary.never_fetched} never fetched, {summary.disabled} disabled"
    )


def _state_text(feed: FeedHealth) -> str:
    if feed.state is HealthState.DISABLED and feed.disabled_reason:
        return f"disabled ({feed.disabled_reason})"
    if feed.state is HealthState.FAILING:
        return f"failing ×{feed.consecutive_failures}"
    return feed.state.value


def _age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    return duration_text(now - moment) + " ago"


async def feeds_check(settings: Settings, console: Console, *, every_feed: bool) -> int:
    """Check the feeds that are due (or every enabled feed) now, with a progress bar, then a table."""
    from bot.feeds.check_report import print_check_report, progress_bar
    from bot.services import open_core

    async with open_core(settings) as core:
        feeds = await (core.feeds.enabled() if every_feed else core.feeds.due(datetime.now(UTC)))
        if not feeds:
            console.echo("No feed is due; `veille feeds check --all` checks every enabled feed now.")
            return 0
        started = datetime.now(UTC)
        with progress_bar(console, total=len(feeds)) as advance:
            report = await core.feed_engine.refresh(feeds, progress=advance)
    print_check_report(console, report, (datetime.now(UTC) - started).total_seconds())
    return 0
