"""Case studies in the server, through the real discord.py client and the fake Discord: the
scheduled post with its thread and buttons, takes (form, `/take`, edits, the running count), a
moderator's `/casestudy url:`, students refused, and exactly-once delivery across a crash."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.config.settings import Settings
from bot.db.models import Take
from sandbox.demo import DemoServer
from sandbox.fakediscord import CommandNotAvailable, InteractionRecord, Message
from tests.feedserver import FeedServer
from tests.wire.conftest import RunningBot, start_bot
from tests.wire.posting import (
    BUILD_TIMEOUT,
    case_studies,
    custom_ids,
    outbox,
    posts_in,
    rows,
    seed_articles,
    seed_group,
    wait_until_posted,
)

EPHEMERAL = 1 << 6
MODAL, DEFERRED_MESSAGE = 9, 5


async def first_post(demo: DemoServer, timeout: float = 20) -> Message:
    await demo.discord.wait_for(
        lambda: posts_in(demo.world, demo.channel), timeout=timeout, what="the case study to be posted"
    )
    return posts_in(demo.world, demo.channel)[0]


async def discussion(demo: DemoServer, post: Message) -> list[Message]:
    """The thread's messages (questions, then the count), once both are there."""

    def ready() -> list[Message] | None:
        thread = demo.world.thread_of(post.id)
        if thread is None:
            return None
        messages = demo.world.channel_messages(thread.id)
        return messages if len(messages) >= 2 else None

    await demo.discord.wait_for(ready, timeout=15, what="the thread's questions and count")
    result = ready()
    assert result is not None
    return sorted(result, key=lambda m: m.id)


@pytest.fixture
async def posted(
    demo: DemoServer, settings: Settings, pages: FeedServer
) -> AsyncIterator[tuple[RunningBot, Message]]:
    """The bot running with a group whose slot just passed: it posts one case study at start."""
    await seed_articles(settings, pages)
    await seed_group(settings, demo.guild.id, demo.channel.id)
    bot = await start_bot(demo, settings)
    try:
        yield bot, await first_post(demo)
    finally:
        await bot.shutdown()


async def test_a_scheduled_case_study_is_posted_with_its_thread_and_buttons(
    demo: DemoServer, settings: Settings, posted: tuple[RunningBot, Message]
) -> None:
    _, post = posted
    embed = post.embeds[0]
    assert embed["title"].startswith("Le CV vidéo séduit les recruteurs")
    names = [field["name"] for field in embed["fields"]]
    assert names[:2] == ["Thème", "Termes clés"] and "Questions pour le débat" in names
    assert "Mise en situation" in names and "Source" in names
    # The message shows before the bot records it as posted (after its thread): wait for the record.
    rows = await wait_until_posted(settings)
    assert [(row.status, row.message_id) for row in rows] == [("posted", post.id)]
    assert custom_ids(post) == [f"veille:take:{rows[0].id}", f"veille:useful:{rows[0].id}"]
    link = [c for row in post.components for c in row["components"] if c.get("url")]
    assert link and link[0]["url"].startswith("http://127.0.0.1")
    assert post.allowed_mentions == {"parse": []}

    thread = demo.world.thread_of(post.id)
    assert thread is not None and thread.name.startswith("Le CV vidéo séduit les recruteurs")
    assert len(thread.name) <= 100 and thread.auto_archive_duration == 10080
    questions, tally = await discussion(demo, post)
    assert questions.content.startswith("**Questions pour le débat**\n1. ")
    assert tally.content == "📊 Pas encore d'avis : soyez le premier ou la première !"
    assert custom_ids(tally) == [f"veille:take:{rows[0].id}"]
    assert [item.status for item in await outbox(settings)] == ["done"]


async def give_take(
    demo: DemoServer,
    opened: InteractionRecord,
    stance: str,
    text: str,
    *,
    user_index: int = 0,
    client_checks: bool = True,
) -> dict[str, Any]:
    form = await opened.response()
    assert form["type"] == MODAL, form
    submitted = await demo.discord.submit_modal(
        demo.students[user_index], opened, {"stance": stance, "text": text}, client_checks=client_checks
    )
    return await submitted.response()


