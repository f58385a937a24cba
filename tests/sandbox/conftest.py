"""The sandbox's settings in a test, and discord.py's endpoints restored after (the sandbox points
them at its fake Discord, as the wire-level tests do)."""

from __future__ import annotations

from pathlib import Path

from bot.config.settings import Settings
from tests.conftest import SHIPPED_BANK, SHIPPED_FEEDS
from tests.wire.conftest import restore_discord_endpoints

__all__ = ["restore_discord_endpoints", "sandbox_settings"]


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
