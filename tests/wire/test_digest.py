"""The weekly digest through the real bot and the wire-level fake Discord: posted once at its slot
with its chart, not again after a restart, late but once after downtime; `/digest` for moderators.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.config.settings import Settings
from bot.db.engine import sessionmaker, write_transaction
from bot.db.models import Article, Feed, Guild, Take
from bot.db.models import CaseStudy as CaseStudyRow
from bot.digest.reader import covered_week
from bot.digest.week import IsoWeek
from bot.posting.schedule import WEEKDAYS
from bot.services import open_database
from sandbox.demo import DemoServer
from sandbox.fakediscord import CommandNotAvailable, Message
from tests.posting.test_outbox import CASE
from tests.wire.conftest import start_bot
from tests.wire.posting import seed_group

PARIS = ZoneInfo("Europe/Paris")
DEFERRED_MESSAGE = 5
PNG = b"\x89PNG\r\n\x1a\n"


async def seed_week(settings: Settings, guild_id: int, channel_id: int, week: IsoWeek) -> None:
    """Two case studies posted in `week`, with takes on three stances (one hidden)."""
    posted = week.start("Europe/Paris") + timedelta(days=1, hours=10)
    async with open_database(settings) as engine:
        sessions = sessionmaker(engine)
        async with write_transaction(sessions) as session:
            feed = Feed(url="https://example.org/feed.xml", name="Le Blog de l'emploi", language="fr")
            session.add(feed)
            await session.flush()
            for number, theme in ((1, "video-cv"), (2, "remote-recruiting")):
                article = Article(
                    feed_id=feed.id,
                    url=f"https://example.org/{number}",
                    title=f"Étude {number}",
                    published_at=posted,
                    fingerprint=f"f{number}",
                )
                session.add(article)
                await session.flush()
                case = replace(CASE, title=f"Étude **{number}**", theme=theme)
                row = CaseStudyRow(
                    guild_id=guild_id,
                    article_id=article.id,
                    theme=theme,
                    language="fr",
                    status="posted",
                    content=case.to_dict(),
                    channel_id=channel_id,
                    message_id=1000 + number,
                    thread_id=2000 + number,
                    posted_at=posted + timedelta(days=number),
                )
                session.add(row)
                await session.flush()
                for user, stance in ((11, "agree"), (12, "disagree"), (13, "nuanced"), (14, "agree")):
                    text = f"Avis de {user} @everyone **gras** sur l'étude {number}."
                    session.add(Take(case_study_id=row.id, user_id=user, stance=stance, text=text))
                session.add(Take(case_study_id=row.id, user_id=15, stance="agree", text="caché", hidden=True))


def digest_messages(demo: DemoServer) -> list[Message]:
    """The digest's messages in the case-study channel (found by their footer)."""
    return [
        message
        for message in demo.world.channel_messages(demo.channel.id)
        if message.author.id == demo.world.bot.id
        and message.embeds
        and str(message.embeds[-1].get("footer", {}).get("text", "")).startswith("veille-bot · ")
    ]


def complete(demo: DemoServer) -> bool:
    """Every part of the digest is there (the last part's footer says "n/n")."""
    messages = digest_messages(demo)
    return bool(messages) and messages[-1].embeds[-1]["footer"]["text"].endswith(
        f"{len(messages)}/{len(messages)}"
    )


def assert_one_digest_with_its_chart(demo: DemoServer, week: IsoWeek, *, late: bool) -> None:
    messages = digest_messages(demo)
    parts = {message.embeds[-1]["footer"]["text"] for message in messages}
    assert len(parts) == len(messages), "a part was posted twice"
    assert messages[-1].embeds[-1]["footer"]["text"].endswith(f"{len(messages)}/{len(messages)}")
    embeds = [embed for message in messages for embed in message.embeds]
    assert embeds[0]["title"].startswith(f"📰 Briefing de la semaine {week.week} ")
    overview = embeds[0]["description"]
    assert "Cette semaine : **8 avis** de **4 étudiant·es** sur **2 études de cas**." in overview
    assert ("en retard" in overview) is late
    text = "\n".join(embed.get("description", "") for embed in embeds)
    assert "caché" not in text  # a hidden take never reaches the digest
    assert "@everyone" not in text.replace("@\u200beveryone", "")
    charts = [name for message in messages for name in message.files]
    assert charts == [f"veille-{week}.png"]
    (with_chart,) = [message for message in messages if message.files]
    assert with_chart.files[charts[0]].startswith(PNG)
    assert any(e.get("image", {}).get("url") == f"attachment://{charts[0]}" for e in with_chart.embeds)
    assert all(message.allowed_mentions == {"parse": []} for message in messages)


