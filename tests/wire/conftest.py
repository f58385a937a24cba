"""Wire-level fixtures: the fake Discord with a demo server, and the real bot connected to it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket

from bot.config.settings import Settings
from bot.services import Core
from cogs.launcher import DiscordPlatform
from sandbox.demo import DemoServer, demo_server
from tests.conftest import SHIPPED_FEEDS
from tests.feedserver import FeedServer


@pytest.fixture
async def demo() -> AsyncIterator[DemoServer]:
    demo = demo_server()
    server = demo.discord
    await server.start()
    try:
        yield demo
    finally:
        await server.stop()
    assert not server.unhandled, f"the bot called routes the fake Discord lacks: {server.unhandled}"


@pytest.fixture
def bot_settings(demo: DemoServer, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        discord_token=demo.world.application.token,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        feeds_file=SHIPPED_FEEDS,
        discord_api_base=demo.discord.api_base,
        discord_gateway_url=demo.discord.gateway_url,
    )


@pytest.fixture
async def pages() -> AsyncIterator[FeedServer]:
    """A local web server for the article pages of the case studies."""
    server = FeedServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def settings(bot_settings: Settings) -> Settings:
    """The bot's settings when it must read article pages (they are on 127.0.0.1)."""
    return bot_settings.model_copy(update={"feeds_allow_private_addresses": True})


@pytest.fixture(autouse=True)
def restore_discord_endpoints() -> object:
    """The endpoint overrides are class attributes of discord.py: put Discord's own back."""
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, yarl.URL(str(gateway))


@dataclass
class RunningBot:
    task: asyncio.Task[None]
    stop: asyncio.Event
    platform: DiscordPlatform

    @property
    def core(self) -> Core:
        assert self.platform.core is not None, "the bot is not running"
        return self.platform.core

    async def shutdown(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, timeout=15)

    async def crash(self) -> None:
        """Stop the bot mid-flight, as a killed process would: whatever it was awaiting never
        completes (the database keeps only what was committed before)."""
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def start_bot(demo: DemoServer, settings: Settings) -> RunningBot:
    """Publish the commands to the demo server (as `veille sync --guild` does), then `veille run`."""
    platform = DiscordPlatform()
    await platform.sync(settings, [demo.guild.id], clear=False)
    stop = asyncio.Event()
    task = asyncio.create_task(platform.run(settings, stop), name="veille-run")
    ready = asyncio.create_task(demo.discord.wait_until_ready(timeout=15))
    done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        ready.cancel()
        task.result()
        raise AssertionError("the bot stopped before it connected")
    return RunningBot(task, stop, platform)


async def wait_until_serving(bot: RunningBot, timeout: float = 15) -> None:
    """Wait for the client's own `on_ready` (posting started): a test that stops the bot sooner
    races discord.py's start-up tasks."""
    async with asyncio.timeout(timeout):
        # No event to wait on: the core is the bot's, set from its `on_ready`.
        while bot.platform.core is None or bot.platform.core.tallies is None:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


@pytest.fixture
async def running_bot(demo: DemoServer, bot_settings: Settings) -> AsyncIterator[RunningBot]:
    bot = await start_bot(demo, bot_settings)
    try:
        yield bot
    finally:
        await bot.shutdown()
