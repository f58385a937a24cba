"""What the posting tests need around the bot: article pages on a local web server, fresh articles
and a set-up group in the bot's real database, and ways to find what the bot posted."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.config.settings import Settings
from bot.db.engine import sessionmaker, write_transaction
from bot.db.models import Article, Feed, Guild, OutboxItem
from bot.db.models import CaseStudy as CaseStudyRow
from bot.posting.schedule import WEEKDAYS
from bot.services import open_database
from sandbox.demo import DemoServer
from sandbox.fakediscord import Channel, Message, Role
from sandbox.fakediscord import Guild as FakeGuild
from sandbox.fakediscord.world import World
from tests.casestudy.test_service import PARAGRAPHS
from tests.feedserver import FeedServer

TITLES = [
    "Le CV vidéo séduit les recruteurs",
    "Les candidatures vidéo se multiplient chez les jeunes diplômés",
    "CV vidéo : les conseils des recruteurs pour bien se présenter",
    "Le CV vidéo, nouvelle étape du recrutement des stagiaires",
]


# A case study built right after the bot starts waits for its worker to load the language models
# (a few seconds, more on a busy machine); the interaction is deferred meanwhile.
BUILD_TIMEOUT = 30.0


def article_page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='fr'><head><title>{title}</title></head><body>"
        f"<article><h1>{title}</h1>{body}</article></body></html>"
    )


@dataclass
class Seeded:
    article_ids: list[int] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)


async def seed_articles(
    settings: Settings, pages: FeedServer, count: int = 3, *, prefix: str = "a"
) -> Seeded:
    """`count` fresh French articles about video CVs, each with its page on `pages`."""
    seeded = Seeded()
    now = datetime.now(UTC)
    async with open_database(settings) as engine:
        sessions = sessionmaker(engine)
        async with write_transaction(sessions) as session:
            feed_url = pages.url(f"/{prefix}-feed.xml")
            feed = (await session.scalars(select(Feed).where(Feed.url == feed_url))).first()
            if feed is None:
                # "suggested": feeds.toml does not manage it; checked next in a year (never in a test).
                feed = Feed(
                    url=feed_url,
                    name="Le Blog de l'emploi",
                    language="fr",
                    origin="suggested",
                    next_check_at=now + timedelta(days=365),
                )
                session.add(feed)
                await session.flush()
            for index in range(count):
                title = f"{TITLES[index % len(TITLES)]} ({prefix}{index})"
                url = pages.serve(
                    f"/{prefix}{index}",
                    article_page(title, PARAGRAPHS),
                    content_type="text/html; charset=utf-8",
                )
                article = Article(
                    feed_id=feed.id,
                    guid=url,
                    url=url,
                    title=title,
                    summary=" ".join(PARAGRAPHS[:2]),
                    language="fr",
                    published_at=now - timedelta(hours=1 + index),
                    first_seen_at=now,
                    fingerprint=f"{prefix}-{index}",
                    theme_scores={"video-cv": 3.0, "recruiters-social-media": 1.0},
                )
                session.add(article)
                await session.flush()
                seeded.article_ids.append(article.id)
                seeded.urls.append(url)
    return seeded


async def seed_group(
    settings: Settings,
    guild_id: int,
    channel_id: int,
    *,
    slot_minutes_ago: int = 5,
    **columns: Any,
) -> None:
    """A group whose daily slot passed `slot_minutes_ago` minutes ago, set up a week ago (so the
    bot's catch-up at start fills it); with a negative value the slot is ahead and the group was
    set up just now (nothing to catch up)."""
    zone = ZoneInfo("Europe/Paris")
    slot = (datetime.now(UTC) - timedelta(minutes=slot_minutes_ago)).astimezone(zone)
    # The weekly digest falls tomorrow: on its own day the bot would catch it up too, beside the
    # case study these tests watch (a run on a Friday evening saw two posts).
    columns.setdefault("digest_day", WEEKDAYS[(slot + timedelta(days=1)).weekday()])
    async with open_database(settings) as engine:
        sessions = sessionmaker(engine)
        async with write_transaction(sessions) as session:
            session.add(
                Guild(
                    id=guild_id,
                    casestudy_channel_id=channel_id,
                    casestudy_days="mon,tue,wed,thu,fri,sat,sun",
                    casestudy_time=f"{slot.hour:02d}:{slot.minute:02d}",
                    timezone="Europe/Paris",
                    created_at=datetime.now(UTC) - timedelta(days=7 if slot_minutes_ago >= 0 else 0),
                    **columns,
                )
            )


async def rows(settings: Settings, model: Any) -> list[Any]:
    async with open_database(settings) as engine, sessionmaker(engine)() as session:
        return list((await session.scalars(select(model))).all())


async def case_studies(settings: Settings) -> list[CaseStudyRow]:
    return await rows(settings, CaseStudyRow)


async def outbox(settings: Settings) -> list[OutboxItem]:
    return await rows(settings, OutboxItem)


def custom_ids(message: Message) -> list[str]:
    found = []
    for row in message.components:
        for component in row.get("components", []):
            if component.get("custom_id"):
                found.append(component["custom_id"])
    return found


def posts_in(world: World, channel: Channel) -> list[Message]:
    """The case studies the bot posted in a text channel (messages with a take button)."""
    return [
        m
        for m in world.channel_messages(channel.id)
        if m.author.id == world.bot.id and any(c.startswith("veille:take:") for c in custom_ids(m))
    ]


async def first_post_in(demo: DemoServer, channel: Channel, timeout: float = 20) -> Message:
    """The first case study the bot posts in text channel `channel`, once it is there."""
    await demo.discord.wait_for(
        lambda: posts_in(demo.world, channel), timeout=timeout, what="the case study to be posted"
    )
    return posts_in(demo.world, channel)[0]


async def thread_messages(demo: DemoServer, thread_id: int, count: int, timeout: float = 15) -> list[Message]:
    """The first `count` messages of a thread (oldest first), once there are that many."""

    def ready() -> list[Message] | None:
        messages = demo.world.channel_messages(thread_id)
        return sorted(messages, key=lambda m: m.id) if len(messages) >= count else None

    await demo.discord.wait_for(ready, timeout=timeout, what=f"{count} messages in thread {thread_id}")
    result = ready()
    assert result is not None
    return result[:count]


async def discussion_of(demo: DemoServer, post: Message) -> list[Message]:
    """The questions and the running count in the thread of the case study `post`."""
    await demo.discord.wait_for(
        lambda: demo.world.thread_of(post.id) is not None, timeout=15, what="the discussion thread"
    )
    thread = demo.world.thread_of(post.id)
    assert thread is not None
    return await thread_messages(demo, thread.id, 2)


def bot_role(world: World, guild: FakeGuild) -> Role:
    """The bot's own (managed) role in `guild`."""
    return next(role for role in guild.roles.values() if role.bot_id == world.bot.id)


async def grant(demo: DemoServer, role: Role, permissions: int) -> None:
    """Give `role` more permissions, as an admin does in the server's settings: Discord tells the
    bot with GUILD_ROLE_UPDATE, which reaches it before any interaction sent afterwards."""
    role.permissions |= permissions
    await demo.discord.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(demo.guild.id), "role": role.payload()})


async def wait_until_posted(settings: Settings, count: int = 1, timeout: float = 20) -> list[CaseStudyRow]:
    """The case studies, once `count` of them are recorded as posted (the last step of a post,
    after its thread's messages: only then do its buttons and `/take` accept takes)."""

    async def posted() -> list[CaseStudyRow]:
        return [row for row in await case_studies(settings) if row.status == "posted"]

    async with asyncio.timeout(timeout):
        # The database is not an event the fake Discord sees: poll it.
        while len(await posted()) < count:  # noqa: ASYNC110 (a database row, not an event we can await)
            await asyncio.sleep(0.05)
    return await posted()