async def test_a_take_through_the_button_and_the_running_count(
    demo: DemoServer, settings: Settings, posted: tuple[RunningBot, Message]
) -> None:
    _, post = posted
    case_id = (await case_studies(settings))[0].id
    _, tally = await discussion(demo, post)

    opened = await demo.discord.click(demo.students[0], post, f"veille:take:{case_id}")
    answer = await give_take(demo, opened, "agree", "Le CV vidéo montre la motivation mieux qu'une lettre.")

    assert answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"] == "Merci ! Votre avis est enregistré (D'accord)."
    await demo.discord.wait_for(
        lambda: tally.content == "📊 1 avis : 1 d'accord, 0 nuancé, 0 pas d'accord",
        what="the running count to show the take",
    )
    # The count is one message, edited in place: the thread did not grow.
    assert len(await discussion(demo, post)) == 2

    for index, stance in ((1, "nuanced"), (2, "disagree")):
        opened = await demo.discord.click(demo.students[index], tally, f"veille:take:{case_id}")
        await give_take(demo, opened, stance, "Cela dépend du poste et du recruteur.", user_index=index)
    await demo.discord.wait_for(
        lambda: tally.content == "📊 3 avis : 1 d'accord, 1 nuancé, 1 pas d'accord",
        what="the count of three takes",
    )


async def test_take_command_in_the_thread_edits_the_students_take(
    demo: DemoServer, settings: Settings, posted: tuple[RunningBot, Message]
) -> None:
    _, post = posted
    case_id = (await case_studies(settings))[0].id
    _, tally = await discussion(demo, post)
    thread = demo.world.thread_of(post.id)
    assert thread is not None
    opened = await demo.discord.click(demo.students[0], post, f"veille:take:{case_id}")
    await give_take(demo, opened, "agree", "Premier avis : plutôt pour.")

    again = await demo.discord.slash(demo.students[0], thread, "take")
    form = await again.response()
    # The form comes back filled with the student's take.
    assert form["data"]["title"] == "Modifier votre avis"
    assert "Premier avis : plutôt pour." in str(form["data"]["components"])
    submitted = await demo.discord.submit_modal(
        demo.students[0], again, {"stance": "disagree", "text": "Tout compte fait, contre."}
    )

    answer = await submitted.response()
    assert (
        answer["data"]["content"] == "Votre avis est modifié (Pas d'accord) : c'est cette version qui compte."
    )
    await demo.discord.wait_for(
        lambda: tally.content == "📊 1 avis : 0 d'accord, 0 nuancé, 1 pas d'accord",
        what="the count to follow the edit (one take per student)",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  ", "Votre avis est vide : écrivez quelques mots pour expliquer votre position."),
        ("x" * 1001, "Votre avis fait 1001 caractères : 1000 au plus. Raccourcissez-le un peu."),
    ],
)
async def test_an_empty_or_too_long_take_is_refused_and_nothing_is_stored(
    demo: DemoServer, settings: Settings, posted: tuple[RunningBot, Message], text: str, expected: str
) -> None:
    _, post = posted
    case_id = (await case_studies(settings))[0].id
    opened = await demo.discord.click(demo.students[0], post, f"veille:take:{case_id}")

    answer = await give_take(demo, opened, "agree", text, client_checks=False)

    assert answer["data"]["content"] == expected
    assert answer["data"]["flags"] & EPHEMERAL
    assert await rows(settings, Take) == []


async def test_take_outside_a_case_study_thread_is_explained(
    demo: DemoServer, posted: tuple[RunningBot, Message]
) -> None:
    interaction = await demo.discord.slash(demo.students[0], demo.channel, "take")

    answer = await interaction.response()

    assert answer["data"]["content"] == "Utilisez `/avis` dans le fil de discussion d'une étude de cas."


