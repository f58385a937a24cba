"""`/suggest`: students propose a link (an article or a feed) or a topic; the card posted in the
channel carries a vote button for everyone and Approve / Reject / Merge for moderators (checked in
code). `/suggestions` lists what waits for a decision.

The card's buttons are `DynamicItem`s (custom id `veille:sg:<action>:<id>`): they work after a
restart. Cards name nobody: suggestions belong to the group, and a student's words stay theirs.
"""

from __future__ import annotations

import contextlib
from typing import Any

import discord
from discord import app_commands, ui
from discord.ext import commands

from bot.errors import UserProblem
from bot.i18n import Locale, t
from bot.suggestions.model import Kind, Status, Suggestion
from cogs.client import VeilleBot
from cogs.embeds import fit
from cogs.replies import answering_problems, reply, require_moderator
from cogs.translator import command_name, option_name, text

KIND_EMOJI = {Kind.FEED: "📡", Kind.ARTICLE: "📰", Kind.TOPIC: "💬"}
MERGE_TIMEOUT_SECONDS = 5 * 60
SELECT_MAX = 25  # Discord's limit of options in a select menu
CARD_URL = "https://discord.com/channels/{guild}/{channel}/{message}"


class Suggestions(commands.Cog):
    def __init__(self, bot: VeilleBot) -> None:
        self.bot = bot

    @app_commands.command(name=command_name("suggest"), description=text("cmd.suggest.description"))
    @app_commands.describe(url=text("cmd.suggest.url"), topic=text("cmd.suggest.topic"))
    @app_commands.rename(url=option_name("url"), topic=option_name("topic"))
    @app_commands.guild_only()
    async def suggest(
        self, interaction: discord.Interaction[VeilleBot], url: str | None = None, topic: str | None = None
    ) -> None:
        assert interaction.guild_id is not None  # guild_only
        locale = self.bot.locale_for(interaction)
        service = self.bot.core.suggestions
        async with answering_problems(interaction):
            if (url is None) == (topic is None):
                raise UserProblem("suggest.one_of")
            # Reading a link takes up to the fetcher's time limit: answer "thinking" first.
            await interaction.response.defer(ephemeral=True, thinking=True)
            user = interaction.user.id
            if url is not None:
                submitted = await service.suggest_link(interaction.guild_id, user, url)
            else:
                submitted = await service.suggest_topic(interaction.guild_id, user, topic or "")
            suggestion = submitted.suggestion
            if submitted.duplicate:
                await refresh_card(self.bot, suggestion)
                key = "suggest.duplicate_voted" if submitted.vote_added else "suggest.duplicate_already"
                await reply(
                    interaction, t(key, locale, title=fit(suggestion.title, 200), count=suggestion.votes)
                )
                return
            channel = await self._post_card(interaction, suggestion)
            if channel is None:
                await reply(interaction, t("suggest.listed", locale))
            else:
                await reply(interaction, t("suggest.posted", locale, channel=f"<#{channel}>"))

    async def _post_card(
        self, interaction: discord.Interaction[VeilleBot], suggestion: Suggestion
    ) -> int | None:
        """Post the card where the student asked, else in the case-study channel: its channel."""
        config = await self.bot.core.posting.config(suggestion.guild_id)
        places = [interaction.channel, self.bot.get_channel(config.channel_id or 0)]
        embed, view = await card(self.bot, suggestion)
        for place in places:
            if not isinstance(place, discord.abc.Messageable) or place is None:
                continue
            try:
                message = await place.send(embed=embed, view=view)
            except discord.HTTPException:
                continue  # no right to post there: try the next place
            await self.bot.core.suggestions.place(suggestion.id, message.channel.id, message.id)
            return message.channel.id
        return None

    @app_commands.command(name=command_name("suggestions"), description=text("cmd.suggestions.description"))
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def suggestions(self, interaction: discord.Interaction[VeilleBot]) -> None:
        assert interaction.guild_id is not None
        locale = self.bot.locale_for(interaction)
        async with answering_problems(interaction):
            await require_moderator(interaction)
            pending = await self.bot.core.suggestions.pending(interaction.guild_id)
            embed = discord.Embed(title=t("suggest.pending_title", locale), colour=discord.Colour.gold())
            lines = [_pending_line(s, locale) for s in pending]
            embed.description = "\n".join(lines)[:4000] if lines else t("suggest.pending_none", locale)
            await interaction.response.send_message(embed=embed, ephemeral=True)