async def test_the_digest_is_posted_once_at_its_slot_with_its_chart_and_not_again_after_a_restart(
    demo: DemoServer, settings: Settings
) -> None:
    # Set up just now (nothing to catch up at start); its digest is due on Friday at 17:00.
    await seed_group(settings, demo.guild.id, demo.channel.id, slot_minutes_ago=-120)
    bot = await start_bot(demo, settings)
    try:
        slot = bot.core.digests.next_digest(await bot.core.posting.config(demo.guild.id))
        assert slot is not None
        week = covered_week(slot, "Europe/Paris")
        await seed_week(settings, demo.guild.id, demo.channel.id, week)
        assert digest_messages(demo) == []

        await bot.core.fast_forward_digest(demo.guild.id)  # the schedule reaches the slot
        await demo.discord.wait_for(lambda: digest_messages(demo), timeout=20, what="the digest")
        await demo.discord.wait_for(
            lambda: (
                len(digest_messages(demo)) == int(digest_messages(demo)[-1].embeds[-1]["footer"]["text"][-1])
            ),
            timeout=10,
            what="every part of the digest",
        )
        assert_one_digest_with_its_chart(demo, week, late=False)
    finally:
        await bot.shutdown()
    posted = len(digest_messages(demo))

    bot = await start_bot(demo, settings)  # restarted after the slot
    try:
        assert await bot.core.fast_forward_digest(demo.guild.id) is None
        await bot.core.posting.courier.deliver_due()
        assert len(digest_messages(demo)) == posted
    finally:
        await bot.shutdown()


async def test_a_bot_down_at_the_slot_posts_the_digest_once_on_return_and_says_so(
    demo: DemoServer, settings: Settings
) -> None:
    slot = (datetime.now(UTC) - timedelta(hours=3)).astimezone(PARIS)
    week = covered_week(slot, "Europe/Paris")
    await seed_group(
        settings,
        demo.guild.id,
        demo.channel.id,
        slot_minutes_ago=-120,
        digest_day=WEEKDAYS[slot.weekday()],
        digest_time=f"{slot.hour:02d}:{slot.minute:02d}",
    )
    # Set up just before the digest slot it missed (and after yesterday's case-study slot).
    async with open_database(settings) as engine, write_transaction(sessionmaker(engine)) as session:
        await session.execute(update(Guild).values(created_at=slot - timedelta(minutes=1)))
    await seed_week(settings, demo.guild.id, demo.channel.id, week)

    for _ in range(2):  # back up, then restarted once more
        bot = await start_bot(demo, settings)
        try:
            await demo.discord.wait_for(lambda: complete(demo), timeout=20, what="the late digest")
            await bot.core.posting.courier.deliver_due()
        finally:
            await bot.shutdown()
    assert_one_digest_with_its_chart(demo, week, late=True)


async def test_moderators_preview_post_now_and_reshow_a_week(demo: DemoServer, settings: Settings) -> None:
    await seed_group(settings, demo.guild.id, demo.channel.id, slot_minutes_ago=-120)
    bot = await start_bot(demo, settings)
    try:
        week = covered_week(bot.core.clock(), "Europe/Paris")
        await seed_week(settings, demo.guild.id, demo.channel.id, week)

        preview = await demo.discord.slash(demo.moderator, demo.channel, "digest preview", locale="en-US")
        assert (await preview.response())["type"] == DEFERRED_MESSAGE
        await demo.discord.wait_for(lambda: preview.followups, timeout=20, what="the preview")
        assert all(message.ephemeral for message in preview.followups)
        assert digest_messages(demo) == []  # a preview posts nothing
        overview = preview.followups[0].embeds[0]["description"]
        assert "Aperçu : la semaine n'est pas finie" in overview  # in the group's language

        with pytest.raises(CommandNotAvailable):  # Discord hides it: Manage Server by default
            await demo.discord.slash(demo.students[0], demo.channel, "digest now")

        now = await demo.discord.slash(demo.moderator, demo.channel, "digest now", locale="en-US")
        answer = (await now.response())["data"]["content"]
        assert answer.startswith(f"📰 The digest of {week} is being posted in <#{demo.channel.id}>.")
        await demo.discord.wait_for(lambda: digest_messages(demo), timeout=20, what="the digest")
        again = await demo.discord.slash(demo.moderator, demo.channel, "digest now", locale="en-US")
        assert (await again.response())["data"]["content"].startswith(
            f"The digest of {week} was already posted"
        )

        for value, expected in (
            ("semaine 48", "“semaine 48” is not a week. Write it as year-W-number, e.g. “2026-W48”."),
            ("2026-W60", "The week “2026-W60” does not exist (a year has 52 or 53 weeks)."),
        ):
            wrong = await demo.discord.slash(
                demo.moderator, demo.channel, "digest week", week=value, locale="en-US"
            )
            assert (await wrong.response())["data"]["content"] == expected
    finally:
        await bot.shutdown()
