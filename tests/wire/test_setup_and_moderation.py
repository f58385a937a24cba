"""Setting a group up and moderating it, through the real discord.py client and the fake Discord:
`/veille setup` and its refusals, theme autocompletion, forum posts, `/moderation` in a case
study's thread, the "veille" role and its pings, and the "useful" button."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config.settings import Settings
from bot.db.models import Guild as GuildRow
from sandbox.demo import DemoServer
from sandbox.fakediscord import Channel, CommandNotAvailable, InteractionRecord, Message
from sandbox.fakediscord.world import FORUM_CHANNEL, MANAGE_ROLES, MANAGE_THREADS, SEND_MESSAGES
from tests.feedserver import FeedServer
from tests.wire.conftest import RunningBot, start_bot
from tests.wire.posting import (
    bot_role,
    case_studies,
    custom_ids,
    discussion_of,
    first_post_in,
    grant,
    rows,
    seed_articles,
    seed_group,
    thread_messages,
    wait_until_posted,
)

EPHEMERAL = 1 << 6
CHANNEL_MESSAGE, AUTOCOMPLETE_RESULT, MODAL = 4, 8, 9
TIMESTAMP = re.compile(r"^<t:(\d+):F> \(<t:\1:R>\)$")
NO_TAKES = "📊 Pas encore d'avis : soyez le premier ou la première !"
ONE_TAKE = "📊 1 avis : 1 d'accord, 0 nuancé, 0 pas d'accord"
NOT_IN_THREAD = "Lancez cette commande dans le fil de discussion d'une étude de cas publiée."
VIDEO_CV_FR = "Le CV vidéo"  # the French label of the theme `video-cv` in feeds.toml


@pytest.fixture
async def bot(demo: DemoServer, settings: Settings) -> AsyncIterator[RunningBot]:
    running = await start_bot(demo, settings)
    try:
        yield running
    finally:
        await running.shutdown()


# ── helpers ─────────────────────────────────────────────────────────────────────────────────────


async def answer_of(interaction: InteractionRecord) -> dict[str, Any]:
    """The data of the bot's private message answering `interaction`."""
    response = await interaction.response()
    assert response["type"] == CHANNEL_MESSAGE, response
    assert response["data"]["flags"] & EPHEMERAL, "answers to one user are private"
    data: dict[str, Any] = response["data"]
    return data


def fields_of(answer: dict[str, Any]) -> dict[str, str]:
    (embed,) = answer["embeds"]
    return {field["name"]: field["value"] for field in embed["fields"]}


def moment_of(value: str) -> datetime:
    """The moment a `<t:…:F> (<t:…:R>)` field shows."""
    match = TIMESTAMP.match(value)
    assert match is not None, f"not a Discord timestamp: {value!r}"
    return datetime.fromtimestamp(int(match[1]), UTC)


def next_local(at: time, zone: str, after: datetime, days: set[int] | None = None) -> datetime:
    """The first moment after `after` when it is `at` in `zone` on one of `days` (None: every day)."""
    tz = ZoneInfo(zone)
    day = after.astimezone(tz).date()
    while True:
        moment = datetime.combine(day, at, tzinfo=tz)
        if moment > after and (days is None or day.weekday() in days):
            return moment.astimezone(UTC)
        day += timedelta(days=1)


async def setup(demo: DemoServer, *, locale: str = "fr", **options: Any) -> dict[str, Any]:
    """`/veille setup` by the moderator, typed in #veille; the answer's data."""
    interaction = await demo.discord.slash(
        demo.moderator, demo.channel, "veille setup", locale=locale, **options
    )
    return await answer_of(interaction)


async def status(demo: DemoServer, *, locale: str = "fr") -> dict[str, str]:
    """The fields of `/veille status`, as the moderator sees them."""
    interaction = await demo.discord.slash(demo.moderator, demo.channel, "veille status", locale=locale)
    return fields_of(await answer_of(interaction))


async def guild_row(settings: Settings) -> tuple[Any, ...] | None:
    """What the bot stored about the group (None: nothing)."""
    found: list[GuildRow] = await rows(settings, GuildRow)
    if not found:
        return None
    row = found[0]
    return (
        row.casestudy_channel_id,
        row.casestudy_days,
        row.casestudy_time,
        row.timezone,
        row.locale,
        row.themes,
        row.notify_enabled,
        row.notify_role_id,
    )