def _pending_line(suggestion: Suggestion, locale: Locale) -> str:
    line = t(
        "suggest.pending_line",
        locale,
        icon=KIND_EMOJI[suggestion.kind],
        title=fit(suggestion.title, 120),
        votes=t("digest.suggestion_votes", locale, count=suggestion.votes),
    )
    if suggestion.channel_id and suggestion.message_id:
        link = CARD_URL.format(
            guild=suggestion.guild_id, channel=suggestion.channel_id, message=suggestion.message_id
        )
        line += f" · {link}"
    return line


# ── the card ────────────────────────────────────────────────────────────────────────────────────


async def card(bot: VeilleBot, suggestion: Suggestion) -> tuple[discord.Embed, ui.View]:
    """The suggestion's card, in the group's language (it is public)."""
    locale = (await bot.core.posting.config(suggestion.guild_id)).locale
    embed = discord.Embed(
        title=t(f"suggest.kind_{suggestion.kind.value}", locale),
        description=f"**{fit(suggestion.title, 300)}**",
        url=suggestion.url if suggestion.url and len(suggestion.url) <= 2000 else None,
        colour=discord.Colour.gold() if suggestion.pending else discord.Colour.light_grey(),
    )
    theme = bot.core.posting.theme_label(suggestion.theme, locale) if suggestion.theme else None
    embed.add_field(name=t("suggest.theme", locale), value=theme or t("suggest.no_theme", locale))
    embed.add_field(name=t("suggest.votes", locale), value=str(suggestion.votes))
    embed.add_field(
        name=t("suggest.status", locale), value=t(f"suggest.status_{suggestion.status.value}", locale)
    )
    embed.set_footer(text=t("suggest.footer", locale))
    view = ui.View(timeout=None)
    open_to_votes = suggestion.status in (Status.PENDING, Status.APPROVED)
    view.add_item(SuggestionButton(suggestion.id, "vote", locale, disabled=not open_to_votes))
    if suggestion.pending:
        for action in ("approve", "reject", "merge"):
            view.add_item(SuggestionButton(suggestion.id, action, locale))
    return embed, view


async def refresh_card(bot: VeilleBot, suggestion: Suggestion) -> None:
    """Show the suggestion's votes and status on its card (a card deleted meanwhile: left)."""
    if suggestion.channel_id is None or suggestion.message_id is None:
        return
    embed, view = await card(bot, suggestion)
    message = bot.get_partial_messageable(suggestion.channel_id).get_partial_message(suggestion.message_id)
    with contextlib.suppress(discord.HTTPException):
        await message.edit(embed=embed, view=view)


BUTTONS: dict[str, tuple[str, discord.ButtonStyle]] = {
    "vote": ("👍", discord.ButtonStyle.primary),
    "approve": ("✅", discord.ButtonStyle.success),
    "reject": ("✖️", discord.ButtonStyle.danger),
    "merge": ("🔀", discord.ButtonStyle.secondary),
}


