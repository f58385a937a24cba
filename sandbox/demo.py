"""The demo school server of the sandbox and of the wire-level tests: one #veille channel, a
moderator and three students."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.fakediscord import Channel, FakeDiscord, Guild, User, World
from sandbox.fakediscord.world import MANAGE_GUILD

STUDENTS = ("alice", "bilal", "chloe")


@dataclass
class DemoServer:
    """The fake Discord with the demo server in it, and who is who."""

    discord: FakeDiscord
    guild: Guild
    channel: Channel
    moderator: User
    students: list[User]

    @property
    def world(self) -> World:
        return self.discord.world

    @property
    def people(self) -> list[User]:
        """The moderator first, then the students: whom the sandbox's page lets you act as."""
        return [self.moderator, *self.students]


def build_demo_world() -> tuple[World, Guild, Channel, User, list[User]]:
    world = World()
    guild = world.add_guild("Lycée Demo")
    channel = world.add_channel(guild, "veille")
    moderators = world.add_role(guild, "Modération", MANAGE_GUILD)
    moderator = world.add_user("prof-martin", "Mme Martin")
    world.add_member(guild, moderator, [moderators])
    students = [world.add_user(name) for name in STUDENTS]
    for student in students:
        world.add_member(guild, student)
    return world, guild, channel, moderator, students


def demo_server() -> DemoServer:
    """A fake Discord (not started) holding the demo server."""
    world, guild, channel, moderator, students = build_demo_world()
    return DemoServer(FakeDiscord(world), guild, channel, moderator, students)