LOCKED = "#annonces"  # stands for the id of a channel where the bot may not send messages
GOOD_SETUP = {"days": "lundi, jeudi", "time": "9h15", "timezone": "America/Montreal", "language": "en"}


# ── /veille setup ───────────────────────────────────────────────────────────────────────────────


async def test_setup_answers_with_the_settings_and_status_shows_them(
    demo: DemoServer, settings: Settings, bot: RunningBot
) -> None:
    before = datetime.now(UTC)
    answer = await setup(demo, channel=str(demo.channel.id), **GOOD_SETUP)

    assert answer["embeds"][0]["title"] == "Veille — réglages du groupe"
    fields = fields_of(answer)
    assert fields["Salon"] == f"<#{demo.channel.id}>"
    assert fields["Publication"] == "lundi, jeudi à 09:15 (America/Montreal)"
    assert fields["Langue"] == "Anglais"
    assert fields["Thèmes suivis"] == "Tous les thèmes"
    assert fields["Avis anonymes dans le digest"] == "Oui"
    assert fields["Rôle mentionné"] == "Non"
    # Monday or Thursday, 9:15 in Montreal: whatever the day the test runs, the first one ahead.
    expected = next_local(time(9, 15), "America/Montreal", before, days={0, 3})
    assert moment_of(fields["Prochaine publication"]) == expected
    assert answer["allowed_mentions"] == {"parse": []}
    assert demo.world.channel_messages(demo.channel.id) == []  # private: nothing in the channel

    shown = await status(demo)
    for name in ("Salon", "Publication", "Langue", "Thèmes suivis", "Prochaine publication"):
        assert shown[name] == fields[name], name
    # The status's own "next case study" agrees with the schedule shown.
    assert moment_of(shown["Prochaine étude de cas"]) == expected

    english = await status(demo, locale="en-US")
    assert english["Posting"] == "Monday, Thursday at 09:15 (America/Montreal)"
    assert english["Language"] == "English"


BAD_INPUTS = [
    pytest.param(
        {"time": "25:00"},
        "fr",
        "« 25:00 » n'est pas une heure valide. Écrivez une heure entre 00:00 et 23:59, par ex. « 12:30 ».",
        True,
        id="time",
    ),
    pytest.param(
        {"time": "Tuesday 25:00"},
        "en-US",
        "“Tuesday 25:00” is not a valid time. Write a time between 00:00 and 23:59, e.g. “12:30”.",
        False,
        id="day-and-time",
    ),
    pytest.param(
        {"days": "funday"},
        "fr",
        "« funday » n'est pas un jour de la semaine. "
        "Écrivez par ex. « lundi, mercredi, vendredi » ou « mon, wed, fri ».",
        True,
        id="days",
    ),
    pytest.param(
        {"timezone": "Mars/Olympus"},
        "en-GB",
        "“Mars/Olympus” is not a known time zone. Pick one from the list, e.g. “Europe/Paris”.",
        False,
        id="timezone",
    ),
    pytest.param(
        {"themes": "video-cv, crypto"},
        "fr",
        "« crypto » n'est pas un thème connu. Thèmes possibles : remote-recruiting, twitter-x-pro, "
        "multilingual-profiles, pro-networks, social-necessity, digital-addiction, recruiters-social-media, "
        "network-after-graduation, video-cv, e-reputation, job-search-basics, ai-recruiting.",
        True,
        id="themes",
    ),
    pytest.param(
        {"channel": LOCKED},
        "fr",
        # Without Send Messages, Discord denies Embed Links too: discord.py computes the same.
        "Le bot ne peut pas publier dans <#{locked}> : il lui manque Envoyer des messages, "
        "Intégrer des liens. Donnez-lui ces permissions sur ce salon, puis relancez `/veille réglages`.",
        False,
        id="channel",
    ),
]


