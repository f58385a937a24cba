"""Private answers to users, and the moderator check shared by the commands and buttons."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserProblem
from bot.i18n import Locale, t

if TYPE_CHECKING:
    from cogs.client import VeilleBot


def problem_text(problem: UserProblem, locale: Locale) -> str:
    """The problem in the user's language; permission names are translated too."""
    params: dict[str, Any] = dict(problem.params)
    if isinstance(params.get("permissions"), str):
        names = [name for name in str(params["permissions"]).split(",") if name]
        params["permissions"] = ", ".join(t(f"permissions.{name}", locale) for name in names)
    return t(problem.key, locale, **params)


async def reply(interaction: discord.Interaction[Any], text: str, **options: Any) -> None:
    """An ephemeral answer, whether or not the interaction was already acknowledged."""
    options.setdefault("ephemeral", True)
    if interaction.response.is_done():
        await interaction.followup.send(text, **options)
    else:
        await interaction.response.send_message(text, **options)


@contextlib.asynccontextmanager
async def answering_problems(interaction: discord.Interaction[VeilleBot]) -> AsyncIterator[None]:
    """Turn a `UserProblem` raised in the block into a polite private answer (nothing changed)."""
    try:
        yield
    except UserProblem as problem:
        await reply(interaction, problem_text(problem, interaction.client.locale_for(interaction)))


async def require_moderator(
    interaction: discord.Interaction[VeilleBot], refusal: str = "errors.moderators_only"
) -> None:
    """Moderators: who may manage the server, or who holds the group's moderator role (others get
    the `refusal` message)."""
    if interaction.permissions.manage_guild:
        return
    assert interaction.guild_id is not None
    config = await interaction.client.core.posting.config(interaction.guild_id)
    member = interaction.user
    roles = {role.id for role in getattr(member, "roles", [])}
    if config.moderator_role_id is None or config.moderator_role_id not in roles:
        raise UserProblem(refusal)
