"""`/veille`: the group's own commands: status for everyone, notifications for students, setup
for moderators (checked in code: Discord's default permissions apply to a whole command group)."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.feeds.text import fold
from bot.i18n import LOCALES
from bot.posting.config import SetupChange, theme_choices
from cogs.client import VeilleBot
from cogs.embeds import setup_embed, setup_fields, status_embed
from cogs.notify import ensure_notify_role, toggle_notifications
from cogs.publisher import check_postable
from cogs.replies import answering_problems, require_moderator
from cogs.translator import choice, command_name, option_name, text

TIMEZONES = sorted(available_timezones())
# Options whose parameter has another name (`time` would shadow the module in the signature).
_PARAMETERS = {"time": "at", "digest_time": "digest_at"}
SETUP_OPTIONS = (
    "channel",
    "days",
    "time",
    "timezone",
    "language",
    "themes",
    "anonymous",
    "moderator_role",
    "alerts_channel",
    "notify",
    "digest_channel",
    "digest_day",
    "digest_time",
)


@app_commands.guild_only()
class Veille(
    commands.GroupCog,
    group_name=command_name("veille"),
    group_description=text("cmd.veille.description"),
):
    def __init__(self, bot: VeilleBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name=command_name("veille status"), description=text("cmd.veille.status.description")
    )
    async def status(self, interaction: discord.Interaction[VeilleBot]) -> None:
        assert interaction.guild_id is not None  # guild_only
        core = self.bot.core
        config = await core.posting.config(interaction.guild_id)
        report = await core.status.report(interaction.guild_id)
        locale = self.bot.locale_for(interaction)
        embed = status_embed(report, locale)
        labels = core.posting.theme_labels
        for name, value in setup_fields(config, report.next_casestudy_at, labels, locale):
            embed.add_field(name=name, value=value, inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name=command_name("veille setup"), description=text("cmd.veille.setup.description"))
    @app_commands.describe(**{_PARAMETERS.get(n, n): text(f"cmd.veille.setup.{n}") for n in SETUP_OPTIONS})
    @app_commands.rename(**{_PARAMETERS.get(n, n): option_name(n) for n in SETUP_OPTIONS})
    @app_commands.choices(language=[choice(f"setup.language_{code}", code) for code in LOCALES])
    async def setup(
        self,
        interaction: discord.Interaction[VeilleBot],
        channel: discord.TextChannel | discord.ForumChannel | None = None,
        days: str | None = None,
        at: str | None = None,
        timezone: str | None = None,
        language: str | None = None,
        themes: str | None = None,
        anonymous: bool | None = None,
        moderator_role: discord.Role | None = None,
        alerts_channel: discord.TextChannel | None = None,
        notify: bool | None = None,
        digest_channel: discord.TextChannel | discord.ForumChannel | None = None,
        digest_day: str | None = None,
        digest_at: str | None = None,
    ) -> None:
        assert interaction.guild is not None  # guild_only
        guild = interaction.guild
        async with answering_problems(interaction):
            await require_moderator(interaction)
            if channel is not None:
                check_postable(channel, guild.me)
            if digest_channel is not None:
                check_postable(digest_channel, guild.me, digest=True)
            change = SetupChange(
                channel_id=channel.id if channel else None,
                days=days,
                at=at,
                timezone=timezone,
                locale=language,
                themes=themes,
                anonymous_takes=anonymous,
                moderator_role_id=moderator_role.id if moderator_role else None,
                alerts_channel_id=alerts_channel.id if alerts_channel else None,
                notify_enabled=notify,
                digest_channel_id=digest_channel.id if digest_channel else None,
                digest_day=digest_day,
                digest_at=digest_at,
            )
            posting = self.bot.core.posting
            planned = await posting.check_setup(guild.id, change)  # a wrong value stops here
            if planned.notify_enabled:
                role = await ensure_notify_role(guild, planned.notify_role_id)
                change = replace(change, notify_role_id=role.id)
            config = await posting.setup(guild.id, change)
            locale = self.bot.locale_for(interaction)
            embed = setup_embed(config, posting.next_post(config), posting.theme_labels, locale)
            await interaction.response.send_message(embed=embed, ephemeral=True)

    @setup.autocomplete("timezone")
    async def _timezones(
        self, interaction: discord.Interaction[VeilleBot], current: str
    ) -> list[app_commands.Choice[str]]:
        wanted = fold(current)
        found = [zone for zone in TIMEZONES if wanted in fold(zone)]
        return [app_commands.Choice(name=zone, value=zone) for zone in found[:25]]

    @setup.autocomplete("themes")
    async def _themes(
        self, interaction: discord.Interaction[VeilleBot], current: str
    ) -> list[app_commands.Choice[str]]:
        # Several themes are comma-separated: complete the last one, keep the ones before.
        *before, last = current.split(",")
        prefix = ", ".join(part.strip() for part in before if part.strip())
        locale = self.bot.locale_for(interaction)
        choices = []
        for label, theme_id in theme_choices(last, self.bot.core.posting.theme_labels, locale):
            value = f"{prefix}, {theme_id}" if prefix else theme_id
            name = f"{prefix}, {label}" if prefix else label
            choices.append(app_commands.Choice(name=name[:100], value=value[:100]))
        return choices

    @app_commands.command(
        name=command_name("veille notify"), description=text("cmd.veille.notify.description")
    )
    @app_commands.describe(state=text("cmd.veille.notify.state"))
    @app_commands.rename(state=option_name("state"))
    @app_commands.choices(state=[choice(f"choices.notify.{state}", state) for state in ("on", "off")])
    async def notify(self, interaction: discord.Interaction[VeilleBot], state: str) -> None:
        async with answering_problems(interaction):
            await toggle_notifications(interaction, state == "on")


async def setup(bot: VeilleBot) -> None:
    await bot.add_cog(Veille(bot))
