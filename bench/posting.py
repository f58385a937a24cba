"""Posting at scale, against the wire-level fake Discord with the real bot (discord.py, SQLite).

Three numbers of issue 6, each with a baseline measured in the same run:

1. Interactions acknowledged: a button (p99 < 100 ms), the take form's submit (p99 < 100 ms),
   `/casestudy` deferred (p99 < 50 ms). Baseline: a bare discord.py client that answers every
   interaction at once with a constant, on the same kind of fake server (the transport's floor).
2. 200 groups whose slot falls on the same minute: every case study posted with its thread, no
   duplicate, no 429 under Discord's global limit of 50 requests/s (enforced by the fake).
   Baseline: the same bot with its pacing turned off.
3. 1,000 takes within one minute across 50 threads: all stored, all acknowledged, and the count
   messages edited a few times per thread. Baseline: one edit per take.

Run with `make bench` or `.venv/bin/python -m bench.posting [--guilds 200] [--takes 1000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from sqlalchemy import func, select

import cogs.publisher
from bot.config.settings import Settings
from bot.db.engine import sessionmaker
from bot.db.models import Take
from bot.services import open_database
from cogs.launcher import DiscordPlatform
from sandbox.fakediscord import Channel, FakeDiscord, Guild, InteractionRecord, Message, User, World
from sandbox.fakediscord.world import MANAGE_GUILD
from tests.conftest import SHIPPED_FEEDS
from tests.feedserver import FeedServer
from tests.wire.posting import custom_ids, seed_articles, seed_group

GLOBAL_LIMIT = 50  # Discord's global rate limit per bot, requests per second
STUDENTS_PER_GUILD = 20


@dataclass
class Server:
    world: World
    guilds: list[Guild]
    channels: list[Channel]
    moderators: list[User]
    students: dict[int, list[User]] = field(default_factory=dict)  # guild id → students


def build_world(guilds: int, students_in: int) -> Server:
    world = World()
    server = Server(world, [], [], [])
    for index in range(guilds):
        guild = world.add_guild(f"École {index}")
        channel = world.add_channel(guild, "veille")
        role = world.add_role(guild, "Modération", MANAGE_GUILD)
        moderator = world.add_user(f"prof-{index}")
        world.add_member(guild, moderator, [role])
        server.guilds.append(guild)
        server.channels.append(channel)
        server.moderators.append(moderator)
        if index < students_in:
            students = [world.add_user(f"student-{index}-{n}") for n in range(STUDENTS_PER_GUILD)]
            for student in students:
                world.add_member(guild, student)
            server.students[guild.id] = students
    return server


def settings_for(fake: FakeDiscord, folder: Path) -> Settings:
    return Settings(
        _env_file=None,
        discord_token=fake.world.application.token,
        database_url=f"sqlite:///{folder / 'bot.db'}",
        feeds_file=SHIPPED_FEEDS,
        discord_api_base=fake.api_base,
        discord_gateway_url=fake.gateway_url,
        feeds_allow_private_addresses=True,
        log_level="WARNING",
    )


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def ms(values: list[float], pct: float) -> str:
    return f"{percentile(values, pct) * 1000:7.1f}"


class Posts:
    """What the bot posted in the fake world, counted in one pass over its messages."""

    def __init__(self, world: World) -> None:
        self.per_channel: dict[int, list[Message]] = {}
        self.tallies: dict[int, Message] = {}  # thread id → count message
        for message in list(world.messages.values()):
            if message.author.id != world.bot.id or message.ephemeral:
                continue
            ids = custom_ids(message)
            if not ids:
                continue
            if any(c.startswith("veille:useful:") for c in ids):
                self.per_channel.setdefault(message.channel_id, []).append(message)
            else:
                self.tallies[message.channel_id] = message

    @property
    def duplicates(self) -> int:
        return sum(len(posts) - 1 for posts in self.per_channel.values())


async def start(fake: FakeDiscord, settings: Settings) -> tuple[asyncio.Task[None], asyncio.Event]:
    platform = DiscordPlatform()
    await platform.sync(settings, [], clear=False)  # global commands: one call for every guild
    stop = asyncio.Event()
    task = asyncio.create_task(platform.run(settings, stop))
    await fake.wait_until_ready(timeout=60)
    return task, stop


@dataclass
class Delivery:
    name: str
    seconds: float
    posted: int
    threads: int
    duplicates: int
    rate_limited: int
    peak_rate: int


async def deliver(
    guilds: int, paced: bool, folder: Path, pages: FeedServer, keep: bool = False
) -> tuple[Delivery, Any]:
    """Start the bot with `guilds` groups whose slot just passed; time until every post has its thread."""
    cogs.publisher.REQUESTS_PER_SECOND = 40 if paced else 1_000_000
    cogs.publisher.BURST = 5 if paced else 1_000_000
    server = build_world(guilds, students_in=min(guilds, 51) if keep else 0)
    fake = FakeDiscord(server.world)
    fake.global_limit = GLOBAL_LIMIT
    await fake.start()
    settings = settings_for(fake, folder)
    await seed_articles(settings, pages, count=40, prefix=f"p{int(paced)}")
    for guild, channel in zip(server.guilds, server.channels, strict=True):
        await seed_group(settings, guild.id, channel.id, slot_minutes_ago=1)
    started = time.perf_counter()
    task, stop = await start(fake, settings)
    posts = Posts(server.world)

    def done() -> bool:
        nonlocal posts
        posts = Posts(server.world)
        return len(posts.per_channel) >= guilds and len(posts.tallies) >= guilds

    await fake.wait_for(done, timeout=600, what="every group's case study and thread")
    seconds = time.perf_counter() - started
    result = Delivery(
        "veille-bot (paced)" if paced else "baseline: same bot, pacing off",
        seconds,
        len(posts.per_channel),
        len(posts.tallies),
        posts.duplicates,
        fake.rate_limited,
        fake.peak_rate,
    )
    if keep:
        return result, (fake, server, settings, task, stop, posts)
    await shutdown(fake, task, stop)
    return result, None


async def shutdown(fake: FakeDiscord, task: asyncio.Task[None], stop: asyncio.Event) -> None:
    stop.set()
    await asyncio.wait_for(task, timeout=30)
    await fake.stop()


# ── interactions ────────────────────────────────────────────────────────────────────────────────


class EchoClient(discord.Client):
    """The floor: answers every interaction at once, with no database and no logic."""

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


async def floor_latencies(rounds: int) -> list[float]:
    world = World()
    guild = world.add_guild("Floor")
    channel = world.add_channel(guild, "veille")
    student = world.add_user("student")
    world.add_member(guild, student)
    message = Message(
        id=world.ids.next(),
        channel_id=channel.id,
        author=world.bot,
        guild_id=guild.id,
        components=[{"type": 1, "components": [{"type": 2, "style": 1, "label": "x", "custom_id": "echo"}]}],
    )
    world.messages[message.id] = message
    fake = FakeDiscord(world)
    await fake.start()
    discord.http.Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    client = EchoClient(intents=discord.Intents.default())
    task = asyncio.create_task(client.start(world.application.token))
    await fake.wait_until_ready(timeout=30)
    latencies = await clicks(fake, [student], message, "echo", rounds)
    await client.close()
    await asyncio.gather(task, return_exceptions=True)
    await fake.stop()
    return latencies


async def clicks(
    fake: FakeDiscord, users: list[User], message: Message, custom_id: str, rounds: int
) -> list[float]:
    latencies = []
    for n in range(rounds):
        record = await fake.click(users[n % len(users)], message, custom_id)
        await record.response(timeout=10)
        latencies.append(_latency(record))
    return latencies


def _latency(record: InteractionRecord) -> float:
    assert record.latency is not None
    return record.latency


async def form_latencies(
    fake: FakeDiscord, students: list[User], post: Message, case_id: int, rounds: int
) -> tuple[list[float], list[float]]:
    opened_at, submitted_at = [], []
    for n in range(rounds):
        opened = await fake.click(students[n % len(students)], post, f"veille:take:{case_id}")
        await opened.response(timeout=10)
        opened_at.append(_latency(opened))
        stance = ("agree", "nuanced", "disagree")[n % 3]
        submitted = await fake.submit_modal(
            students[n % len(students)],
            opened,
            {"stance": stance, "text": f"Mon avis numéro {n}, argumenté."},
        )
        await submitted.response(timeout=10)
        submitted_at.append(_latency(submitted))
    return opened_at, submitted_at


async def defer_latencies(fake: FakeDiscord, moderator: User, channel: Channel, rounds: int) -> list[float]:
    latencies = []
    for _ in range(rounds):
        record = await fake.slash(moderator, channel, "casestudy")
        await record.response(timeout=10)
        latencies.append(_latency(record))
    # Let the previews finish building before the next phase measures anything.
    await fake.wait_for(lambda: record.original is not None and bool(record.original.content), timeout=60)
    return latencies


# ── takes ───────────────────────────────────────────────────────────────────────────────────────


@dataclass
class TakesResult:
    submitted: int
    acknowledged: int
    stored: int
    edits: int
    seconds: float
    ack_latencies: list[float]
    counts_right: int


async def takes_burst(
    fake: FakeDiscord, server: Server, settings: Settings, posts: Posts, total: int, seconds: float
) -> TakesResult:
    # The first group's students already gave takes in the latency rounds: use the next ones.
    threads = list(server.students)[1 : 1 + total // STUDENTS_PER_GUILD]
    targets: list[tuple[User, Message, int]] = []
    for guild_id in threads:
        guild = fake.world.guilds[guild_id]
        channel = next(c for c in guild.channels.values() if c.name == "veille")
        post = posts.per_channel[channel.id][0]
        case_id = int(next(c for c in custom_ids(post) if c.startswith("veille:take:")).rsplit(":", 1)[1])
        targets += [(student, post, case_id) for student in server.students[guild_id]]
    targets = targets[:total]
    edits_before = sum(1 for r in fake.requests if r.method == "PATCH" and "/messages/" in r.path)
    acknowledged: list[float] = []

    async def one(index: int, student: User, post: Message, case_id: int) -> None:
        await asyncio.sleep(index * seconds / len(targets))  # spread over the minute, as students would
        opened = await fake.click(student, post, f"veille:take:{case_id}")
        await opened.response(timeout=30)
        submitted = await fake.submit_modal(
            student,
            opened,
            {
                "stance": ("agree", "nuanced", "disagree")[index % 3],
                "text": "Un avis réfléchi sur la question.",
            },
        )
        answer = await submitted.response(timeout=30)
        if str(answer.get("data", {}).get("content", "")).startswith(("Merci", "Thank")):
            acknowledged.append(_latency(submitted))

    started = time.perf_counter()
    await asyncio.gather(*(one(i, *target) for i, target in enumerate(targets)))
    elapsed = time.perf_counter() - started

    # Every count message must end up saying "20 takes" (the refreshes are debounced).
    def counts_right() -> int:
        fresh = Posts(fake.world)
        return sum(1 for m in fresh.tallies.values() if f"{STUDENTS_PER_GUILD} avis" in m.content)

    await fake.wait_for(lambda: counts_right() >= len(threads), timeout=30, what="the final counts")
    async with open_database(settings) as engine, sessionmaker(engine)() as session:
        stored = int((await session.execute(select(func.count()).select_from(Take))).scalar_one())
    edits = sum(1 for r in fake.requests if r.method == "PATCH" and "/messages/" in r.path) - edits_before
    return TakesResult(len(targets), len(acknowledged), stored, edits, elapsed, acknowledged, counts_right())


# ── report ──────────────────────────────────────────────────────────────────────────────────────


async def main_async(args: argparse.Namespace) -> None:
    pages = FeedServer()
    await pages.start()
    with tempfile.TemporaryDirectory() as base, tempfile.TemporaryDirectory() as ours_dir:
        floor = await floor_latencies(args.clicks)
        baseline, _ = await deliver(args.guilds, paced=False, folder=Path(base), pages=pages)
        paced, kept = await deliver(args.guilds, paced=True, folder=Path(ours_dir), pages=pages, keep=True)
        fake, server, settings, task, stop, posts = kept
        first_guild = server.guilds[0]
        first_channel = server.channels[0]
        post = posts.per_channel[first_channel.id][0]
        case_id = int(next(c for c in custom_ids(post) if c.startswith("veille:take:")).rsplit(":", 1)[1])
        students = server.students[first_guild.id]
        buttons = await clicks(fake, students, post, f"veille:useful:{case_id}", args.clicks)
        opened, submitted = await form_latencies(fake, students, post, case_id, args.clicks)
        defers = await defer_latencies(fake, server.moderators[0], first_channel, args.defers)
        # The form rounds above gave takes in the first thread: measure the burst on fresh students.
        takes = await takes_burst(fake, server, settings, posts, args.takes, args.seconds)
        await shutdown(fake, task, stop)
    await pages.stop()

    print("\n1. Interactions acknowledged (ms, measured by the fake Discord between sending and the answer)")
    print(f"{'what':44} {'n':>5} {'p50':>7} {'p99':>7} {'max':>7} {'p99 vs floor':>13} target")
    floor_p99 = percentile(floor, 99)
    rows: list[tuple[str, list[float], str]] = [
        ("baseline: bare client answering a constant", floor, ""),
        ("'useful' button → private answer", buttons, "< 100"),
        ("'give my take' button → form", opened, "< 100"),
        ("take form submitted → acknowledged", submitted, "< 100"),
        ("/casestudy → deferred", defers, "< 50"),
    ]
    for name, values, target in rows:
        ratio = percentile(values, 99) / floor_p99 if floor_p99 else float("nan")
        print(
            f"{name:44} {len(values):5} {ms(values, 50)} {ms(values, 99)} {ms(values, 100)}"
            f" {ratio:12.1f}× {target}"
        )

    print(
        f"\n2. {args.guilds} groups whose slot falls on the same minute"
        f" (fake Discord enforces {GLOBAL_LIMIT} req/s)"
    )
    print(
        f"{'contender':34} {'wall s':>7} {'posted':>7} {'threads':>8} {'dupes':>6} {'429s':>6}"
        f" {'peak req/s':>11}"
    )
    for result in (baseline, paced):
        print(
            f"{result.name:34} {result.seconds:7.1f} {result.posted:7} {result.threads:8} "
            f"{result.duplicates:6} {result.rate_limited:6} {result.peak_rate:11}"
        )
    print(f"429 answered: {paced.rate_limited} paced vs {baseline.rate_limited} unpaced")

    print(
        f"\n3. {takes.submitted} takes within {args.seconds:.0f} s"
        f" across {takes.submitted // STUDENTS_PER_GUILD} threads"
    )
    print(f"{'':34} {'stored':>7} {'acked':>6} {'ack p99 ms':>11} {'count edits':>12} {'counts right':>13}")
    print(f"{'baseline: one edit per take':34} {'':>7} {'':>6} {'':>11} {takes.submitted:12} {'':>13}")
    print(
        f"{'veille-bot (debounced count)':34} {takes.stored:7} {takes.acknowledged:6} "
        f"{ms(takes.ack_latencies, 99):>11} {takes.edits:12} {takes.counts_right:13}"
    )
    print(f"count edits: {takes.submitted / max(1, takes.edits):.1f}× fewer than one per take")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--guilds", type=int, default=200)
    parser.add_argument("--takes", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0, help="the takes are spread over this time")
    parser.add_argument("--clicks", type=int, default=300, help="rounds per interaction kind")
    parser.add_argument("--defers", type=int, default=100)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
