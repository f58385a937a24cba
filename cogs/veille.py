"""`/veille`: the group's own commands. For now `status`; setup and notifications come next."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from cogs.client import VeilleBot
from cogs.embeds import status_embed
from cogs.translator import text


@app_commands.guild_only()
class Veille(
    commands.GroupCog,
    group_name="veille",
    group_description=text("cmd.veille.description"),
):
    def __init__(self, bot: VeilleBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="status", description=text("cmd.veille.status.description"))
    async def status(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None  # guild_only
        report = await self.bot.core.status.report(interaction.guild_id)
        locale = self.bot.locale_for(interaction)
        await interaction.response.send_message(embed=status_embed(report, locale), ephemeral=True)


async def setup(bot: VeilleBot) -> None:
    await bot.add_cog(Veille(bot))
