"""`/take` in a case study's thread, and `/moderation`: hide or show a take, skip the next slot,
delete a case study."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import t
from cogs.client import VeilleBot
from cogs.replies import answering_problems, reply, require_moderator
from cogs.translator import command_name, option_name, text
from cogs.views import open_take_form


class Takes(commands.Cog):
    def __init__(self, bot: VeilleBot) -> None:
        self.bot = bot

    @app_commands.command(name=command_name("take"), description=text("cmd.take.description"))
    @app_commands.guild_only()
    async def take(self, interaction: discord.Interaction[VeilleBot]) -> None:
        assert interaction.channel_id is not None
        async with answering_problems(interaction):
            stored = await self.bot.core.takes.in_thread(interaction.channel_id)
            await open_take_form(interaction, stored.id)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Moderation(
    commands.GroupCog,
    group_name=command_name("moderation"),
    group_description=text("cmd.moderation.description"),
):
    def __init__(self, bot: VeilleBot) -> None:
        self.bot = bot
        super().__init__()

    async def _set_hidden(
        self, interaction: discord.Interaction[VeilleBot], user: discord.User, hidden: bool
    ) -> None:
        assert interaction.channel_id is not None
        async with answering_problems(interaction):
            await require_moderator(interaction)
            stored = await self.bot.core.posting.case_study_in(interaction.channel_id)
            await self.bot.core.takes.set_hidden(stored.id, user.id, hidden)
            key = "moderation.hidden" if hidden else "moderation.shown"
            await reply(interaction, t(key, self.bot.locale_for(interaction), user=user.mention))

    @app_commands.command(
        name=command_name("moderation hide-take"), description=text("cmd.moderation.hide.description")
    )
    @app_commands.describe(user=text("cmd.moderation.user"))
    @app_commands.rename(user=option_name("user"))
    async def hide_take(self, interaction: discord.Interaction[VeilleBot], user: discord.User) -> None:
        await self._set_hidden(interaction, user, True)

    @app_commands.command(
        name=command_name("moderation show-take"), description=text("cmd.moderation.show.description")
    )
    @app_commands.describe(user=text("cmd.moderation.user"))
    @app_commands.rename(user=option_name("user"))
    async def show_take(self, interaction: discord.Interaction[VeilleBot], user: discord.User) -> None:
        await self._set_hidden(interaction, user, False)

    @app_commands.command(
        name=command_name("moderation skip"), description=text("cmd.moderation.skip.description")
    )
    async def skip(self, interaction: discord.Interaction[VeilleBot]) -> None:
        assert interaction.guild_id is not None
        async with answering_problems(interaction):
            await require_moderator(interaction)
            skipped = await self.bot.core.posting.skip_next(interaction.guild_id)
            when = f"<t:{int(skipped.timestamp())}:F>"
            await reply(interaction, t("moderation.skipped", self.bot.locale_for(interaction), when=when))

    @app_commands.command(
        name=command_name("moderation delete"), description=text("cmd.moderation.delete.description")
    )
    async def delete(self, interaction: discord.Interaction[VeilleBot]) -> None:
        assert interaction.channel_id is not None
        async with answering_problems(interaction):
            await require_moderator(interaction)
            stored = await self.bot.core.posting.case_study_in(interaction.channel_id)
            # Answer first: the thread this command was typed in is about to disappear.
            await reply(interaction, t("moderation.deleted", self.bot.locale_for(interaction)))
            await self.bot.core.posting.delete(stored, self.bot.publisher)


async def setup(bot: VeilleBot) -> None:
    await bot.add_cog(Takes(bot))
    await bot.add_cog(Moderation(bot))
