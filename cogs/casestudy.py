"""`/casestudy`: a moderator asks for a case study now (the next best, a given page, or a theme),
sees a private preview and posts it, asks for another one, or cancels."""

from __future__ import annotations

import discord
from discord import app_commands, ui
from discord.ext import commands

from bot.casestudy.service import Proposal
from bot.errors import UserProblem
from bot.i18n import Locale, supported_locale, t
from bot.posting.config import parse_themes, theme_choices
from cogs.client import VeilleBot
from cogs.embeds import casestudy_embed, fit
from cogs.replies import answering_problems, reply, require_moderator
from cogs.translator import command_name, option_name, text

PREVIEW_TIMEOUT_SECONDS = 15 * 60


class CaseStudies(commands.Cog):
    def __init__(self, bot: VeilleBot) -> None:
        self.bot = bot

    @app_commands.command(name=command_name("casestudy"), description=text("cmd.casestudy.description"))
    @app_commands.describe(url=text("cmd.casestudy.url"), theme=text("cmd.casestudy.theme"))
    @app_commands.rename(url=option_name("url"), theme=option_name("theme"))
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def casestudy(
        self, interaction: discord.Interaction[VeilleBot], url: str | None = None, theme: str | None = None
    ) -> None:
        assert interaction.guild_id is not None  # guild_only
        async with answering_problems(interaction):
            await require_moderator(interaction)
            posting = self.bot.core.posting
            theme_id = None
            if theme:
                chosen = parse_themes(theme, posting.theme_labels)
                theme_id = chosen[0] if chosen else None
            if url is not None and not url.strip().lower().startswith(("http://", "https://")):
                raise UserProblem("casestudy.bad_url", url=fit(url, 200))
            await interaction.response.defer(ephemeral=True, thinking=True)
            preview = Preview(self.bot, interaction, url=url.strip() if url else None, theme=theme_id)
            await preview.show(interaction)

    @casestudy.autocomplete("theme")
    async def _themes(
        self, interaction: discord.Interaction[VeilleBot], current: str
    ) -> list[app_commands.Choice[str]]:
        locale = self.bot.locale_for(interaction)
        return [
            app_commands.Choice(name=label[:100], value=theme_id)
            for label, theme_id in theme_choices(current, self.bot.core.posting.theme_labels, locale)
        ]


class Preview(ui.View):
    """The moderator's private preview: Post, Another one (not for a given page), Cancel."""

    def __init__(
        self,
        bot: VeilleBot,
        interaction: discord.Interaction[VeilleBot],
        *,
        url: str | None,
        theme: str | None,
    ) -> None:
        super().__init__(timeout=PREVIEW_TIMEOUT_SECONDS)
        self.bot = bot
        self.requester = interaction.user.id
        assert interaction.guild_id is not None
        self.guild_id = interaction.guild_id
        self.locale: Locale = bot.locale_for(interaction)
        self.url = url
        self.theme = theme
        self.shown: list[int] = []  # articles already proposed: "another one" skips them
        self.proposal: Proposal | None = None
        # The buttons' labels, in the moderator's language (the decorators give none).
        self.post_button.label = t("preview.post", self.locale)
        self.another_button.label = t("preview.another", self.locale)
        self.cancel_button.label = t("preview.cancel", self.locale)
        if url:
            self.remove_item(self.another_button)

    async def show(self, interaction: discord.Interaction[VeilleBot]) -> None:
        """Make the next proposal and put it in the (deferred) answer."""
        posting = self.bot.core.posting
        self.proposal = await posting.propose(
            self.guild_id, url=self.url, theme=self.theme, exclude=self.shown
        )
        case = self.proposal.case_study
        if case is None:
            reasons = "; ".join(self.proposal.reasons[:3]) or t("preview.no_candidates", self.locale)
            key = "preview.url_failed" if self.url else "preview.none"
            await interaction.edit_original_response(
                content=t(key, self.locale, reasons=fit(reasons, 1500)), embed=None, view=None
            )
            self.stop()
            return
        if case.article_id is not None:
            self.shown.append(case.article_id)
        # The moderator's words around it, but the case study exactly as it will be posted: in the
        # group's language, which its questions are already written in (like `/digest preview`).
        posted_in = supported_locale(case.locale) or self.locale
        label = posting.theme_label(case.theme, posted_in)
        await interaction.edit_original_response(
            content=t("preview.intro", self.locale),
            embed=casestudy_embed(case, label, posted_in),
            view=self,
        )

    async def interaction_check(self, interaction: discord.Interaction[VeilleBot]) -> bool:  # type: ignore[override]
        if interaction.user.id == self.requester:
            return True
        await reply(interaction, t("preview.not_yours", self.bot.locale_for(interaction)))
        return False

    @ui.button(style=discord.ButtonStyle.success, emoji="📣")
    async def post_button(
        self, interaction: discord.Interaction[VeilleBot], button: ui.Button[Preview]
    ) -> None:
        assert self.proposal is not None
        async with answering_problems(interaction):
            await self.bot.core.posting.post(self.guild_id, self.proposal, self.requester)
            config = await self.bot.core.posting.config(self.guild_id)
            await interaction.response.edit_message(
                content=t("preview.posted", self.locale, channel=f"<#{config.channel_id}>"), view=None
            )
            self.stop()

    @ui.button(style=discord.ButtonStyle.secondary, emoji="🔄")
    async def another_button(
        self, interaction: discord.Interaction[VeilleBot], button: ui.Button[Preview]
    ) -> None:
        await interaction.response.defer()
        await self.show(interaction)

    @ui.button(style=discord.ButtonStyle.danger)
    async def cancel_button(
        self, interaction: discord.Interaction[VeilleBot], button: ui.Button[Preview]
    ) -> None:
        await interaction.response.edit_message(
            content=t("preview.cancelled", self.locale), embed=None, view=None
        )
        self.stop()


async def setup(bot: VeilleBot) -> None:
    await bot.add_cog(CaseStudies(bot))