# Half of them on a group set up before, half on a new one (`set_up_before`).
@pytest.mark.parametrize(("options", "locale", "expected", "set_up_before"), BAD_INPUTS)
async def test_a_wrong_value_is_explained_and_changes_nothing(
    demo: DemoServer,
    settings: Settings,
    options: dict[str, str],
    locale: str,
    expected: str,
    set_up_before: bool,
) -> None:
    locked = demo.world.add_channel(demo.guild, "annonces")
    locked.denied |= SEND_MESSAGES  # an announcements channel: nobody posts there, the bot neither
    bot = await start_bot(demo, settings)
    try:
        if set_up_before:
            await setup(demo, channel=str(demo.channel.id), **GOOD_SETUP)
        stored = await guild_row(settings)
        shown = await status(demo, locale=locale)

        options = {name: str(locked.id) if value == LOCKED else value for name, value in options.items()}
        options.setdefault("channel", str(demo.channel.id))
        answer = await setup(demo, locale=locale, **options)

        assert answer["content"] == expected.format(locked=locked.id)
        assert not answer.get("embeds")
        assert await guild_row(settings) == stored
        assert await status(demo, locale=locale) == shown
        english = locale.startswith("en")
        channel = shown["Channel" if english else "Salon"]
        if set_up_before:
            assert channel == f"<#{demo.channel.id}>"
            assert "09:15 (America/Montreal)" in shown["Posting" if english else "Publication"]
        else:
            assert channel.startswith("Not set up yet" if english else "Pas encore réglé")
    finally:
        await bot.shutdown()


async def test_setup_is_refused_to_a_student_without_changing_anything(
    demo: DemoServer, settings: Settings, bot: RunningBot
) -> None:
    interaction = await demo.discord.slash(
        demo.students[0], demo.channel, "veille setup", channel=str(demo.channel.id), days="lundi"
    )

    answer = await answer_of(interaction)

    assert answer["content"].startswith("Cette commande est réservée à la modération du serveur.")
    assert await guild_row(settings) is None


# ── theme autocompletion ────────────────────────────────────────────────────────────────────────


async def choices(
    demo: DemoServer, command: str, focused: str, typed: str, locale: str = "fr"
) -> list[dict[str, Any]]:
    interaction = await demo.discord.autocomplete(
        demo.moderator, demo.channel, command, focused=focused, locale=locale, **{focused: typed}
    )
    response = await interaction.response()
    assert response["type"] == AUTOCOMPLETE_RESULT, response
    found: list[dict[str, Any]] = response["data"]["choices"]
    return found


async def test_theme_autocompletion_of_setup_and_casestudy(demo: DemoServer, bot: RunningBot) -> None:
    assert await choices(demo, "veille setup", "themes", "vid") == [
        {"name": VIDEO_CV_FR, "value": "video-cv"}
    ]
    # The themes typed before the last comma are kept; the last one is completed.
    assert await choices(demo, "veille setup", "themes", "e-reputation, vidé") == [
        {"name": f"e-reputation, {VIDEO_CV_FR}", "value": "e-reputation, video-cv"}
    ]
    assert await choices(demo, "veille setup", "themes", "video", locale="en-US") == [
        {"name": "The video CV", "value": "video-cv"}
    ]
    assert [c["value"] for c in await choices(demo, "veille setup", "themes", "")] == [
        "remote-recruiting",
        "twitter-x-pro",
        "multilingual-profiles",
        "pro-networks",
        "social-necessity",
        "digital-addiction",
        "recruiters-social-media",
        "network-after-graduation",
        "video-cv",
        "e-reputation",
        "job-search-basics",
        "ai-recruiting",
    ]

    assert await choices(demo, "casestudy", "theme", "recrut") == [
        {"name": "Recrutement à distance", "value": "remote-recruiting"},
        {"name": "Comment les recruteurs utilisent les réseaux sociaux", "value": "recruiters-social-media"},
        {
            "name": "Les bases de la recherche d'emploi et du recrutement",
            "value": "job-search-basics",
        },
        {"name": "L'IA dans le recrutement et la recherche d'emploi", "value": "ai-recruiting"},
    ]
    assert await choices(demo, "casestudy", "theme", "crypto") == []


# ── forum channels ──────────────────────────────────────────────────────────────────────────────