class SuggestionButton(
    ui.DynamicItem[ui.Button[ui.View]],
    template=r"veille:sg:(?P<action>vote|approve|reject|merge):(?P<id>[0-9]+)",
):
    def __init__(
        self, suggestion_id: int, action: str, locale: Locale = "fr", *, disabled: bool = False
    ) -> None:
        emoji, style = BUTTONS[action]
        super().__init__(
            ui.Button(
                label=t(f"suggest.{action}_button", locale),
                emoji=emoji,
                style=style,
                disabled=disabled,
                custom_id=f"veille:sg:{action}:{suggestion_id}",
            )
        )
        self.suggestion_id = suggestion_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: Any
    ) -> SuggestionButton:
        return cls(int(match["id"]), match["action"])

    async def callback(self, interaction: discord.Interaction[VeilleBot]) -> None:  # type: ignore[override]
        async with answering_problems(interaction):
            if self.action == "vote":
                await self._vote(interaction)
                return
            await require_moderator(interaction, "suggest.moderators_decide")
            if self.action == "merge":
                await self._offer_merge(interaction)
            else:
                await self._decide(interaction)

    async def _vote(self, interaction: discord.Interaction[VeilleBot]) -> None:
        bot, locale = interaction.client, interaction.client.locale_for(interaction)
        added, suggestion = await bot.core.suggestions.vote(self.suggestion_id, interaction.user.id)
        if suggestion.id == self.suggestion_id:
            embed, view = await card(bot, suggestion)
            await interaction.response.edit_message(embed=embed, view=view)
        else:  # this one was merged: the vote went to the suggestion it joined
            await refresh_card(bot, suggestion)
        key = "suggest.voted" if added else "suggest.already_voted"
        await reply(interaction, t(key, locale, count=suggestion.votes))

    async def _decide(self, interaction: discord.Interaction[VeilleBot]) -> None:
        bot, locale = interaction.client, interaction.client.locale_for(interaction)
        service, moderator = bot.core.suggestions, interaction.user.id
        if self.action == "approve":
            suggestion = await service.approve(self.suggestion_id, moderator)
            key = f"suggest.approved_{suggestion.kind.value}"
        else:
            suggestion = await service.reject(self.suggestion_id, moderator)
            key = "suggest.rejected"
        embed, view = await card(bot, suggestion)
        await interaction.response.edit_message(embed=embed, view=view)
        await reply(interaction, t(key, locale, title=fit(suggestion.title, 200)))

    async def _offer_merge(self, interaction: discord.Interaction[VeilleBot]) -> None:
        locale = interaction.client.locale_for(interaction)
        targets = await interaction.client.core.suggestions.merge_targets(self.suggestion_id)
        if not targets:
            raise UserProblem("suggest.merge_none")
        await reply(
            interaction,
            t("suggest.merge_choose", locale),
            view=MergeChoice(self.suggestion_id, targets, locale),
        )


class MergeChoice(ui.View):
    """A moderator picks the suggestion a duplicate joins (private, for a few minutes)."""

    def __init__(self, suggestion_id: int, targets: list[Suggestion], locale: Locale) -> None:
        super().__init__(timeout=MERGE_TIMEOUT_SECONDS)
        self.suggestion_id = suggestion_id
        self.locale = locale
        for target in targets[:SELECT_MAX]:
            self.choice.add_option(
                label=target.title[:100],
                value=str(target.id),
                emoji=KIND_EMOJI[target.kind],
                description=t("digest.suggestion_votes", locale, count=target.votes)[:100],
            )

    @ui.select(custom_id="veille:sg-merge")
    async def choice(
        self, interaction: discord.Interaction[VeilleBot], select: ui.Select[MergeChoice]
    ) -> None:
        bot = interaction.client
        async with answering_problems(interaction):
            await require_moderator(interaction)
            target = await bot.core.suggestions.merge(
                self.suggestion_id, int(select.values[0]), interaction.user.id
            )
            self.stop()
            await interaction.response.edit_message(
                content=t("suggest.merged", self.locale, title=fit(target.title, 200)), view=None
            )
            await refresh_card(bot, await bot.core.suggestions.get(self.suggestion_id))
            await refresh_card(bot, target)


async def setup(bot: VeilleBot) -> None:
    bot.add_dynamic_items(SuggestionButton)  # the cards' buttons, on any message, after a restart
    await bot.add_cog(Suggestions(bot))
