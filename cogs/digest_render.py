"""A digest as Discord messages: one embed per section, packed into as few messages as Discord's
limits allow (10 embeds and 6,000 characters a message), the chart attached where it belongs.

Sections are sized by `bot.digest.sections` so that each fits one embed: nothing is cut here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import discord

from bot.digest.markup import Markdown
from bot.digest.model import Digest
from bot.digest.sections import Section, digest_sections
from bot.i18n import t

EMBEDS_PER_MESSAGE = 10
CHARACTERS_PER_MESSAGE = 6000
SECTION_COLOURS = {
    "overview": discord.Colour(0x2B6CB0),
    "case_study": discord.Colour(0x3182CE),
    "themes": discord.Colour(0x805AD5),
    "next": discord.Colour(0x38A169),
}


@dataclass(frozen=True)
class DigestMessage:
    embeds: list[discord.Embed]
    with_chart: bool


def chart_name(digest: Digest) -> str:
    return f"veille-{digest.week}.png"


def footer_of(digest: Digest, part: int, parts: int) -> str:
    """Each message's footer; a resumed post finds its earlier messages by it."""
    return f"{t('digest.footer', digest.locale, week=digest.week)} · {part}/{parts}"


def digest_messages(digest: Digest, with_chart: bool) -> list[DigestMessage]:
    sections = digest_sections(digest, Markdown(chat=True))
    embeds = [_embed(section, digest, with_chart) for section in sections]
    charted = [with_chart and section.chart for section in sections]
    footer_room = len(footer_of(digest, 99, 99))
    messages: list[DigestMessage] = []
    batch: list[discord.Embed] = []
    batch_chart = False
    size = footer_room
    for embed, chart in zip(embeds, charted, strict=True):
        length = len(embed)
        if batch and (len(batch) == EMBEDS_PER_MESSAGE or size + length > CHARACTERS_PER_MESSAGE):
            messages.append(DigestMessage(batch, batch_chart))
            batch, batch_chart, size = [], False, footer_room
        batch.append(embed)
        batch_chart = batch_chart or chart
        size += length
    if batch:
        messages.append(DigestMessage(batch, batch_chart))
    for part, message in enumerate(messages, start=1):
        message.embeds[-1].set_footer(text=footer_of(digest, part, len(messages)))
    return messages


def _embed(section: Section, digest: Digest, with_chart: bool) -> discord.Embed:
    embed = discord.Embed(
        title=section.title,
        url=section.url if section.url and section.url.startswith(("http://", "https://")) else None,
        description="\n".join(section.blocks),
        colour=SECTION_COLOURS.get(section.kind, SECTION_COLOURS["overview"]),
    )
    if with_chart and section.chart:
        embed.set_image(url=f"attachment://{chart_name(digest)}")
    return embed


def chart_file(digest: Digest, png: bytes) -> discord.File:
    return discord.File(
        io.BytesIO(png), filename=chart_name(digest), description=t("digest.chart_alt", digest.locale)
    )
