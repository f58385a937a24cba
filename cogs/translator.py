"""Command names and descriptions in the user's language, from the core's catalogues."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import catalogue, supported_locale, t


def text(key: str) -> app_commands.locale_str:
    """A command text: English by default (for locales we do not translate), localised by key."""
    return app_commands.locale_str(t(key, "en"), key=key)


class CatalogueTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        language = supported_locale(locale.value)
        if key is None or language is None:
            return None
        value = catalogue(language).get(key)
        return value if isinstance(value, str) else None
