"""`/privacy`, `/my-data` and `/forget-me`: what the bot stores about a student, their copy of it,
and its erasure. Every answer is private; the core's coordinator does the work."""

from __future__ import annotations

import contextlib
import io

import discord
from discord import app_commands, ui
from discord.ext import commands

from bot.i18n import Locale, t
from cogs.client import VeilleBot
from cogs.replies import reply
from cogs.translator import command_name, text

PANEL_TIMEOUT_SECONDS = 10 * 60
EXPORT_FILENAME = "veille-bot-my-data.json"


class Privacy(commands.Cog):
    def __init__(self, bot: VeilleBot) -> None:
        self.bot = bot

    @app_commands.command(name=command_name("privacy"), description=text("cmd.privacy.description"))
    async def privacy(self, interaction: discord.Interaction[VeilleBot]) -> None:
        locale = self.bot.locale_for(interaction)
        panel = PrivacyPanel(self.bot, interaction.user.id, interaction.guild_id, locale)
        await panel.refresh()
        await interaction.response.send_message(embed=await panel.embed(), view=panel, ephemeral=True)

    @app_commands.command(name=command_name("my-data"), description=text("cmd.my_data.description"))
    async def my_data(self, interaction: discord.Interaction[VeilleBot]) -> None:
        await send_my_data(interaction)

    @app_commands.command(name=command_name("forget-me"), description=text("cmd.forget_me.description"))
    async def forget_me(self, interaction: discord.Interaction[VeilleBot]) -> None:
        await ask_to_forget(interaction)


async def send_my_data(interaction: discord.Interaction[VeilleBot]) -> None:
    locale = interaction.client.locale_for(interaction)
    exported = await interaction.client.core.privacy.export(interaction.user.id)
    if exported.empty:
        await reply(interaction, t("privacy.no_data", locale))
        return
    document = discord.File(io.BytesIO(exported.to_json()), filename=EXPORT_FILENAME)
    await reply(interaction, t("privacy.my_data", locale), file=document)


async def ask_to_forget(interaction: discord.Interaction[VeilleBot]) -> None:
    locale = interaction.client.locale_for(interaction)
    await reply(
        interaction, t("privacy.forget_confirm", locale), view=ConfirmForget(interaction.user.id, locale)
    )


class PrivacyPanel(ui.View):
    """What is stored and the student's choices: named in the digest or not, a copy, erasure."""

    def __init__(self, bot: VeilleBot, user_id: int, guild_id: int | None, locale: Locale) -> None:
        super().__init__(timeout=PANEL_TIMEOUT_SECONDS)
        self.bot = bot
        self.user_id = user_id
        self.guild_id = guild_id
        self.locale = locale
        self.named = False
        self.my_data_button.label = t("privacy.my_data_button", locale)
        self.forget_button.label = t("privacy.forget_button", locale)
        if guild_id is None:  # a choice made per server: none to make in direct messages
            self.remove_item(self.name_button)

    async def refresh(self) -> None:
        if self.guild_id is not None:
            self.named = await self.bot.core.members.attributed(self.guild_id, self.user_id)
        self.name_button.label = t("privacy.hide_me" if self.named else "privacy.name_me", self.locale)

    async def embed(self) -> discord.Embed:
        locale = self.locale
        months = self.bot.core.settings.data_retention_months
        embed = discord.Embed(title=t("privacy.title", locale), colour=discord.Colour.dark_teal())
        sections = (
            ("privacy.stored", t("privacy.stored_text", locale)),
            ("privacy.how_long", t("privacy.how_long_text", locale, count=months)),
            ("privacy.who", t("privacy.who_text", locale)),
            ("privacy.rights", t("privacy.rights_text", locale)),
        )
        for name, value in sections:
            embed.add_field(name=t(name, locale), value=value, inline=False)
        if self.guild_id is not None:
            status = t("privacy.named_yes" if self.named else "privacy.named_no", locale)
            config = await self.bot.core.posting.config(self.guild_id)
            if config.anonymous_takes:
                status += "\n" + t("privacy.group_anonymous", locale)
            embed.description = status
        return embed

    @ui.button(style=discord.ButtonStyle.secondary, emoji="📛")
    async def name_button(
        self, interaction: discord.Interaction[VeilleBot], button: ui.Button[PrivacyPanel]
    ) -> None:
        assert self.guild_id is not None
        await self.bot.core.members.set_attributed(self.guild_id, self.user_id, not self.named)
        await self.refresh()
        await interaction.response.edit_message(embed=await self.embed(), view=self)
        await reply(interaction, t("privacy.named_on" if self.named else "privacy.named_off", self.locale))

    @ui.button(style=discord.ButtonStyle.primary, emoji="📦")
    async def my_data_button(
        self, interaction: discord.Interaction[VeilleBot], button: ui.Button[PrivacyPanel]
    ) -> None:
        await send_my_data(interaction)

    @ui.button(style=discord.ButtonStyle.danger, emoji="🧹")
    async def forget_button(
        self, interaction: discord.Interaction[VeilleBot], button: ui.Button[PrivacyPanel]
    ) -> None:
        await ask_to_forget(interaction)


class ConfirmForget(ui.View):
    """The last word before erasure: nothing is deleted until the student confirms."""

    def __init__(self, user_id: int, locale: Locale) -> None:
        super().__init__(timeout=PANEL_TIMEOUT_SECONDS)
        self.user_id = user_id
        self.locale = locale
        self.confirm_button.label = t("privacy.forget_yes", locale)
        self.cancel_button.label = t("privacy.forget_cancel", locale)

    @ui.button(style=discord.ButtonStyle.danger, emoji="🧹")
    async def confirm_button(
        self, interaction: discord.Interaction[VeilleBot], button: ui.Button[ConfirmForget]
    ) -> None:
        self.stop()
        forgotten = await interaction.client.core.privacy.forget(self.user_id)
        locale = self.locale
        if forgotten.nothing:
            message = t("privacy.nothing_to_forget", locale)
        else:
            counts = forgotten.counts
            message = t(
                "privacy.forgotten",
                locale,
                takes=t("digest.n_takes", locale, count=counts["takes"]),
                votes=t("privacy.n_votes", locale, count=forgotten.votes),
                suggestions=t("privacy.n_suggestions", locale, count=counts["suggestions"]),
            )
        await interaction.response.edit_message(content=message, view=None)
        await take_down(interaction.client, forgotten.cards)

    @ui.button(style=discord.ButtonStyle.secondary)
    async def cancel_button(
        self, interaction: discord.Interaction[VeilleBot], button: ui.Button[ConfirmForget]
    ) -> None:
        self.stop()
        await interaction.response.edit_message(content=t("privacy.forget_cancelled", self.locale), view=None)


async def take_down(bot: VeilleBot, cards: tuple[tuple[int, int], ...]) -> None:
    """Delete the cards of a forgotten student's suggestions (already gone, or no right: left)."""
    for channel_id, message_id in cards:
        with contextlib.suppress(discord.HTTPException):
            await bot.get_partial_messageable(channel_id).get_partial_message(message_id).delete()


async def setup(bot: VeilleBot) -> None:
    await bot.add_cog(Privacy(bot))