async def test_a_moderator_posts_a_given_article_after_a_preview(
    demo: DemoServer, settings: Settings, pages: FeedServer
) -> None:
    seeded = await seed_articles(settings, pages, count=1, prefix="m")
    await seed_group(settings, demo.guild.id, demo.channel.id, slot_minutes_ago=-120)  # next slot later
    bot = await start_bot(demo, settings)
    try:
        interaction = await demo.discord.slash(
            demo.moderator, demo.channel, "casestudy", url=seeded.urls[0], locale="en-US"
        )
        assert (await interaction.response())["type"] == DEFERRED_MESSAGE
        await demo.discord.wait_for(
            lambda: interaction.original is not None and interaction.original.embeds,
            timeout=BUILD_TIMEOUT,
            what="the preview",
        )
        preview = interaction.original
        assert preview is not None and preview.ephemeral
        assert preview.content == "Preview (only you can see it):"
        assert preview.embeds[0]["title"].startswith("Le CV vidéo séduit les recruteurs (m0)")
        assert posts_in(demo.world, demo.channel) == []  # nothing public before "Post"

        buttons = [c for row in preview.components for c in row["components"]]
        assert [b["label"] for b in buttons] == ["Post", "Cancel"]  # no "another one" for a given page
        post_button = buttons[0]["custom_id"]
        clicked = await demo.discord.click(demo.moderator, preview, post_button, locale="en-US")
        answer = await clicked.response()
        assert (
            answer["data"]["content"] == f"📣 On its way: the case study is posted in <#{demo.channel.id}>."
        )

        post = await first_post(demo)
        # An English-speaking moderator previews the French group's post as it is posted.
        assert post.embeds[0] == preview.embeds[0]
        assert post.embeds[0]["fields"][0]["name"] == "Thème"
        await discussion(demo, post)
        rows = await case_studies(settings)
        assert [(row.article_id, row.requested_by, row.slot) for row in rows] == [
            (seeded.article_ids[0], demo.moderator.id, None)
        ]
    finally:
        await bot.shutdown()


async def test_students_cannot_trigger_or_set_up(demo: DemoServer, settings: Settings) -> None:
    bot = await start_bot(demo, settings)
    try:
        # Discord does not even offer /casestudy to students (default permissions)…
        with pytest.raises(CommandNotAvailable):
            await demo.discord.slash(demo.students[0], demo.channel, "casestudy")
        # …and /veille setup, in a group students use, answers them politely.
        interaction = await demo.discord.slash(
            demo.students[0], demo.channel, "veille setup", channel=str(demo.channel.id)
        )
        answer = await interaction.response()
        assert answer["data"]["flags"] & EPHEMERAL
        assert answer["data"]["content"].startswith("Cette commande est réservée à la modération du serveur.")
    finally:
        await bot.shutdown()


async def test_a_crash_between_sent_and_recorded_then_a_restart_posts_exactly_once(
    demo: DemoServer, settings: Settings, pages: FeedServer
) -> None:
    await seed_articles(settings, pages)
    await seed_group(settings, demo.guild.id, demo.channel.id)
    # Discord creates the message, but its answer never reaches the bot before it dies.
    demo.discord.faults.inject("POST", rf"/channels/{demo.channel.id}/messages", 200, hold=30)
    bot = await start_bot(demo, settings)
    await demo.discord.wait_for(
        lambda: posts_in(demo.world, demo.channel), timeout=20, what="Discord to create the message"
    )
    await bot.crash()
    assert [item.status for item in await outbox(settings)] == ["sending"]
    assert [row.message_id for row in await case_studies(settings)] == [None]  # never recorded

    restarted = await start_bot(demo, settings)
    try:
        await wait_until_posted(settings)
        post = posts_in(demo.world, demo.channel)[0]
        await discussion(demo, post)
        assert len(posts_in(demo.world, demo.channel)) == 1
        assert len([c for c in demo.world.guilds[demo.guild.id].channels.values() if c.is_thread]) == 1
        rows = await case_studies(settings)
        assert [(row.status, row.message_id) for row in rows] == [("posted", post.id)]
        assert [item.status for item in await outbox(settings)] == ["done"]
    finally:
        await restarted.shutdown()


