"""The sandbox points discord.py at its fake Discord, as the wire-level tests do: restore it after."""

from tests.wire.conftest import restore_discord_endpoints

__all__ = ["restore_discord_endpoints"]
