"""The group's "veille" role: students join or leave it themselves; case studies ping it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.errors import UserProblem
from bot.i18n import t
from cogs.replies import reply

if TYPE_CHECKING:
    from cogs.client import VeilleBot

ROLE_NAME = "veille"


async def ensure_notify_role(guild: discord.Guild, role_id: int | None) -> discord.Role:
    """The group's role, created (mentionable, no permissions) if it does not exist yet.
    Needs Manage Roles: asked for only when a moderator turns notifications on."""
    role = guild.get_role(role_id) if role_id else None
    if role is not None:
        return role
    if not guild.me.guild_permissions.manage_roles:
        raise UserProblem("notify.needs_manage_roles")
    try:
        return await guild.create_role(
            name=ROLE_NAME,
            permissions=discord.Permissions.none(),
            mentionable=True,
            reason="veille-bot: students who want a ping for each case study",
        )
    except discord.Forbidden:
        raise UserProblem("notify.needs_manage_roles") from None


async def toggle_notifications(interaction: discord.Interaction[VeilleBot], want: bool | None) -> None:
    """Give or take the role (`want` None: the opposite of now), and say so privately."""
    guild, member = interaction.guild, interaction.user
    if guild is None or not isinstance(member, discord.Member):
        raise UserProblem("errors.guild_only")
    config = await interaction.client.core.posting.config(guild.id)
    role = guild.get_role(config.notify_role_id) if config.notify_role_id else None
    if not config.notify_enabled or role is None:
        raise UserProblem("notify.disabled")
    has = any(r.id == role.id for r in member.roles)
    want = not has if want is None else want
    try:
        if want and not has:
            await member.add_roles(role, reason="veille-bot: asked for case-study pings")
        elif not want and has:
            await member.remove_roles(role, reason="veille-bot: no more case-study pings")
    except discord.Forbidden:
        raise UserProblem("notify.cannot_manage") from None
    locale = interaction.client.locale_for(interaction)
    await reply(interaction, t("notify.on" if want else "notify.off", locale))
