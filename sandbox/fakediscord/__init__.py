"""A Discord-compatible REST + gateway server for wire-level tests with the real discord.py client."""

from sandbox.fakediscord.faults import Faults
from sandbox.fakediscord.interactions import CommandNotAvailable, InteractionRecord
from sandbox.fakediscord.rest import RecordedRequest
from sandbox.fakediscord.server import FakeDiscord
from sandbox.fakediscord.world import Channel, Guild, Member, Message, Role, User, World

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