async def test_a_forum_gets_a_tagged_post_with_its_discussion(
    demo: DemoServer, settings: Settings, pages: FeedServer
) -> None:
    forum = demo.world.add_channel(
        demo.guild, "veille-forum", type=FORUM_CHANNEL, tags=["Actualité", VIDEO_CV_FR]
    )
    await seed_articles(settings, pages)
    await seed_group(settings, demo.guild.id, forum.id)
    bot = await start_bot(demo, settings)
    try:
        await demo.discord.wait_for(
            lambda: [c for c in demo.guild.channels.values() if c.parent_id == forum.id],
            timeout=20,
            what="the forum post",
        )
        (thread,) = [c for c in demo.guild.channels.values() if c.parent_id == forum.id]
        assert thread.name.startswith("Le CV vidéo séduit les recruteurs")
        assert thread.applied_tags == [int(forum.tag(VIDEO_CV_FR)["id"])]
        assert thread.auto_archive_duration == 10080

        starter, questions, tally = await thread_messages(demo, thread.id, 3)
        (row,) = await wait_until_posted(settings)
        assert starter.id == thread.id  # a forum post's starter message shares its thread's id
        embed = starter.embeds[0]
        assert embed["title"].startswith("Le CV vidéo séduit les recruteurs")
        assert {"name": "Thème", "value": VIDEO_CV_FR, "inline": True} in embed["fields"]
        assert custom_ids(starter) == [f"veille:take:{row.id}", f"veille:useful:{row.id}"]
        assert starter.allowed_mentions == {"parse": []}
        assert questions.content.startswith("**Questions pour le débat**\n1. ")
        assert tally.content == NO_TAKES
        assert custom_ids(tally) == [f"veille:take:{row.id}"]
        assert demo.world.channel_messages(forum.id) == []  # everything is in the post
        assert (row.channel_id, row.message_id, row.thread_id) == (
            forum.id,
            thread.id,
            thread.id,
        )
    finally:
        await bot.shutdown()


# ── /moderation in a case study's thread ────────────────────────────────────────────────────────


@pytest.fixture
async def posted(demo: DemoServer, settings: Settings, pages: FeedServer) -> AsyncIterator[Message]:
    """The bot running with a group whose slot just passed: it posts one case study at start."""
    await seed_articles(settings, pages)
    await seed_group(settings, demo.guild.id, demo.channel.id)
    bot = await start_bot(demo, settings)
    try:
        post = await first_post_in(demo, demo.channel)
        await discussion_of(demo, post)
        await wait_until_posted(settings)
        yield post
    finally:
        await bot.shutdown()


async def give_take(demo: DemoServer, post: Message, case_id: int, student: int = 0) -> None:
    opened = await demo.discord.click(demo.students[student], post, f"veille:take:{case_id}")
    assert (await opened.response())["type"] == MODAL
    submitted = await demo.discord.submit_modal(
        demo.students[student], opened, {"stance": "agree", "text": "Le CV vidéo montre la motivation."}
    )
    assert (await answer_of(submitted))["content"].startswith("Merci ! Votre avis est enregistré")


async def moderate(
    demo: DemoServer, channel: Channel, command: str, locale: str = "fr", **options: Any
) -> str:
    interaction = await demo.discord.slash(demo.moderator, channel, command, locale=locale, **options)
    content: str = (await answer_of(interaction))["content"]
    return content


async def test_hiding_a_take_takes_it_out_of_the_count_and_showing_puts_it_back(
    demo: DemoServer, settings: Settings, posted: Message
) -> None:
    (row,) = await case_studies(settings)
    thread = demo.world.thread_of(posted.id)
    assert thread is not None
    _, tally = await discussion_of(demo, posted)
    student = demo.students[0]
    await give_take(demo, posted, row.id)
    await demo.discord.wait_for(lambda: tally.content == ONE_TAKE, what="the count of one take")

    hidden = await moderate(demo, thread, "moderation hide-take", user=str(student.id))

    assert hidden == (
        f"L'avis de <@{student.id}> est masqué : il ne compte plus et n'apparaîtra pas dans le digest."
    )
    await demo.discord.wait_for(lambda: tally.content == NO_TAKES, what="the count without the hidden take")

    shown = await moderate(demo, thread, "moderation show-take", user=str(student.id))

    assert shown == f"L'avis de <@{student.id}> est de nouveau visible."
    await demo.discord.wait_for(lambda: tally.content == ONE_TAKE, what="the count with the take again")

    # Outside the thread, the moderator is told where the command works.
    elsewhere = await moderate(demo, demo.channel, "moderation hide-take", user=str(student.id))
    assert elsewhere == NOT_IN_THREAD
    assert tally.content == ONE_TAKE
    # A student who gave no take: said so, nothing changes.
    nobody = await moderate(demo, thread, "moderation hide-take", user=str(demo.students[1].id))
    assert nobody == "Cette personne n'a pas donné d'avis sur cette étude de cas."
    # Students are not even offered /moderation.
    with pytest.raises(CommandNotAvailable):
        await demo.discord.slash(student, thread, "moderation hide-take", user=str(student.id))


