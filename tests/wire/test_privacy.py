"""`/privacy`, `/my-data` and `/forget-me` through the real discord.py client and the fake Discord:
a student's file holds exactly their rows; once they are forgotten (after confirming) nothing in
the database points at them and a digest built again has no trace of them."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.config.settings import Settings
from bot.db.engine import sessionmaker
from bot.db.models import Base, MemberPreference
from bot.digest.week import IsoWeek
from bot.services import open_database
from sandbox.demo import DemoServer
from sandbox.fakediscord import InteractionRecord
from tests.feedserver import FeedServer
from tests.privacy.test_service import traces_of
from tests.wire.conftest import start_bot
from tests.wire.posting import (
    discussion_of,
    first_post_in,
    rows,
    seed_articles,
    seed_group,
    wait_until_posted,
)
from tests.wire.test_suggestions import suggest

EPHEMERAL = 1 << 6
MODAL, UPDATE_MESSAGE = 9, 7
ALICE_TAKE = "Je trouve le CV vidéo injuste pour les timides."
BILAL_TAKE = "D'accord avec l'idée, si le CV papier reste possible."


async def everything(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Every row of the bot's database, as plain values."""
    tables: dict[str, list[dict[str, Any]]] = {}
    async with open_database(settings) as engine, sessionmaker(engine)() as session:
        for table in Base.metadata.sorted_tables:
            tables[table.name] = [dict(row._mapping) for row in await session.execute(select(table))]
    return tables


async def private(interaction: InteractionRecord) -> dict[str, Any]:
    response = await interaction.response()
    assert response["data"]["flags"] & EPHEMERAL, "answers about one's data are private"
    data: dict[str, Any] = response["data"]
    return data


async def test_my_data_then_forget_me(demo: DemoServer, settings: Settings, pages: FeedServer) -> None:
    await seed_articles(settings, pages)
    await seed_group(settings, demo.guild.id, demo.channel.id, anonymous_takes=False)
    bot = await start_bot(demo, settings)
    try:
        alice, bilal, chloe = demo.students
        post = await first_post_in(demo, demo.channel)
        await discussion_of(demo, post)
        (case,) = await wait_until_posted(settings)
        for student, text in ((alice, ALICE_TAKE), (bilal, BILAL_TAKE)):
            opened = await demo.discord.click(student, post, f"veille:take:{case.id}")
            assert (await opened.response())["type"] == MODAL
            submitted = await demo.discord.submit_modal(student, opened, {"stance": "agree", "text": text})
            await submitted.response()
        await demo.discord.click(alice, post, f"veille:useful:{case.id}")
        _, card = await suggest(demo, alice, topic="Le droit à la déconnexion en stage")
        assert card is not None

        # /privacy explains, and lets the student choose to be named in the digest.
        panel = await private(await demo.discord.slash(alice, demo.channel, "privacy"))
        (embed,) = panel["embeds"]
        assert embed["title"] == "🔒 Vos données et le bot de veille"
        assert "12 mois" in str(embed["fields"])
        assert embed["description"] == "🙈 Le bilan n'affiche jamais votre nom."
        panel_message = next(m for m in demo.world.messages.values() if m.embeds and m.embeds[0] == embed)
        named = await demo.discord.click(alice, panel_message, _custom_id(panel_message, "📛"))
        assert (await named.response())["type"] == UPDATE_MESSAGE
        assert [row.attributed for row in await rows(settings, MemberPreference)] == [True]

        # /my-data: exactly her rows, as a private JSON file.
        answer = await private(await demo.discord.slash(alice, demo.channel, "my-data"))
        assert answer["content"].startswith("Voici tout ce que nous gardons sur vous")
        message = next(m for m in demo.world.messages.values() if "veille-bot-my-data.json" in m.files)
        data = json.loads(message.files["veille-bot-my-data.json"])
        assert data["user_id"] == str(alice.id)
        assert [take["text"] for take in data["takes"]] == [ALICE_TAKE]
        assert [vote["case_study_id"] for vote in data["useful_votes"]] == [case.id]
        assert [s["title"] for s in data["suggestions"]] == ["Le droit à la déconnexion en stage"]
        assert [p["named_in_digest"] for p in data["preferences"]] == [True]
        assert BILAL_TAKE not in json.dumps(data, ensure_ascii=False)
        # A student with no data is told so, with no file.
        nothing = await private(await demo.discord.slash(chloe, demo.channel, "my-data"))
        assert (
            nothing["content"] == "Nous ne gardons rien sur vous : aucun avis, aucun vote, aucune suggestion."
        )
        assert not nothing.get("attachments")

        # /forget-me asks first; cancelling deletes nothing.
        asked = await private(await demo.discord.slash(alice, demo.channel, "forget-me"))
        assert asked["content"].startswith("Cela efface définitivement vos avis")
        confirm = next(m for m in demo.world.messages.values() if m.content == asked["content"])
        yes, cancel = [c["custom_id"] for row in confirm.components for c in row["components"]]
        cancelled = await (await demo.discord.click(alice, confirm, cancel)).response()
        assert cancelled["data"]["content"] == "Rien n'a été effacé."
        assert traces_of(alice.id, (ALICE_TAKE,), await everything(settings))

        asked = await private(await demo.discord.slash(alice, demo.channel, "forget-me"))
        confirm = next(
            m for m in demo.world.messages.values() if m.content == asked["content"] and m.components
        )
        yes = confirm.components[0]["components"][0]["custom_id"]
        done = await (await demo.discord.click(alice, confirm, yes)).response()
        assert done["data"]["content"] == (
            "🧹 C'est fait : tout ce que nous gardions sur vous est effacé (1 avis, 1 vote, 1 suggestion)."
        )
        await demo.discord.wait_for(lambda: card.id not in demo.world.messages, what="her card taken down")

        tables = await everything(settings)
        assert traces_of(alice.id, (ALICE_TAKE,), tables) == []
        assert [take["text"] for take in tables["takes"]] == [BILAL_TAKE]
        config = await bot.core.posting.config(demo.guild.id)
        week = IsoWeek.of(bot.core.clock(), config.timezone)  # the week the case study was posted
        rebuilt = json.dumps(
            (await bot.core.digests.reader.build(config, week)).to_dict(), ensure_ascii=False
        )
        assert str(alice.id) not in rebuilt and ALICE_TAKE not in rebuilt
        assert BILAL_TAKE in rebuilt

        # Twice: nothing left to delete, and said so.
        asked = await private(await demo.discord.slash(alice, demo.channel, "forget-me"))
        confirm = [m for m in demo.world.messages.values() if m.content == asked["content"] and m.components][
            -1
        ]
        again = await (
            await demo.discord.click(alice, confirm, confirm.components[0]["components"][0]["custom_id"])
        ).response()
        assert again["data"]["content"] == "Il n'y a rien à effacer : nous ne gardons rien sur vous."
    finally:
        await bot.shutdown()


def _custom_id(message: Any, emoji: str) -> str:
    for row in message.components:
        for component in row["components"]:
            if component.get("emoji", {}).get("name") == emoji:
                return str(component["custom_id"])
    raise AssertionError(f"no button {emoji} on the message")
