"""The `veille` command line: run the bot, publish its commands, migrate, check the configuration.

The platform that `run` and `sync` talk to is handed in by the adapter's launcher (`cogs.launcher`
for Discord), so that this module stays free of any platform.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TextIO

from sqlalchemy.engine import URL

from bot import __version__
from bot.config.feeds_file import FeedsFile, load_feeds_file
from bot.config.settings import Settings, load_settings
from bot.db import migrate
from bot.db.engine import check_connection, create_engine, sessionmaker
from bot.db.url import redact
from bot.errors import ConfigError, VeilleError
from bot.feeds.health import FeedHealth, HealthState, HealthSummary
from bot.logs import configure_logging
from bot.services import open_database
from bot.store.feeds import FeedStore

log = logging.getLogger(__name__)


class Platform(Protocol):
    """What a chat platform adapter offers the CLI."""

    name: str

    async def run(self, settings: Settings, stop: asyncio.Event) -> None:
        """Connect and serve until `stop` is set; raise `VeilleError` for failures a person can fix."""

    async def sync(self, settings: Settings, guild_ids: Sequence[int], clear: bool) -> list[str]:
        """Publish the commands (globally, or to the given guilds) and describe what was done."""


TOKEN_GUIDE = """\
No Discord token is set, so the bot cannot connect to Discord yet. To get one:
  1. Open https://discord.com/developers/applications, choose "New Application", then "Bot".
  2. Press "Reset Token" and copy the token (it is shown once; keep it secret).
  3. Copy .env.example to .env and put the token there:  DISCORD_TOKEN=<your token>
  4. Invite the bot with the URL in the README ("Invite the bot"), then `make run` again.
"""


@dataclass
class Console:
    out: TextIO
    err: TextIO

    def echo(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def error(self, problem: VeilleError) -> None:
        self.err.write(f"error: {problem.one_line()}\n")
        for detail in getattr(problem, "details", []):
            self.err.write(f"  - {detail}\n")

    def warn(self, text: str) -> None:
        self.err.write(f"warning: {text}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="veille",
        description="veille-bot: case studies, takes and a weekly digest for a student watch group.",
    )
    parser.add_argument("--version", action="version", version=f"veille-bot {__version__}")
    parser.add_argument(
        "--env-file",
        type=Path,
        default=Path(".env"),
        help="settings file read before the environment (default: .env; the environment wins)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="connect to Discord and run the bot until Ctrl-C or SIGTERM",
        description="Apply database migrations, load feeds.toml and connect to Discord. "
        "Stops cleanly on SIGINT (Ctrl-C) or SIGTERM.",
    )
    run.add_argument(
        "--guide",
        action="store_true",
        help="when no token is set, explain how to get one and check the configuration "
        "instead of failing (what `make run` does)",
    )

    sync = commands.add_parser(
        "sync",
        help="publish the slash commands to Discord (needed after install and after upgrades)",
        description="Publish the slash commands. Global commands can take a while to appear in "
        "every server; --guild publishes to one server at once, which is handy while testing.",
    )
    sync.add_argument(
        "--guild",
        type=int,
        action="append",
        default=[],
        metavar="ID",
        help="publish to this server only (repeatable)",
    )
    sync.add_argument(
        "--clear",
        action="store_true",
        help="remove the commands instead (from the given servers, or globally)",
    )

    db = commands.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    db_commands.add_parser(
        "upgrade",
        help="apply pending migrations (the bot also does this when it starts)",
        description="Apply pending migrations to DATABASE_URL.",
    )

    config = commands.add_parser("config", help="configuration", description="Configuration tools.")
    config_commands = config.add_subparsers(dest="config_command", required=True, metavar="COMMAND")
    config_commands.add_parser(
        "check",
        help="validate .env and feeds.toml and print a summary",
        description="Validate the settings (.env and environment) and feeds.toml, check that the "
        "database can be reached, and print a summary. Exits non-zero on any problem.",
    )

    feeds = commands.add_parser("feeds", help="feeds", description="Feed tools.")
    feeds_commands = feeds.add_subparsers(dest="feeds_command", required=True, metavar="COMMAND")
    feeds_commands.add_parser(
        "list",
        help="list the feeds the bot reads, with their health",
        description="List every feed (from feeds.toml and approved suggestions) with its state.",
    )
    return parser


def main(
    argv: Sequence[str] | None = None,
    platform: Platform | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    console = Console(out or sys.stdout, err or sys.stderr)
    try:
        loaded = load_settings(args.env_file)
        configure_logging(loaded.settings.log_level)
        for warning in loaded.warnings:
            console.warn(warning)
        return _dispatch(args, loaded.settings, platform, console)
    except VeilleError as problem:
        console.error(problem)
        return problem.exit_code
    except KeyboardInterrupt:
        return 130


def _dispatch(
    args: argparse.Namespace, settings: Settings, platform: Platform | None, console: Console
) -> int:
    match args.command:
        case "run":
            return _run(settings, _require(platform), console, guide=args.guide)
        case "sync":
            return _sync(settings, _require(platform), console, args.guild, args.clear)
        case "db":
            return asyncio.run(_db_upgrade(settings, console))
        case "config":
            return asyncio.run(_config_check(settings, console))
        case "feeds":
            return asyncio.run(_feeds_list(settings, console))
    raise AssertionError(f"unhandled command {args.command}")


def _require(platform: Platform | None) -> Platform:
    if platform is None:
        raise ConfigError("this command needs a chat platform; start it with the `veille` command")
    return platform


def _missing_token() -> ConfigError:
    return ConfigError(
        "DISCORD_TOKEN is not set",
        todo="put the bot token in .env (see the README, 'Create the Discord application')",
    )


def _run(settings: Settings, platform: Platform, console: Console, *, guide: bool) -> int:
    if settings.token is None:
        if not guide:
            raise _missing_token()
        console.echo(TOKEN_GUIDE)
        return asyncio.run(_config_check(settings, console))
    asyncio.run(_serve(platform, settings))
    return 0


async def _serve(platform: Platform, settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await platform.run(settings, stop)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    log.info("stopped cleanly")


def _sync(settings: Settings, platform: Platform, console: Console, guilds: list[int], clear: bool) -> int:
    if settings.token is None:
        raise _missing_token()
    for line in asyncio.run(platform.sync(settings, guilds, clear)):
        console.echo(line)
    return 0


async def _db_upgrade(settings: Settings, console: Console) -> int:
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


async def _config_check(settings: Settings, console: Console) -> int:
    console.echo("Settings (.env and environment)")
    for name, value in settings.summary():
        console.echo(f"  {name:<20} {value}")
    console.echo()
    feeds_file = load_feeds_file(settings.feeds_file)
    _print_feeds_summary(settings.feeds_file, feeds_file, console)
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


async def _feeds_list(settings: Settings, console: Console) -> int:
    feeds_file = load_feeds_file(settings.feeds_file)
    async with open_database(settings) as engine:
        store = FeedStore(sessionmaker(engine))
        await store.sync_from_config(feeds_file)
        feeds = await store.health()
    _print_feed_table(feeds, console)
    return 0


def _print_feed_table(feeds: list[FeedHealth], console: Console) -> None:
    now = datetime.now(UTC)
    rows = [("NAME", "LANG", "EVERY", "STATE", "LAST SUCCESS", "THEMES")]
    for feed in feeds:
        rows.append(
            (
                feed.name,
                feed.language,
                f"{feed.interval_minutes} min",
                _state_text(feed),
                _age(feed.last_success_at, now),
                ", ".join(feed.themes),
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
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // (24 * 60)} days ago"