async def test_delete_removes_the_post_and_its_thread(
    demo: DemoServer, settings: Settings, pages: FeedServer
) -> None:
    await grant(demo, bot_role(demo.world, demo.guild), MANAGE_THREADS)  # before start: in GUILD_CREATE
    await seed_articles(settings, pages)
    await seed_group(settings, demo.guild.id, demo.channel.id)
    bot = await start_bot(demo, settings)
    try:
        post = await first_post_in(demo, demo.channel)
        await discussion_of(demo, post)
        await wait_until_posted(settings)
        thread = demo.world.thread_of(post.id)
        assert thread is not None

        answer = await moderate(demo, thread, "moderation delete")

        assert answer == "🗑️ L'étude de cas est supprimée ; ses avis ne comptent plus."
        await demo.discord.wait_for(
            lambda: demo.world.channel(thread.id) is None and post.id not in demo.world.messages,
            what="the thread and the post to be deleted",
        )
        assert demo.world.channel_messages(demo.channel.id) == []
        assert [row.status for row in await case_studies(settings)] == ["deleted"]
    finally:
        await bot.shutdown()


async def test_without_manage_threads_delete_archives_the_thread_and_takes_are_refused(
    demo: DemoServer, settings: Settings, posted: Message
) -> None:
    (row,) = await case_studies(settings)
    thread = demo.world.thread_of(posted.id)
    assert thread is not None
    _, tally = await discussion_of(demo, posted)

    answer = await moderate(demo, thread, "moderation delete")

    assert answer == "🗑️ L'étude de cas est supprimée ; ses avis ne comptent plus."
    await demo.discord.wait_for(
        lambda: thread.archived and posted.id not in demo.world.messages,
        what="the thread archived and the post deleted",
    )
    assert [r.status for r in await case_studies(settings)] == ["deleted"]
    gone = "Cette étude de cas a été supprimée ou n'est plus ouverte aux avis."
    # The count's button is still in the archived thread: it opens no form any more…
    clicked = await demo.discord.click(demo.students[0], tally, f"veille:take:{row.id}")
    assert (await answer_of(clicked))["content"] == gone
    # …and neither does /take in the thread.
    typed = await demo.discord.slash(demo.students[0], thread, "take")
    assert (await answer_of(typed))["content"] == gone
    # /moderation there now says there is nothing to moderate.
    again = await moderate(demo, thread, "moderation delete")
    assert again == NOT_IN_THREAD


async def test_skip_names_the_skipped_post_and_status_moves_on(
    demo: DemoServer, settings: Settings, bot: RunningBot
) -> None:
    # A daily post two hours from now, in Paris.
    now = datetime.now(UTC)
    at = (
        (now + timedelta(hours=2))
        .astimezone(ZoneInfo("Europe/Paris"))
        .time()
        .replace(second=0, microsecond=0)
    )
    every_day = "lundi, mardi, mercredi, jeudi, vendredi, samedi, dimanche"
    await setup(
        demo, channel=str(demo.channel.id), days=every_day, time=f"{at:%H:%M}", timezone="Europe/Paris"
    )
    skipped = next_local(at, "Europe/Paris", now)
    following = next_local(at, "Europe/Paris", skipped)
    assert moment_of((await status(demo))["Prochaine étude de cas"]) == skipped

    answer = await moderate(demo, demo.channel, "moderation skip")

    assert answer == f"La publication du <t:{int(skipped.timestamp())}:F> est sautée."
    shown = await status(demo)
    assert moment_of(shown["Prochaine publication"]) == following
    assert moment_of(shown["Prochaine étude de cas"]) == following
    with pytest.raises(CommandNotAvailable):
        await demo.discord.slash(demo.students[0], demo.channel, "moderation skip")


