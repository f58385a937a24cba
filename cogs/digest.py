"""`/digest`: moderators preview this week's digest, post it now, or re-show a past week's."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.digest.reader import RenderedDigest
from bot.digest.week import IsoWeek
from bot.i18n import t
from cogs.client import VeilleBot
from cogs.digest_render import chart_file, digest_messages
from cogs.replies import answering_problems, reply, require_moderator
from cogs.translator import command_name, option_name, text

WEEKS_OFFERED = 25


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class DigestCommands(
    commands.GroupCog,
    group_name=command_name("digest"),
    group_description=text("cmd.digest.description"),
):
    def __init__(self, bot: VeilleBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name=command_name("digest preview"), description=text("cmd.digest.preview.description")
    )
    async def preview(self, interaction: discord.Interaction[VeilleBot]) -> None:
        assert interaction.guild_id is not None  # guild_only
        async with answering_problems(interaction):
            await require_moderator(interaction)
            await interaction.response.defer(ephemeral=True, thinking=True)
            await _show_privately(
                interaction, await self.bot.core.digests.reader.preview(interaction.guild_id)
            )

    @app_commands.command(name=command_name("digest now"), description=text("cmd.digest.now.description"))
    async def now(self, interaction: discord.Interaction[VeilleBot]) -> None:
        assert interaction.guild_id is not None
        async with answering_problems(interaction):
            await require_moderator(interaction)
            week, channel_id = await self.bot.core.digests.post_now(interaction.guild_id, interaction.user.id)
            locale = self.bot.locale_for(interaction)
            await reply(
                interaction, t("digest.posting_now", locale, week=str(week), channel=f"<#{channel_id}>")
            )

    @app_commands.command(name=command_name("digest week"), description=text("cmd.digest.week.description"))
    @app_commands.describe(week=text("cmd.digest.week.week"))
    @app_commands.rename(week=option_name("week"))
    async def week(self, interaction: discord.Interaction[VeilleBot], week: str) -> None:
        assert interaction.guild_id is not None
        async with answering_problems(interaction):
            await require_moderator(interaction)
            IsoWeek.parse(week)  # a wrong week is answered before the "thinking…" message
            await interaction.response.defer(ephemeral=True, thinking=True)
            await _show_privately(
                interaction, await self.bot.core.digests.reader.show(interaction.guild_id, week)
            )

    @week.autocomplete("week")
    async def _weeks(
        self, interaction: discord.Interaction[VeilleBot], current: str
    ) -> list[app_commands.Choice[str]]:
        assert interaction.guild_id is not None
        weeks = await self.bot.core.digests.reader.weeks(interaction.guild_id)
        wanted = current.strip().upper()
        names = [str(week) for week in reversed(weeks) if wanted in str(week)]
        return [app_commands.Choice(name=name, value=name) for name in names[:WEEKS_OFFERED]]


async def _show_privately(interaction: discord.Interaction[VeilleBot], rendered: RenderedDigest) -> None:
    """The digest as it would be posted, visible only to the moderator who asked."""
    messages = digest_messages(rendered.digest, rendered.chart_png is not None)
    for message in messages:
        chart = rendered.chart_png if message.with_chart else None
        await interaction.followup.send(
            embeds=message.embeds,
            file=chart_file(rendered.digest, chart) if chart else discord.utils.MISSING,
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


async def setup(bot: VeilleBot) -> None:
    await bot.add_cog(DigestCommands(bot))
