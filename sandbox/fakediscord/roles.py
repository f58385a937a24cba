"""Roles and members: creating roles, listing them, giving them to members, as Discord allows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from sandbox.fakediscord.rest import (
    Route,
    body_of,
    guild_or_404,
    invalid_form,
    json_response,
    missing_permissions,
    require,
    unknown,
)
from sandbox.fakediscord.world import MANAGE_ROLES, Guild, Member, Role

if TYPE_CHECKING:
    from sandbox.fakediscord.server import FakeDiscord


def top_position(guild: Guild, user_id: int) -> int:
    """The position of the user's highest role (0: only @everyone); the owner is above them all."""
    if user_id == guild.owner_id:
        return len(guild.roles) + 1
    return max((guild.roles[role].position for role in guild.members[user_id].roles), default=0)


class Roles:
    def __init__(self, server: FakeDiscord) -> None:
        self.server = server

    def routes(self) -> list[Route]:
        member_role = "/guilds/{guild}/members/{user}/roles/{role}"
        return [
            ("GET", "/guilds/{guild}/roles", self._list),
            ("POST", "/guilds/{guild}/roles", self._create),
            ("GET", "/guilds/{guild}/members/{user}", self._get_member),
            ("PUT", member_role, self._add_to_member),
            ("DELETE", member_role, self._remove_from_member),
        ]

    async def _list(self, request: web.Request) -> web.Response:
        guild = guild_or_404(self.server.world, request)
        roles = sorted(guild.roles.values(), key=lambda role: role.position)
        return json_response([role.payload() for role in roles])

    async def _create(self, request: web.Request) -> web.Response:
        world = self.server.world
        guild = guild_or_404(world, request)
        require(world, guild, None, MANAGE_ROLES)
        data = body_of(request)
        permissions = int(data.get("permissions") or 0)
        # A bot cannot hand out permissions it does not have itself.
        if permissions & ~guild.permissions_of(world.bot.id):
            raise missing_permissions()
        name = data.get("name") or "new role"
        if len(name) > 100:
            raise invalid_form("name", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        # Discord puts a new role at the bottom, right above @everyone.
        for role in guild.roles.values():
            if role.position >= 1:
                role.position += 1
        role = Role(
            world.ids.next(),
            name,
            permissions,
            position=1,
            mentionable=bool(data.get("mentionable", False)),
            color=int(data.get("color") or 0),
            hoist=bool(data.get("hoist", False)),
        )
        guild.roles[role.id] = role
        await self.server.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()})
        return json_response(role.payload())

    def _member(self, guild: Guild, request: web.Request) -> Member:
        member = guild.members.get(int(request.match_info["user"]))
        if member is None:
            raise unknown("Member", 10007)
        return member

    async def _get_member(self, request: web.Request) -> web.Response:
        guild = guild_or_404(self.server.world, request)
        return json_response(self._member(guild, request).payload())

    def _assignable(self, request: web.Request) -> tuple[Guild, Member, Role]:
        world = self.server.world
        guild = guild_or_404(world, request)
        member = self._member(guild, request)
        role = guild.roles.get(int(request.match_info["role"]))
        if role is None or role.id == guild.id:
            raise unknown("Role", 10011)
        require(world, guild, None, MANAGE_ROLES)
        # Discord lets a bot manage only the roles strictly below its own highest role, and never an
        # integration's own (managed) role.
        if role.position >= top_position(guild, world.bot.id) or role.managed:
            raise missing_permissions()
        return guild, member, role

    async def _add_to_member(self, request: web.Request) -> web.Response:
        guild, member, role = self._assignable(request)
        if role.id not in member.roles:
            member.roles.append(role.id)
            await self._announce(guild, member)
        return web.Response(status=204)

    async def _remove_from_member(self, request: web.Request) -> web.Response:
        guild, member, role = self._assignable(request)
        if role.id in member.roles:
            member.roles.remove(role.id)
            await self._announce(guild, member)
        return web.Response(status=204)

    async def _announce(self, guild: Guild, member: Member) -> None:
        data = member.payload()
        data["guild_id"] = str(guild.id)
        data["avatar_decoration_data"] = None
        await self.server.dispatch("GUILD_MEMBER_UPDATE", data)