# ── the "veille" role ───────────────────────────────────────────────────────────────────────────


async def notify(demo: DemoServer, state: str) -> str:
    interaction = await demo.discord.slash(demo.students[0], demo.channel, "veille notify", state=state)
    content: str = (await answer_of(interaction))["content"]
    return content


async def test_notifications_need_manage_roles_then_students_join_and_leave_the_role(
    demo: DemoServer, settings: Settings, bot: RunningBot
) -> None:
    refused = await setup(demo, channel=str(demo.channel.id), notify=True)

    assert refused["content"] == (
        "Pour mentionner un rôle « veille », le bot doit pouvoir gérer les rôles : donnez-lui la "
        "permission « Gérer les rôles », puis relancez la commande."
    )
    assert await guild_row(settings) is None  # not even the channel: nothing is saved
    assert [r.name for r in demo.guild.roles.values()] == ["@everyone", "veille-bot", "Modération"]
    assert await notify(demo, "on") == (
        "Les mentions ne sont pas activées sur ce serveur (un·e modérateur·rice peut les activer "
        "avec `/veille réglages mentions:True`)."
    )

    await grant(demo, bot_role(demo.world, demo.guild), MANAGE_ROLES)
    answer = await setup(demo, channel=str(demo.channel.id), notify=True)

    (role,) = [r for r in demo.guild.roles.values() if r.name == "veille"]
    assert role.mentionable and role.permissions == 0
    assert fields_of(answer)["Rôle mentionné"] == f"<@&{role.id}>"
    assert await guild_row(settings) == (
        demo.channel.id,
        "mon,wed,fri",
        "12:30",
        "Europe/Paris",
        "fr",
        [],
        True,
        role.id,
    )
    member = demo.guild.members[demo.students[0].id]

    assert (
        await notify(demo, "on") == "🔔 C'est noté : vous serez mentionné(e) à chaque nouvelle étude de cas."
    )
    assert member.roles == [role.id]
    assert await notify(demo, "off") == "🔕 C'est noté : vous ne serez plus mentionné(e)."
    assert member.roles == []

    # Setting up again keeps the same role.
    await setup(demo, notify=True)
    assert [r.name for r in demo.guild.roles.values()].count("veille") == 1


async def test_a_case_study_pings_exactly_the_veille_role(
    demo: DemoServer, settings: Settings, pages: FeedServer
) -> None:
    role = demo.world.add_role(demo.guild, "veille", 0, mentionable=True)
    bot_role(demo.world, demo.guild).position = role.position + 1  # the bot's role stays on top
    other = demo.world.add_role(demo.guild, "Délégués", 0, mentionable=True)
    await seed_articles(settings, pages)
    await seed_group(settings, demo.guild.id, demo.channel.id, notify_enabled=True, notify_role_id=role.id)
    bot = await start_bot(demo, settings)
    try:
        post = await first_post_in(demo, demo.channel)

        assert post.content == f"<@&{role.id}>"
        assert post.allowed_mentions is not None
        assert post.allowed_mentions["parse"] == []
        assert [int(r) for r in post.allowed_mentions["roles"]] == [role.id]
        assert post.mention_roles == [role.id] and other.id not in post.mention_roles
        assert post.mentions == [] and not post.mention_everyone
        # The thread's messages ping nobody.
        for message in await discussion_of(demo, post):
            assert message.mention_roles == [] and message.allowed_mentions == {"parse": []}
    finally:
        await bot.shutdown()


# ── the "useful" button ─────────────────────────────────────────────────────────────────────────


async def test_useful_counts_one_vote_per_student(
    demo: DemoServer, settings: Settings, posted: Message
) -> None:
    (row,) = await case_studies(settings)
    button = f"veille:useful:{row.id}"

    first = await demo.discord.click(demo.students[0], posted, button)
    assert (await answer_of(first))["content"] == "Merci ! 1 personne trouve cette étude de cas utile."
    again = await demo.discord.click(demo.students[0], posted, button)
    assert (await answer_of(again))["content"] == "Vous l'aviez déjà trouvée utile (1 vote)."
    other = await demo.discord.click(demo.students[1], posted, button, locale="en-US")
    assert (await answer_of(other))["content"] == "Thank you! 2 people find this case study useful."
