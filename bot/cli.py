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
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot import __version__
from bot.console import Console
from bot.errors import ConfigError, VeilleError

if TYPE_CHECKING:
    from bot.config.settings import Settings

# Heavy modules (SQLAlchemy, pydantic, discord.py) are imported once a command runs, so that
# `veille --help` answers at once.

log = logging.getLogger(__name__)


class Platform(Protocol):
    """What a chat platform adapter offers the CLI."""

    name: str

    async def run(self, settings: Settings, stop: asyncio.Event) -> None:
        """Connect and serve until `stop` is set; raise `VeilleError` for failures a person can fix."""

    async def sync(self, settings: Settings, guild_ids: Sequence[int], clear: bool) -> list[str]:
        """Publish the commands (globally, or to the given guilds) and describe what was done."""

    async def sandbox(self, settings: Settings, console: Console, stop: asyncio.Event) -> None:
        """Serve a local stand-in for the platform, with the real bot on it, until `stop` is set."""


TOKEN_GUIDE = """\
No Discord token is set, so the bot cannot connect to Discord yet. To get one:
  1. Open https://discord.com/developers/applications, choose "New Application", then "Bot".
  2. Press "Reset Token" and copy the token (it is shown once; keep it secret).
  3. Copy .env.example to .env and put the token there:  DISCORD_TOKEN=<your token>
  4. Invite the bot with the URL in the README ("Invite the bot"), then `make run` again.
Meanwhile, here is the bot in a local sandbox.
"""


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
        "--sandbox",
        action="store_true",
        help="when no token is set, explain how to get one and start the local sandbox instead of "
        "failing (what `make run` does)",
    )

    sandbox = commands.add_parser(
        "sandbox",
        help="try the bot without Discord: a local stand-in with a demo server and a web page",
        description="Start a Discord-compatible server on 127.0.0.1 with a demo server (#veille, a "
        "moderator, three students) and a web page to act as them, and the real bot connected to it. "
        "It uses its own SQLite file (SANDBOX_DATABASE), recreated at each start, and never runs when "
        "DISCORD_TOKEN is set. Stops on Ctrl-C.",
    )
    sandbox.add_argument(
        "--port", type=int, metavar="PORT", help="port on 127.0.0.1 (default: SANDBOX_PORT, 8765; 0: any)"
    )
    sandbox.add_argument(
        "--feeds",
        choices=["auto", "shipped", "samples"],
        help="feeds.toml (shipped), the offline sample feeds of examples/feeds (samples), or feeds.toml "
        "when the internet answers (auto, the default: SANDBOX_FEEDS)",
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
        help="validate .env, feeds.toml and casestudies.toml and print a summary",
        description="Validate the settings (.env and environment), feeds.toml and casestudies.toml, "
        "check that the database can be reached, and print a summary. Exits non-zero on any problem.",
    )

    feeds = commands.add_parser("feeds", help="feeds", description="Feed tools.")
    feeds_commands = feeds.add_subparsers(dest="feeds_command", required=True, metavar="COMMAND")
    check = feeds_commands.add_parser(
        "check",
        help="check the feeds that are due now (--all: every enabled feed) and print their health",
        description="Fetch, parse and store the feeds that are due (or, with --all, every enabled "
        "feed), with a progress bar, then print one row per feed: result, HTTP status, items, new "
        "articles, newest item's age, time taken and the error in words. Failing feeds do not make "
        "the command fail.",
    )
    check.add_argument("--all", action="store_true", help="check every enabled feed, whatever its schedule")
    feeds_commands.add_parser(
        "list",
        help="list the feeds the bot reads, with their health",
        description="List every feed (from feeds.toml and approved suggestions) with its state.",
    )
    export_feeds = feeds_commands.add_parser(
        "export",
        help="write the feeds students suggested and moderators approved as feeds.toml entries",
        description="Print the enabled feeds that came from approved suggestions as [[feeds]] "
        "entries, ready to paste into feeds.toml (or written to --output). A feed moved into "
        "feeds.toml keeps its fetch state: the bot then manages it from the file.",
    )
    export_feeds.add_argument(
        "--output", type=Path, metavar="PATH", help="write to this file (default: print)"
    )
    digest = commands.add_parser("digest", help="the weekly digest", description="Weekly digest tools.")
    digest_commands = digest.add_subparsers(dest="digest_command", required=True, metavar="COMMAND")
    export = digest_commands.add_parser(
        "export",
        help="write a group's digest as a Markdown or HTML file (--all: every week, in a zip)",
        description="Write the digest of one week (as posted, or built from what is stored if it "
        "was never posted) as a standalone file: HTML with the chart embedded, or Markdown with "
        "the chart beside it as a PNG. --all writes every week with a digest or a case study into "
        "a zip archive with an index page. Files are written whole or not at all.",
    )
    export.add_argument("--guild", type=int, required=True, metavar="ID", help="the Discord server's id")
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--week", metavar="YYYY-Www", help="the ISO week, e.g. 2026-W48")
    which.add_argument("--all", action="store_true", help="every week, in a zip archive with an index")
    export.add_argument(
        "--format", choices=("md", "html"), default="html", help="the file format (default: html)"
    )
    export.add_argument(
        "--output",
        type=Path,
        metavar="PATH",
        help="where to write (default: digest-<guild>-<week>.<format>, or digests-<guild>.zip with --all)",
    )
    preview = commands.add_parser(
        "preview",
        help="print the next case study as Discord will show it (no token needed)",
        description="Build the next case study from the stored articles (reading the feeds first "
        "if none is fresh), from one page (--url) or from local feed files (--feeds-dir, for "
        "offline demos), and print it as Discord will show it. Nothing is posted or saved.",
    )
    preview.add_argument("--url", help="make the case study of this article page")
    preview.add_argument("--theme", metavar="THEME", help="only articles of this theme (an id of feeds.toml)")
    preview.add_argument(
        "--lang",
        choices=("fr", "en"),
        help="the group's language: only articles in it, questions in it (default: DEFAULT_LOCALE)",
    )
    preview.add_argument(
        "--explain", action="store_true", help="also print the top candidates with the parts of their score"
    )
    preview.add_argument(
        "--feeds-dir",
        type=Path,
        metavar="DIR",
        help="read the feed files (.xml, .rss, .atom, .json) of this folder instead of the feeds, "
        "into a throw-away database",
    )
    return parser


