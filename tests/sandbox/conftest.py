"""The sandbox's settings in a test, and discord.py's endpoints restored after (the sandbox points
them at its fake Discord, as the wire-level tests do)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.config.settings import Settings
from sandbox.app import Sandbox
from tests.conftest import SHIPPED_BANK, SHIPPED_FEEDS
from tests.wire.conftest import restore_discord_endpoints

__all__ = ["restore_discord_endpoints", "running_sandbox", "sandbox_settings"]


def sandbox_settings(folder: Path) -> Settings:
    """Any free port, the offline sample feeds, and every file in `folder`."""
    return Settings(
        _env_file=None,
        database_url=f"sqlite:///{folder / 'veille.db'}",
        feeds_file=SHIPPED_FEEDS,
        casestudies_file=SHIPPED_BANK,
        sandbox_port=0,
        sandbox_feeds="samples",
        sandbox_database=folder / "sandbox.db",
    )


@asynccontextmanager
async def running_sandbox(folder: Path) -> AsyncIterator[Sandbox]:
    """A started sandbox whose group is set up with its first case study posted, stopped after."""
    box = Sandbox(sandbox_settings(folder))
    try:
        await box.start()
        assert await box.open_the_group() is None, "the sandbox posted no first case study"
        yield box
    finally:
        await box.stop()
