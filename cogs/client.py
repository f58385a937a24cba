"""The discord.py client: built from the core's services, loads the cogs in `setup_hook`."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import Locale, locale_from, t
from bot.services import Core
from cogs.publisher import DiscordPublisher
from cogs.translator import CatalogueTranslator
from cogs.views import NotifyButton, TakeButton, UsefulButton

log = logging.getLogger(__name__)

EXTENSIONS = ("cogs.veille", "cogs.casestudy", "cogs.takes", "cogs.digest", "cogs.suggest", "cogs.privacy")

# What the README's invite URL asks for, and nothing more.
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    read_message_history=True,
)


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(
        application_id,
        permissions=INVITE_PERMISSIONS,
        scopes=("bot", "applications.commands"),
    )


class VeilleTree(app_commands.CommandTree["VeilleBot"]):
    async def on_error(
        self, interaction: discord.Interaction[VeilleBot], error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error(
            "command /%s failed (guild %s, channel %s)",
            command,
            interaction.guild_id,
            interaction.channel_id,
            exc_info=error,
        )
        message = t("errors.unexpected", interaction.client.locale_for(interaction))
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)


class VeilleBot(commands.Bot):
    """The bot. `background_jobs=False` (used by `veille sync`) leaves the scheduler stopped."""

    def __init__(self, core: Core, *, background_jobs: bool = True, **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents.default(),  # no privileged intent is needed
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=VeilleTree,
            **options,
        )
        self.core = core
        self.background_jobs = background_jobs
        self.publisher = DiscordPublisher(self)
        self._posting_started = False

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogueTranslator())
        # The case studies' buttons, found by their custom id on any message, even after a restart.
        self.add_dynamic_items(TakeButton, UsefulButton, NotifyButton)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.background_jobs:
            self.core.start_background_jobs()

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("connected as %s (id %s) to %d server(s)", self.user, self.user.id, len(self.guilds))
        if self.application_id is not None and not self.guilds:
            log.info("invite the bot to a server: %s", invite_url(self.application_id))
        # Posting starts once the servers and channels are known (READY fires again after a
        # reconnection that could not resume: start once).
        if self.background_jobs and not self._posting_started:
            self._posting_started = True
            await self.core.start_posting(self.publisher)

    async def close(self) -> None:
        await self.core.stop_posting()
        await super().close()

    def locale_for(self, interaction: discord.Interaction[Any]) -> Locale:
        """The user's language when we speak it, else the server's default."""
        fallback = self.core.settings.default_locale
        return locale_from(interaction.locale.value, fallback=fallback)
