"""The `veille` command for Discord: the core's command line with Discord as its chat platform."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot import cli
from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.config.settings import Settings
    from bot.console import Console
    from bot.services import Core


class DiscordPlatform:
    """`veille run` and `veille sync` on Discord. discord.py is imported only when they run."""

    name = "discord"

    def __init__(self) -> None:
        self.core: Core | None = None  # while running: for the sandbox's controls and the tests

    async def run(self, settings: Settings, stop: asyncio.Event) -> None:
        from cogs import runtime

        def started(core: Core) -> None:
            self.core = core

        try:
            await runtime.run(settings, stop, started)
        finally:
            self.core = None

    async def sync(self, settings: Settings, guild_ids: Sequence[int], clear: bool) -> list[str]:
        from cogs import runtime

        return await runtime.sync(settings, guild_ids, clear)

    async def sandbox(self, settings: Settings, console: Console, stop: asyncio.Event) -> None:
        try:
            from sandbox import app
        except ModuleNotFoundError:  # the Docker image ships the bot, not its development tools
            raise ConfigError(
                "the sandbox is not installed here", todo="run it from a clone of the repository: make run"
            ) from None

        await app.serve(settings, console, stop)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, platform=DiscordPlatform())


if __name__ == "__main__":
    sys.exit(main())
