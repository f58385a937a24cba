"""`/veille status` through the real discord.py client and the fake Discord, as students see it."""

from __future__ import annotations

import pytest

from bot import __version__
from sandbox.demo import DemoServer
from sandbox.fakediscord import CommandNotAvailable
from tests.wire.conftest import RunningBot

EPHEMERAL = 1 << 6


async def test_status_answers_a_student_in_french_and_privately(
    demo: DemoServer, running_bot: RunningBot
) -> None:
    interaction = await demo.discord.slash(demo.students[0], demo.channel, "veille status", locale="fr")

    response = await interaction.response()

    assert response["type"] == 4  # a message, not a deferral left hanging
    assert response["data"]["flags"] & EPHEMERAL
    embed = response["data"]["embeds"][0]
    assert embed["title"] == "Veille — état du bot"
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert "Flux suivis (23)" in fields
    assert "🆕 23 pas encore lus" in fields["Flux suivis (23)"]
    assert fields["Prochaine étude de cas"] == "Pas encore planifié."
    assert fields["Prochain digest"] == "Pas encore planifié."
    assert embed["footer"]["text"] == f"veille-bot {__version__}"
    assert response["data"]["allowed_mentions"] == {"parse": []}
    # Ephemeral: nothing appeared in the channel for the other students.
    assert demo.world.channel_messages(demo.channel.id) == []


@pytest.mark.parametrize("locale", ["en-US", "en-GB"])
async def test_status_follows_an_english_speaking_user(
    demo: DemoServer, running_bot: RunningBot, locale: str
) -> None:
    interaction = await demo.discord.slash(demo.students[1], demo.channel, "veille status", locale=locale)

    embed = (await interaction.response())["data"]["embeds"][0]

    assert embed["title"] == "Veille — bot status"
    assert [field["name"] for field in embed["fields"]] == [
        "Feeds followed (23)",
        "Next case study",
        "Next digest",
        "Channel",
    ]
    assert embed["fields"][-1]["value"].startswith("Not set up yet")


async def test_status_falls_back_to_the_default_language(demo: DemoServer, running_bot: RunningBot) -> None:
    interaction = await demo.discord.slash(demo.students[2], demo.channel, "veille status", locale="de")

    embed = (await interaction.response())["data"]["embeds"][0]

    assert embed["title"] == "Veille — état du bot"


async def test_sync_publishes_localised_guild_only_commands(
    demo: DemoServer, running_bot: RunningBot
) -> None:
    published = demo.discord.commands[demo.guild.id]

    veille = next(command for command in published if command["name"] == "veille")
    assert veille["description"] == "The group's watch: status and settings"
    assert veille["description_localizations"]["fr"] == "La veille du groupe : état, réglages"
    status = next(option for option in veille["options"] if option["name"] == "status")
    assert status["description_localizations"]["fr"].startswith("Voir les flux suivis")
    assert veille["contexts"] == [0]  # guild only: no DMs


async def test_the_bot_resumes_after_the_gateway_drops(demo: DemoServer, running_bot: RunningBot) -> None:
    await demo.discord.drop_gateway()
    await demo.discord.wait_for(
        lambda: sum(session.identified and session.open for session in demo.discord.sessions) == 1,
        timeout=15,
        what="the bot to resume its gateway session",
    )

    interaction = await demo.discord.slash(demo.students[0], demo.channel, "veille status")

    assert (await interaction.response())["data"]["embeds"][0]["title"] == "Veille — état du bot"


async def test_unpublished_commands_are_not_offered(demo: DemoServer, running_bot: RunningBot) -> None:
    with pytest.raises(CommandNotAvailable):
        await demo.discord.slash(demo.students[0], demo.channel, "casestudy")


@pytest.mark.parametrize("status", [429, 503])
async def test_a_rate_limited_or_failing_callback_is_retried(
    demo: DemoServer, running_bot: RunningBot, status: int
) -> None:
    fault = demo.discord.faults.inject("POST", r"/interactions/\d+/[^/]+/callback", status, retry_after=0.2)

    interaction = await demo.discord.slash(demo.students[0], demo.channel, "veille status")

    assert (await interaction.response(timeout=10))["data"]["embeds"][0]["title"] == "Veille — état du bot"
    assert fault.hits == 1
    statuses = [r.status for r in demo.discord.requests_to("POST", "/interactions/")]
    assert statuses == [status, 200]
