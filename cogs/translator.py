"""Command names, descriptions and choices in the user's language, from the core's catalogues.

Every text of the command tree is an `app_commands.locale_str` carrying its catalogue key in
`extras["key"]`: its message is the English text (what Discord shows for locales we do not
translate), and `CatalogueTranslator` gives Discord the French and English ones by key.

Keys: descriptions under `cmd.…`; names under `names.command.<qualified name>` (a command, group
or subcommand: `names.command.veille setup`) and `names.option.<option>` (an option, whatever its
command); choices under their own keys (`choices.…`). The English name is the code's own: the
English catalogue repeats it, and a test checks that it does.
"""

from __future__ import annotations

from typing import TypeVar

import discord
from discord import app_commands

from bot.i18n import catalogue, supported_locale, t

ChoiceT = TypeVar("ChoiceT", str, int, float)


def text(key: str) -> app_commands.locale_str:
    """A command text: English by default (for locales we do not translate), localised by key."""
    return app_commands.locale_str(t(key, "en"), key=key)


def command_name(qualified_name: str) -> app_commands.locale_str:
    """The name of a command, group or subcommand, given by its qualified English name
    (`"veille setup"`): the last word is the English name, the whole is the key."""
    return app_commands.locale_str(qualified_name.split()[-1], key=f"names.command.{qualified_name}")


def option_name(name: str) -> app_commands.locale_str:
    """An option's name: `name` in English, localised by `names.option.<name>`."""
    return app_commands.locale_str(name, key=f"names.option.{name}")


def choice(key: str, value: ChoiceT) -> app_commands.Choice[ChoiceT]:
    """A fixed choice: its name is the text of `key` (the user sees it), its value is the code's."""
    return app_commands.Choice(name=text(key), value=value)


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
