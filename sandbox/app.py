"""The sandbox: the fake Discord with the demo server, its web page, and the real bot connected to
them, on 127.0.0.1 only, until Ctrl-C. `make run` starts it when no DISCORD_TOKEN is set.

The bot is the one `veille run` starts (same cogs, same core), pointed at the fake through
DISCORD_API_BASE / DISCORD_GATEWAY_URL, with a SQLite file of its own recreated at each start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from bot.config.feeds_file import load_feeds_file
from bot.config.settings import Settings
from bot.console import Console
from bot.digest.reader import EARLY_WEEKDAYS
from bot.errors import ConfigError
from bot.services import Core
from cogs.launcher import DiscordPlatform
from sandbox.demo import DemoServer, demo_server
from sandbox.samples import SampleFeeds, without_feeds
from sandbox.web.page import SandboxPage

log = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 60
SHUTDOWN_TIMEOUT_SECONDS = 20
PROBE_TIMEOUT_SECONDS = 3
WEEK_STARTS_AT = time(8, 0)  # local time, on Wednesday, when the sandbox starts early in the week


@dataclass(frozen=True)
class Started:
    """What the terminal says once the sandbox serves."""

    address: str
    feeds: str  # where the feeds come from, in words
    database: Path


class Sandbox:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.demo: DemoServer = demo_server()
        self.platform = DiscordPlatform()
        self.page = SandboxPage(self.demo, lambda: self.platform.core)
        self.samples: SampleFeeds | None = None  # read at start, off the event loop
        self._bot: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.demo.discord.port}/"

    @property
    def core(self) -> Core:
        assert self.platform.core is not None, "the bot is not running"
        return self.platform.core

    async def start(self) -> Started:
        """Serve the page and the fake Discord, then start the bot on them."""
        _check_separate(self.settings.sandbox_database, self.settings)
        self.samples = await asyncio.to_thread(SampleFeeds)
        try:
            await self.demo.discord.start(
                self.settings.sandbox_port, self.page.routes() + self.samples.routes()
            )
        except OSError as error:
            raise ConfigError(
                f"cannot listen on 127.0.0.1:{self.settings.sandbox_port} ({error.strerror})",
                todo="set SANDBOX_PORT to a free port, or give --port to `veille sandbox`",
            ) from None
        use_samples = await self._use_samples()
        settings = await asyncio.to_thread(self._bot_settings, use_samples)
        await self.platform.sync(settings, [self.demo.guild.id], clear=False)
        self._bot = asyncio.create_task(self.platform.run(settings, self._stop), name="sandbox-bot")
        await self._until_serving()
        feeds = (
            "the sample feeds of examples/feeds (offline)" if use_samples else str(self.settings.feeds_file)
        )
        return Started(self.address, feeds, self.settings.sandbox_database)

    async def open_the_group(self) -> str | None:
        """What a moderator does first: `/veille setup` in #veille; then the feeds are read and the
        first case study is posted at once. Returns why none could be posted, if so."""
        demo = self.demo
        setup = await demo.discord.slash(
            demo.moderator, demo.channel, "veille setup", channel=demo.channel.id
        )
        await setup.response(timeout=30)
        config = await self.core.posting.config(demo.guild.id)
        if not config.ready:
            raise RuntimeError(f"the demo group could not be set up: {setup.callback}")
        self._start_the_week_on_wednesday(config.timezone)
        await self.core.refresh_feeds()
        proposal = await self.core.posting.propose(demo.guild.id)
        if proposal.case_study is None:
            return "; ".join(proposal.reasons) or "no fresh article on the group's themes"
        await self.core.posting.post(demo.guild.id, proposal, requested_by=demo.moderator.id)
        return None

    def _start_the_week_on_wednesday(self, timezone: str) -> None:
        """A digest on Monday or Tuesday sums up the week before, which the sandbox never saw: on
        those days the bot's clock moves on to Wednesday morning, so that `/digest now` shows the
        week being played here. The page shows the bot's clock."""
        local = self.core.clock().astimezone(ZoneInfo(timezone))
        if local.weekday() < EARLY_WEEKDAYS:
            wednesday = local.date() + timedelta(days=2 - local.weekday())
            self.core.clock.advance_to(datetime.combine(wednesday, WEEK_STARTS_AT, ZoneInfo(timezone)))

    async def serve_until(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set; if the bot fails meanwhile, its error ends the sandbox."""
        assert self._bot is not None, "start the sandbox first"
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({self._bot, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if self._bot.done():
            self._bot.result()
            raise RuntimeError("the bot stopped on its own")

    async def stop(self) -> None:
        self._stop.set()
        if self._bot is not None:
            # The bot's own error, if it failed, was raised by `start`; here it only has to end.
            await asyncio.wait({self._bot}, timeout=SHUTDOWN_TIMEOUT_SECONDS)
            if not self._bot.done():
                self._bot.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._bot
        await self.demo.discord.stop()

    # ── start-up ────────────────────────────────────────────────────────────────────────────────

    async def _use_samples(self) -> bool:
        choice = self.settings.sandbox_feeds
        if choice != "auto":
            return choice == "samples"
        return not await _reachable(self.settings.feeds_file)

    def _bot_settings(self, use_samples: bool) -> Settings:
        """The bot's settings, its files written (files: call it in a thread)."""
        database = self.settings.sandbox_database
        database.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (database, *(database.with_name(database.name + end) for end in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)  # the demo starts afresh: its Discord lives in memory
        update: dict[str, object] = {
            "discord_token": SecretStr(self.demo.world.application.token),
            "database_url": f"sqlite:///{database}",
            "discord_api_base": self.demo.discord.api_base,
            "discord_gateway_url": self.demo.discord.gateway_url,
        }
        if use_samples:
            load_feeds_file(self.settings.feeds_file)  # its mistakes named in the file people edit
            feeds_file = database.with_name(database.stem + "-feeds.toml")
            shipped = self.settings.feeds_file.read_text(encoding="utf-8")
            assert self.samples is not None
            feeds = self.samples.feeds_toml(self.address)
            feeds_file.write_text(f"{without_feeds(shipped).rstrip()}\n\n{feeds}", encoding="utf-8")
            # The sample feeds are served on 127.0.0.1, which the bot refuses unless told.
            update.update(feeds_file=feeds_file, feeds_allow_private_addresses=True)
        return self.settings.model_copy(update=update)

    async def _until_serving(self) -> None:
        """Until the bot's client is ready (its core posts and counts), or it failed."""
        assert self._bot is not None
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            # No event to wait on: the core's counts are set up by the client's `on_ready`.
            while self.platform.core is None or self.platform.core.tallies is None:
                if self._bot.done():
                    self._bot.result()  # its error, if any
                    raise RuntimeError("the bot stopped before it was ready")
                await asyncio.sleep(0.05)


def _check_separate(database: Path, settings: Settings) -> None:
    """The sandbox deletes its file at each start: never the bot's real database."""
    real = settings.database
    same = real.database and Path(real.database).resolve() == database.resolve()
    if real.get_backend_name() == "sqlite" and same:
        raise ConfigError(
            f"SANDBOX_DATABASE is the bot's own database ({database})",
            todo="give the sandbox a file of its own, e.g. SANDBOX_DATABASE=data/sandbox.db",
        )


async def _reachable(feeds_file: Path) -> bool:
    """Whether the first feed's host answers on its port: the internet is there, use feeds.toml."""
    feeds = (await asyncio.to_thread(load_feeds_file, feeds_file)).feeds
    if not feeds:
        return False
    parts = urlsplit(str(feeds[0].url))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
            _, writer = await asyncio.open_connection(parts.hostname, port)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


async def serve(settings: Settings, console: Console, stop: asyncio.Event) -> None:
    """Run the sandbox until `stop` is set (Ctrl-C), telling the terminal what happens."""
    sandbox = Sandbox(settings)
    try:
        started = await sandbox.start()
        console.echo(banner(started))
        problem = await sandbox.open_the_group()
        if problem is None:
            console.echo("The first case study is in #veille. Stop with Ctrl-C.")
        else:
            console.warn(f"no case study could be posted yet ({problem}); try /casestudy in the page")
        await sandbox.serve_until(stop)
    finally:
        await sandbox.stop()
    console.echo("Sandbox stopped.")


def banner(started: Started) -> str:
    return (
        "veille-bot sandbox: the real bot, on a stand-in for Discord, to try it without an account.\n"
        f"  Open {started.address} in your browser.\n"
        "  It listens on 127.0.0.1 only: nobody else can reach it. No Discord token is used.\n"
        '  Demo server "Lycée Demo": #veille, Mme Martin (moderator), alice, bilal and chloe.\n'
        f"  Feeds: {started.feeds}.\n"
        f"  Data: {started.database}, recreated at each start; your real database is never opened.\n"
        "  To connect the real bot, set DISCORD_TOKEN (README, 'Create the Discord application')."
    )