@pytest.mark.parametrize("status", [429, 500, 502])
async def test_rate_limits_and_server_errors_are_retried_into_one_post(
    demo: DemoServer, settings: Settings, pages: FeedServer, status: int
) -> None:
    await seed_articles(settings, pages)
    await seed_group(settings, demo.guild.id, demo.channel.id)
    fault = demo.discord.faults.inject(
        "POST", rf"/channels/{demo.channel.id}/messages", status, times=2, retry_after=0.2
    )
    bot = await start_bot(demo, settings)
    try:
        post = await first_post(demo, timeout=30)
        await discussion(demo, post)
        assert fault.hits == 2
        assert len(posts_in(demo.world, demo.channel)) == 1
    finally:
        await bot.shutdown()


async def test_a_missing_permission_pauses_the_group_and_tells_its_moderators_once(
    demo: DemoServer, settings: Settings, pages: FeedServer
) -> None:
    from sandbox.fakediscord.world import CREATE_PUBLIC_THREADS

    alerts = demo.world.add_channel(demo.guild, "modération")
    await seed_articles(settings, pages)
    await seed_group(settings, demo.guild.id, demo.channel.id, alerts_channel_id=alerts.id)
    demo.channel.denied |= CREATE_PUBLIC_THREADS
    bot = await start_bot(demo, settings)
    try:
        await demo.discord.wait_for(
            lambda: demo.world.channel_messages(alerts.id), timeout=20, what="the moderators' alert"
        )
        (alert,) = demo.world.channel_messages(alerts.id)
        assert alert.content == (
            "⏸️ La publication des études de cas est en pause : le bot n'a pas la permission "
            f"« Créer des fils publics » dans <#{demo.channel.id}>. Donnez-la-lui, puis lancez "
            "`/veille réglages` pour reprendre."
        )
        assert posts_in(demo.world, demo.channel) == []  # checked before posting: nothing half-made
        status = await demo.discord.slash(demo.moderator, demo.channel, "veille status")
        fields = {f["name"]: f["value"] for f in (await status.response())["data"]["embeds"][0]["fields"]}
        assert "create\\_public\\_threads" in fields["⏸️ Publication en pause"]
        assert [item.status for item in await outbox(settings) if item.kind == "casestudy"] == ["held"]
    finally:
        await bot.shutdown()


async def test_a_deleted_channel_pauses_posting_with_one_alert(
    demo: DemoServer, settings: Settings, pages: FeedServer
) -> None:
    alerts = demo.world.add_channel(demo.guild, "modération")
    await seed_articles(settings, pages)
    await seed_group(
        settings, demo.guild.id, demo.channel.id, alerts_channel_id=alerts.id, slot_minutes_ago=-120
    )
    bot = await start_bot(demo, settings)
    try:
        await demo.discord.delete_channel(demo.channel)
        # A moderator asks for a case study: it is queued, then Discord says the channel is gone.
        interaction = await demo.discord.slash(demo.moderator, alerts, "casestudy")
        await interaction.response()
        await demo.discord.wait_for(
            lambda: interaction.original is not None and interaction.original.components,
            timeout=BUILD_TIMEOUT,
        )
        assert interaction.original is not None
        post_button = interaction.original.components[0]["components"][0]["custom_id"]
        await (await demo.discord.click(demo.moderator, interaction.original, post_button)).response()
        await demo.discord.wait_for(
            lambda: [m for m in demo.world.channel_messages(alerts.id) if m.content.startswith("⏸️")],
            timeout=20,
            what="the alert",
        )
        paused = [m for m in demo.world.channel_messages(alerts.id) if m.content.startswith("⏸️")]
        assert len(paused) == 1 and "n'existe plus" in paused[0].content
    finally:
        await bot.shutdown()
