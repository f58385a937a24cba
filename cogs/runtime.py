"""The composition root for Discord: open the core, build the bot on it, run or publish commands."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot.config.settings import Settings
from bot.errors import ConfigError, ConnectError
from bot.services import Core, open_core
from cogs.client import VeilleBot

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_SECONDS = 10


def use_endpoints(settings: Settings) -> None:
    """Point discord.py at DISCORD_API_BASE / DISCORD_GATEWAY_URL (a REST proxy or a test server)."""
    discord.http.Route.BASE = settings.discord_api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)
    if not settings.uses_discord_defaults:
        log.warning(
            "using a Discord-compatible server at %s and %s, not Discord's own",
            settings.discord_api_base,
            settings.discord_gateway_url,
        )


async def run(settings: Settings, stop: asyncio.Event, started: Callable[[Core], None] | None = None) -> None:
    """`veille run`: serve until `stop` is set, then close the gateway, scheduler, HTTP and database.
    `started` is handed the running core (the sandbox's controls and the tests use it)."""
    token = settings.require_token()
    use_endpoints(settings)
    async with open_core(settings) as core, VeilleBot(core) as bot:
        if started is not None:
            started(core)
        with _discord_errors(settings):
            await _serve_until(bot, token, stop)


async def sync(settings: Settings, guild_ids: Sequence[int], clear: bool) -> list[str]:
    """`veille sync`: log in over REST only (no gateway, no scheduled jobs) and publish commands."""
    token = settings.require_token()
    use_endpoints(settings)
    async with open_core(settings) as core, VeilleBot(core, background_jobs=False) as bot:
        with _discord_errors(settings):
            await bot.login(token)
        return await publish_commands(bot, guild_ids, clear=clear)


async def publish_commands(bot: VeilleBot, guild_ids: Sequence[int], *, clear: bool) -> list[str]:
    """Publish (or clear) the command tree globally or per guild; the bot must be logged in."""
    targets: list[discord.Object | None] = [discord.Object(id) for id in guild_ids] or [None]
    report = []
    for guild in targets:
        if clear:
            bot.tree.clear_commands(guild=guild)
        elif guild is not None:
            bot.tree.copy_global_to(guild=guild)
        published = await bot.tree.sync(guild=guild)
        scope = f"server {guild.id}" if guild else "globally"
        names = ", ".join(f"/{command.name}" for command in published) or "none"
        report.append(f"{scope}: {len(published)} command(s) published ({names})")
    return report


async def _serve_until(bot: VeilleBot, token: str, stop: asyncio.Event) -> None:
    """Run the bot until it fails (the error propagates) or `stop` is set (it closes cleanly)."""
    serving = asyncio.create_task(bot.start(token), name="discord")
    stopping = asyncio.create_task(stop.wait(), name="stop-signal")
    done, _ = await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if serving in done:
        serving.result()
        return
    log.info("shutting down: closing the gateway connection")
    await bot.close()
    try:
        await asyncio.wait_for(serving, timeout=SHUTDOWN_TIMEOUT_SECONDS)
    except TimeoutError:
        log.warning("the gateway did not close within %ss; stopping anyway", SHUTDOWN_TIMEOUT_SECONDS)


@contextlib.contextmanager
def _discord_errors(settings: Settings) -> Iterator[None]:
    """Turn discord.py's failures into one clear line each."""
    try:
        yield
    except discord.LoginFailure:
        raise ConfigError(
            "Discord rejected DISCORD_TOKEN (401 Unauthorized)",
            todo="copy the token again from the Developer Portal (Bot → Reset Token) into .env",
        ) from None
    except discord.PrivilegedIntentsRequired:
        raise ConfigError(
            "Discord refused an intent that must be enabled in the Developer Portal",
            todo="enable it under Bot → Privileged Gateway Intents, or turn off the setting that needs it",
        ) from None
    except (aiohttp.ClientConnectionError, discord.GatewayNotFound, OSError) as exc:
        raise ConnectError(
            f"cannot reach Discord at {settings.discord_api_base} ({type(exc).__name__})",
            todo="check the network connection (and DISCORD_API_BASE if you changed it)",
        ) from None
    except discord.HTTPException as exc:
        raise ConnectError(
            f"Discord answered {exc.status} {exc.text or ''}".strip(),
            todo="try again later; see https://discordstatus.com",
        ) from None