def main(argv: Sequence[str] | None = None, platform: Platform | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console(sys.stdout, sys.stderr)
    from bot.config.settings import load_settings
    from bot.logs import configure_logging

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
    if args.command == "run":
        return _run(settings, _require(platform), console, sandbox=args.sandbox)
    if args.command == "sandbox":
        overrides = {"sandbox_port": args.port, "sandbox_feeds": args.feeds}
        chosen = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
        return _sandbox(chosen, _require(platform), console)
    if args.command == "sync":
        return _sync(settings, _require(platform), console, args.guild, args.clear)
    from bot import maintenance

    if args.command == "preview":
        from bot.preview import PreviewRequest, preview

        request = PreviewRequest(args.url, args.theme, args.lang, args.explain, args.feeds_dir)
        return asyncio.run(preview(settings, console, request))
    if args.command == "digest":
        from bot.digest.files import ExportRequest, export_digests

        export = ExportRequest(args.guild, args.week, args.all, args.format, args.output)
        return asyncio.run(export_digests(settings, console, export))
    if args.command == "feeds" and args.feeds_command == "check":
        return asyncio.run(maintenance.feeds_check(settings, console, every_feed=args.all))
    if args.command == "feeds" and args.feeds_command == "export":
        return asyncio.run(maintenance.feeds_export(settings, console, args.output))
    operation = {
        "db": maintenance.db_upgrade,
        "config": maintenance.config_check,
        "feeds": maintenance.feeds_list,
    }[args.command]
    return asyncio.run(operation(settings, console))


def _require(platform: Platform | None) -> Platform:
    if platform is None:
        raise ConfigError("this command needs a chat platform; start it with the `veille` command")
    return platform


def _run(settings: Settings, platform: Platform, console: Console, *, sandbox: bool) -> int:
    if settings.token is None and sandbox:
        console.echo(TOKEN_GUIDE)
        return _sandbox(settings, platform, console)
    settings.require_token()
    asyncio.run(_serve(platform.run, settings))
    return 0


def _sandbox(settings: Settings, platform: Platform, console: Console) -> int:
    if settings.token is not None:
        raise ConfigError(
            "DISCORD_TOKEN is set: the sandbox never runs beside a real token",
            todo="`veille run` serves Discord; for the sandbox, unset DISCORD_TOKEN or use --env-file",
        )
    if not 0 <= settings.sandbox_port <= 65535:
        raise ConfigError(f"port {settings.sandbox_port} does not exist", todo="give a port from 0 to 65535")

    async def serve(settings: Settings, stop: asyncio.Event) -> None:
        await platform.sandbox(settings, console, stop)

    asyncio.run(_serve(serve, settings))
    return 0


async def _serve(serve: Callable[[Settings, asyncio.Event], Awaitable[None]], settings: Settings) -> None:
    """Run `serve` until SIGINT (Ctrl-C) or SIGTERM asks it to stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await serve(settings, stop)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    log.info("stopped cleanly")


def _sync(settings: Settings, platform: Platform, console: Console, guilds: list[int], clear: bool) -> int:
    settings.require_token()
    for line in asyncio.run(platform.sync(settings, guilds, clear)):
        console.echo(line)
    return 0
