"""A Discord-compatible REST + gateway server for wire-level tests with the real discord.py client."""

from tests.fakediscord.faults import Faults
from tests.fakediscord.interactions import CommandNotAvailable, InteractionRecord
from tests.fakediscord.rest import RecordedRequest
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import Channel, Guild, Member, Message, Role, User, World

__all__ = [
    "Channel",
    "CommandNotAvailable",
    "FakeDiscord",
    "Faults",
    "Guild",
    "InteractionRecord",
    "Member",
    "Message",
    "RecordedRequest",
    "Role",
    "User",
    "World",
]
