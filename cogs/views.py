"""The buttons under a case study and the take form.

The buttons are `DynamicItem`s: their custom id carries the case study's id, so they keep working
after a restart without any view stored in memory (registered once in `setup_hook`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import ui

from bot.i18n import Locale, t
from bot.posting.model import STANCES, StoredTake
from bot.posting.takes import TAKE_MAX, TAKE_MIN
from cogs.notify import toggle_notifications
from cogs.replies import answering_problems, reply

if TYPE_CHECKING:
    from cogs.client import VeilleBot

LINK_MAX = 512  # Discord's limit for a link button's URL


def _button(
    action: str, case_study_id: int, label: str, emoji: str, style: discord.ButtonStyle
) -> ui.Button[ui.View]:
    return ui.Button(label=label, emoji=emoji, style=style, custom_id=f"veille:{action}:{case_study_id}")


class _OfCaseStudy:
    """Rebuilds a case study's button from its custom id (`veille:<action>:<id>`)."""

    def __init__(self, case_study_id: int, locale: Locale = "fr") -> None: ...  # the buttons' own

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: Any
    ) -> Any:
        return cls(int(match["id"]))


class TakeButton(_OfCaseStudy, ui.DynamicItem[ui.Button[ui.View]], template=r"veille:take:(?P<id>[0-9]+)"):
    def __init__(self, case_study_id: int, locale: Locale = "fr") -> None:
        label = t("take.button", locale)
        ui.DynamicItem.__init__(
            self, _button("take", case_study_id, label, "💬", discord.ButtonStyle.primary)
        )
        self.case_study_id = case_study_id

    async def callback(self, interaction: discord.Interaction[VeilleBot]) -> None:  # type: ignore[override]
        async with answering_problems(interaction):
            await open_take_form(interaction, self.case_study_id)


class UsefulButton(
    _OfCaseStudy, ui.DynamicItem[ui.Button[ui.View]], template=r"veille:useful:(?P<id>[0-9]+)"
):
    def __init__(self, case_study_id: int, locale: Locale = "fr") -> None:
        label = t("useful.button", locale)
        ui.DynamicItem.__init__(
            self, _button("useful", case_study_id, label, "👍", discord.ButtonStyle.secondary)
        )
        self.case_study_id = case_study_id

    async def callback(self, interaction: discord.Interaction[VeilleBot]) -> None:  # type: ignore[override]
        locale = interaction.client.locale_for(interaction)
        takes = interaction.client.core.takes
        async with answering_problems(interaction):
            added, votes = await takes.vote_useful(self.case_study_id, interaction.user.id)
            await reply(interaction, t("useful.thanks" if added else "useful.already", locale, count=votes))


class NotifyButton(ui.DynamicItem[ui.Button[ui.View]], template=r"veille:notify"):
    def __init__(self, locale: Locale = "fr") -> None:
        super().__init__(
            ui.Button(
                label=t("notify.button", locale),
                emoji="🔔",
                style=discord.ButtonStyle.secondary,
                custom_id="veille:notify",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: Any
    ) -> NotifyButton:
        return cls()

    async def callback(self, interaction: discord.Interaction[VeilleBot]) -> None:  # type: ignore[override]
        async with answering_problems(interaction):
            await toggle_notifications(interaction, None)


def casestudy_view(case_study_id: int, url: str | None, locale: Locale, *, notify: bool = False) -> ui.View:
    view = ui.View(timeout=None)
    view.add_item(TakeButton(case_study_id, locale))
    if url and len(url) <= LINK_MAX and url.startswith(("http://", "https://")):
        view.add_item(ui.Button(label=t("casestudy.read", locale), emoji="📰", url=url))
    view.add_item(UsefulButton(case_study_id, locale))
    if notify:
        view.add_item(NotifyButton(locale))
    return view


def take_view(case_study_id: int, locale: Locale) -> ui.View:
    view = ui.View(timeout=None)
    view.add_item(TakeButton(case_study_id, locale))
    return view


async def open_take_form(interaction: discord.Interaction[VeilleBot], case_study_id: int) -> None:
    """Show the take form, filled with the student's current take if they gave one."""
    takes = interaction.client.core.takes
    await takes.open_case_study(case_study_id)  # a deleted case study is refused before the form
    current = await takes.current(case_study_id, interaction.user.id)
    locale = interaction.client.locale_for(interaction)
    await interaction.response.send_modal(TakeForm(case_study_id, locale, current))


class TakeForm(ui.Modal):
    def __init__(self, case_study_id: int, locale: Locale, current: StoredTake | None) -> None:
        title = t("take.edit_title" if current else "take.title", locale)
        super().__init__(title=title, timeout=None, custom_id=f"veille:take-form:{case_study_id}")
        self.case_study_id = case_study_id
        self.locale = locale
        self.edit = current is not None
        self.stance: ui.RadioGroup[TakeForm] = ui.RadioGroup(
            custom_id="stance",
            options=[
                discord.RadioGroupOption(
                    label=t(f"stance.{stance}", locale),
                    value=stance,
                    default=current is not None and current.stance == stance,
                )
                for stance in STANCES
            ],
        )
        self.text: ui.TextInput[TakeForm] = ui.TextInput(
            custom_id="text",
            style=discord.TextStyle.paragraph,
            min_length=TAKE_MIN,
            max_length=TAKE_MAX,
            placeholder=t("take.placeholder", locale),
            default=current.text if current else None,
        )
        self.add_item(ui.Label(text=t("take.stance_label", locale), component=self.stance))
        self.add_item(ui.Label(text=t("take.text_label", locale), component=self.text))

    async def on_submit(self, interaction: discord.Interaction[VeilleBot]) -> None:  # type: ignore[override]
        async with answering_problems(interaction):
            receipt = await interaction.client.core.takes.submit(
                self.case_study_id, interaction.user.id, self.stance.value, self.text.value, "modal"
            )
            key = "take.saved" if receipt.first else "take.updated"
            await reply(interaction, t(key, self.locale, stance=t(f"stance.{receipt.stance}", self.locale)))
