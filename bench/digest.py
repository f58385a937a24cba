"""Building a busy week's digest, chart included, and what it costs the event loop (issue 7).

The week: one group, 30 case studies posted in 2026-W47 over the 11 themes of feeds.toml, 3,000
visible takes on them (about 100 each, three stances, French texts of 20 to 600 characters, some
with "useful" votes, a few hidden by a moderator), and four weeks of lighter activity before it so
that the themes have a history. It is seeded in a fresh SQLite database through the real stores
(the takes and votes in bulk, in one write transaction).

What is timed is what the bot does: `DigestReader.week` reads the week from the
database, builds the digest on the event loop and draws the chart in the worker pool (started
beforehand). The first build in a fresh worker is reported apart (it imports matplotlib); then one
warm-up build, a chart drawn in each worker, and the measured builds, back to back. Meanwhile a
probe task sleeps 5 ms again and again and records how late it wakes up: the event loop's lag.
Targets: a build < 2 s, and loop lag < 50 ms at p99.

Baselines measured in the same run: the same builds with the chart drawn on the event loop (the
runner calls the function directly), and the probe alone on an idle loop (the floor).

Run with `make bench` or `.venv/bin/python -m bench.digest [--runs 10]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.casestudy.model import CaseStudy, TextSource
from bot.config.feeds_file import load_feeds_file
from bot.config.settings import Settings
from bot.db.engine import sessionmaker, write_transaction
from bot.db.models import Take, TakeVote, UsefulVote
from bot.digest.chart import ChartData, chart_data, render_chart
from bot.digest.reader import DigestReader, RenderedDigest
from bot.digest.week import IsoWeek
from bot.posting.config import GuildConfig
from bot.posting.model import STANCES
from bot.services import open_database, theme_keywords, theme_labels
from bot.store.digests import DigestStore
from bot.store.guilds import GuildStore
from bot.store.posting import PostingStore
from bot.workers import WorkerPool
from cogs.digest_render import digest_messages

ROOT = Path(__file__).resolve().parent.parent
GUILD, CHANNEL = 4242, 4343
WEEK = IsoWeek.parse("2026-W47")  # Monday 16 to Sunday 22 November 2026
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the Monday after: the week is complete
CASE_STUDIES = 30
TAKES = 3000
HIDDEN = 20  # hidden by a moderator, on top of the 3,000: not in the digest
STUDENTS = 160
HISTORY_WEEKS = 4
HISTORY_CASES = 6  # per earlier week
HISTORY_TAKES = (10, 40)  # per earlier case study
PROBE_SECONDS = 0.005
IDLE_SECONDS = 2.0
BUILD_TARGET_S = 2.0
LAG_TARGET_MS = 50.0
T = TypeVar("T")

# ── the week's content ──────────────────────────────────────────────────────────────────────────

OPENERS = (
    "Je suis plutôt d'accord avec l'article.",
    "Franchement, ça dépend du secteur.",
    "Je ne suis pas convaincu du tout.",
    "C'est une question plus compliquée qu'il n'y paraît.",
    "Totalement d'accord, je l'ai vécu.",
    "Je vois les deux côtés du débat.",
    "Pas d'accord, et je vais expliquer pourquoi.",
    "Ça me parle beaucoup en ce moment.",
)
SENTENCES = (
    "Pendant mon stage, le recruteur avait regardé mon profil avant même l'entretien.",
    "On ne peut pas demander à tout le monde d'être visible en ligne en permanence.",
    "Les entreprises qui recrutent à distance gagnent du temps, mais elles perdent le contact humain.",
    "Un CV vidéo avantage ceux qui sont à l'aise à l'oral, pas forcément les meilleurs candidats.",
    "Je pense que l'e-réputation se construit sur des années et se détruit en une soirée.",
    "Mon cousin a trouvé son alternance grâce à un message sur un réseau professionnel.",
    "Il faudrait apprendre à gérer ses traces numériques dès le lycée, pas à vingt ans.",
    "Le problème, ce n'est pas l'outil, c'est l'usage qu'on en fait.",
    "Je passe déjà trop de temps sur mon téléphone, alors ajouter LinkedIn à la liste, non merci.",
    "Avoir un profil en anglais et en français m'a ouvert des portes que je n'attendais pas.",
    "Les recruteurs disent qu'ils ne jugent pas sur les réseaux sociaux, mais tout le monde sait que si.",
    "Après le diplôme, garder le contact avec sa promo, c'est ce qui aide le plus à trouver un poste.",
    "Je trouve injuste qu'on attende des étudiants qu'ils se vendent comme des marques.",
    "Dans mon domaine, personne ne regarde Twitter, tout se passe par le bouche-à-oreille.",
    "Un entretien en visio, c'est pratique, mais on ne montre pas la même chose qu'en vrai.",
    "L'article oublie que beaucoup d'étudiants n'ont pas de bonne connexion chez eux.",
    "Se déconnecter le week-end devrait être un droit, même quand on cherche un emploi.",
    "J'ai supprimé mes vieilles photos après avoir lu ce genre d'histoires.",
    "Les algorithmes de tri des candidatures me font plus peur que les recruteurs eux-mêmes.",
    "On oublie souvent les bases : une lettre claire et un CV sans fautes restent indispensables.",
    "Je crois qu'il faut distinguer le réseau qu'on entretient et la vitrine qu'on affiche.",
    "Ma sœur travaille dans les RH et elle confirme que le premier tri se fait en trente secondes.",
    "C'est aussi une question d'égalité : tout le monde n'a pas un carnet d'adresses à vingt ans.",
    "Je nuancerais : être présent en ligne aide, mais ce n'est pas une obligation partout.",
    "Le télétravail a changé les attentes des deux côtés, et les entreprises ne l'ont pas toutes compris.",
    "Si on n'est pas sur les réseaux, on n'existe pas, c'est triste mais c'est comme ça.",
    "Je ne suis pas d'accord avec la conclusion : le contact direct reste le plus efficace.",
    "Peut-être que la vraie question est de savoir qui contrôle ces plateformes.",
    "Franchement, je préfère envoyer un mail bien écrit qu'enregistrer une vidéo de moi.",
    "Les petites entreprises de ma ville recrutent encore par affichage et par relations.",
)
TITLES = (
    "Ce que les recruteurs regardent vraiment",
    "Un nouveau rapport relance le débat",
    "Les jeunes diplômés face à un marché qui change",
    "Une enquête auprès de 2 000 étudiants",
    "Témoignages : ils ont trouvé leur poste autrement",
)


def take_text(rng: random.Random) -> str:
    """A French take of 20 to 600 characters: short ones often, long ones sometimes."""
    roll = rng.random()
    target = (
        rng.randint(20, 80) if roll < 0.4 else rng.randint(80, 250) if roll < 0.75 else rng.randint(250, 600)
    )
    parts = [rng.choice(OPENERS)] if rng.random() < 0.6 else []
    while sum(len(part) + 1 for part in parts) < target:
        parts.append(rng.choice(SENTENCES))
    while len(" ".join(parts)) > 600 and len(parts) > 1:
        parts.pop()
    return " ".join(parts)[:600]


@dataclass
class Seeded:
    case_studies: int = 0
    takes: int = 0
    hidden: int = 0
    votes: int = 0
    history_cases: int = 0
    history_takes: int = 0
    seconds: float = 0.0
    themes: list[str] = field(default_factory=list)


def case_study(number: int, theme: str, label: str, posted_at: datetime) -> CaseStudy:
    return CaseStudy(
        title=f"{label} : {TITLES[number % len(TITLES)]} ({number})",
        url=f"https://actu.example/{theme}/{number}",
        source_name="Le Blog de l'emploi",
        published_at=posted_at - timedelta(hours=6),
        reading_minutes=4,
        language="fr",
        locale="fr",
        theme=theme,
        summary=(SENTENCES[number % len(SENTENCES)], SENTENCES[(number + 7) % len(SENTENCES)]),
        key_terms=("recrutement", "réseau professionnel"),
        questions=("Êtes-vous d'accord ?", "Qu'auriez-vous fait ?"),
        situation="Vous cherchez une alternance pour la rentrée.",
        text_source=TextSource.PAGE,
    )


async def post_case(store: PostingStore, number: int, case: CaseStudy, posted_at: datetime) -> int:
    """As the courier leaves a delivered case study: posted, with its thread, its outbox item done."""
    queued = await store.queue_case_study(GUILD, case, now=posted_at)
    ids = {"channel_id": CHANNEL, "message_id": 10_000 + number, "thread_id": 20_000 + number}
    await store.mark_posted(queued.case_study_id, ids, posted_at)
    item = await store.item(queued.outbox_key)
    assert item is not None
    await store.finish(item.id, ids, posted_at)
    return queued.case_study_id


def spread(total: int, parts: int, swing: int, rng: random.Random) -> list[int]:
    """`parts` counts around total/parts that add up to `total` exactly."""
    counts = [total // parts] * parts
    for index in range(total - sum(counts)):
        counts[index % parts] += 1
    for index in range(0, parts - 1, 2):
        delta = rng.randint(-swing, swing)
        counts[index] += delta
        counts[index + 1] -= delta
    return counts


async def seed(sessions: async_sessionmaker[AsyncSession], settings: Settings, rng: random.Random) -> Seeded:
    started = time.perf_counter()
    config = load_feeds_file(settings.feeds_file)
    labels = theme_labels(config)
    themes = [theme.id for theme in config.themes]
    seeded = Seeded(themes=themes)
    await GuildStore(sessions, settings.default_locale, settings.default_timezone).save(
        GuildConfig(GUILD, channel_id=CHANNEL)
    )
    store = PostingStore(sessions)
    timezone = "Europe/Paris"
    # (case study id, number of visible takes, when it was posted)
    cases: list[tuple[int, int, datetime]] = []
    number = 0
    for back in range(HISTORY_WEEKS, 0, -1):  # the lighter weeks before, oldest first
        monday = WEEK.shifted(-back).start(timezone) + timedelta(hours=9)
        for index in range(HISTORY_CASES):
            number += 1
            theme = rng.choice(themes)
            posted_at = monday + timedelta(hours=20 * index)
            case_id = await post_case(
                store, number, case_study(number, theme, labels[theme]["fr"], posted_at), posted_at
            )
            cases.append((case_id, rng.randint(*HISTORY_TAKES), posted_at))
            seeded.history_cases += 1
    monday = WEEK.start(timezone) + timedelta(hours=8)
    for index, takes in enumerate(spread(TAKES, CASE_STUDIES, 30, rng)):
        number += 1
        theme = themes[index % len(themes)]
        posted_at = monday + timedelta(hours=index * 4.5 * 24 / CASE_STUDIES)
        case_id = await post_case(
            store, number, case_study(number, theme, labels[theme]["fr"], posted_at), posted_at
        )
        cases.append((case_id, takes, posted_at))
        seeded.case_studies += 1

    takes_rows: list[dict[str, Any]] = []
    votes_rows: list[dict[str, Any]] = []
    useful_rows: list[dict[str, Any]] = []
    this_week = {case_id for case_id, _, _ in cases[-CASE_STUDIES:]}
    for case_id, visible, posted_at in cases:
        current = case_id in this_week
        hidden = rng.randint(0, 2) if current and seeded.hidden < HIDDEN else 0
        hidden = min(hidden, HIDDEN - seeded.hidden)
        students = rng.sample(range(1, STUDENTS + 1), visible + hidden)
        weights = [rng.uniform(0.5, 3.0) for _ in STANCES]  # each case study splits its own way
        for position, user in enumerate(students):
            take_id = len(takes_rows) + 1
            takes_rows.append(
                {
                    "id": take_id,
                    "case_study_id": case_id,
                    "user_id": 900_000 + user,
                    "stance": rng.choices(STANCES, weights)[0],
                    "text": take_text(rng),
                    "source": "modal",
                    "hidden": position >= visible,
                    "created_at": posted_at + timedelta(minutes=rng.randint(1, 3 * 24 * 60)),
                }
            )
            if rng.random() < 0.15:  # found useful by some classmates
                voters = rng.sample([s for s in range(1, STUDENTS + 1) if s != user], rng.randint(1, 8))
                votes_rows += [{"take_id": take_id, "user_id": 900_000 + voter} for voter in voters]
        seeded.hidden += hidden
        if current:
            seeded.takes += visible
        else:
            seeded.history_takes += visible
        voters = rng.sample(range(1, STUDENTS + 1), rng.randint(3, 40))
        useful_rows += [{"case_study_id": case_id, "user_id": 900_000 + voter} for voter in voters]
    async with write_transaction(sessions) as session:
        await session.execute(insert(Take), takes_rows)
        await session.execute(insert(TakeVote), votes_rows)
        await session.execute(insert(UsefulVote), useful_rows)
    seeded.votes = len(votes_rows)
    seeded.seconds = time.perf_counter() - started
    return seeded


# ── measuring ───────────────────────────────────────────────────────────────────────────────────


class LagProbe:
    """Sleeps PROBE_SECONDS again and again and records how late it woke up (seconds)."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(PROBE_SECONDS)
            self.samples.append(time.perf_counter() - before - PROBE_SECONDS)

    async def window(self, work: Callable[[], Awaitable[T]]) -> tuple[T, list[float]]:
        """`work()`'s result and the lags recorded while it ran (the wake-up it delayed included)."""
        await asyncio.sleep(PROBE_SECONDS * 2)  # the probe is sleeping, not mid-sample
        self.samples = []
        result = await work()
        await asyncio.sleep(PROBE_SECONDS * 3)  # the sample the last build held up comes in
        return result, self.samples

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


@dataclass
class Row:
    name: str
    walls: list[float]
    lags: list[float]
    target: str = ""


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] if ordered else float("nan")


async def on_the_loop(function: Callable[..., T], *args: Any) -> T:
    """The baseline's runner: the function runs right here, on the event loop."""
    return function(*args)


def chart_in_worker(data: ChartData) -> int:
    """A chart drawn in a worker, which says which worker it was."""
    render_chart(data)
    return os.getpid()


async def warm_workers(pool: WorkerPool, data: ChartData) -> int:
    """Draw charts, as many at once as there are workers, until each worker has drawn one: the
    pool starts its second worker only once the first is busy, and a worker's first chart imports
    matplotlib (the first build's cost, reported apart). The number of workers seen."""
    wanted = os.cpu_count() or 2  # WorkerPool's default
    seen: set[int] = set()
    for _ in range(20):
        seen.update(await asyncio.gather(*(pool.run(chart_in_worker, data) for _ in range(wanted))))
        if len(seen) >= wanted:
            break
    return len(seen)


async def builds(reader: DigestReader, runs: int) -> tuple[list[float], RenderedDigest]:
    walls: list[float] = []
    rendered: RenderedDigest | None = None
    for _ in range(runs):
        started = time.perf_counter()
        rendered = await reader.week(GUILD, WEEK)
        walls.append(time.perf_counter() - started)
    assert rendered is not None
    return walls, rendered


async def measure(
    name: str, reader: DigestReader, probe: LagProbe, runs: int, target: str = ""
) -> tuple[Row, RenderedDigest]:
    (walls, rendered), lags = await probe.window(lambda: builds(reader, runs))
    return Row(name, walls, lags, target), rendered


async def breakdown(
    sessions: async_sessionmaker[AsyncSession], guilds: GuildStore, labels: Any, pool: WorkerPool, rounds: int
) -> dict[str, float]:
    """Median seconds of each step of a build, measured apart (for the report's last line)."""
    store = DigestStore(sessions)
    reader = DigestReader(guilds, store, labels, pool.run, lambda: NOW)
    config = await guilds.get(GUILD)
    steps: dict[str, list[float]] = {
        "read (DigestStore.activity)": [],
        "read + build (DigestReader.build)": [],
        "chart (worker)": [],
        "chart (on the loop)": [],
        "digest_messages": [],
    }
    for _ in range(rounds):
        started = time.perf_counter()
        await store.activity(GUILD, WEEK, config.timezone)
        steps["read (DigestStore.activity)"].append(time.perf_counter() - started)
        started = time.perf_counter()
        digest = await reader.build(config, WEEK)
        steps["read + build (DigestReader.build)"].append(time.perf_counter() - started)
        data = chart_data(digest)
        assert data is not None
        started = time.perf_counter()
        await pool.run(render_chart, data)
        steps["chart (worker)"].append(time.perf_counter() - started)
        started = time.perf_counter()
        render_chart(data)
        steps["chart (on the loop)"].append(time.perf_counter() - started)
        started = time.perf_counter()
        digest_messages(digest, with_chart=True)
        steps["digest_messages"].append(time.perf_counter() - started)
    return {step: statistics.median(values) for step, values in steps.items()}


# ── report ──────────────────────────────────────────────────────────────────────────────────────


def print_table(rows: list[Row], idle: list[float]) -> None:
    header = ["contender", "runs", "wall p50 s", "wall max s", "lag p99 ms", "lag max ms", "target"]
    cells = [["idle loop: the probe alone (floor)", "—", "—", "—", *lag_cells(idle), ""]]
    for row in rows:
        cells.append(
            [
                row.name,
                str(len(row.walls)),
                f"{statistics.median(row.walls):.3f}",
                f"{max(row.walls):.3f}",
                *lag_cells(row.lags),
                row.target,
            ]
        )
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    for line in [header, *cells]:
        text = [line[0].ljust(widths[0])]
        text += [cell.rjust(width) for cell, width in zip(line[1:-1], widths[1:-1], strict=True)]
        text.append(line[-1])
        print(" | ".join(text).rstrip())


def lag_cells(lags: list[float]) -> list[str]:
    return [f"{percentile(lags, 99) * 1000:.1f}", f"{max(lags, default=float('nan')) * 1000:.1f}"]


async def main_async(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.ERROR)
    rng = random.Random(47)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{Path(folder) / 'bot.db'}",
            feeds_file=ROOT / "feeds.toml",
        )
        feeds = load_feeds_file(settings.feeds_file)
        labels = theme_labels(feeds)
        async with open_database(settings) as engine:
            sessions = sessionmaker(engine)
            seeded = await seed(sessions, settings, rng)
            guilds = GuildStore(sessions, settings.default_locale, settings.default_timezone)
            pool = WorkerPool(theme_keywords(feeds))
            probe = LagProbe()
            probe.start()
            try:
                await pool.start()
                _, idle = await probe.window(lambda: asyncio.sleep(IDLE_SECONDS))
                ours = DigestReader(guilds, DigestStore(sessions), labels, pool.run, lambda: NOW)
                cold, rendered = await measure(
                    "veille-bot, first build (fresh worker)", ours, probe, 1, f"< {BUILD_TARGET_S:g} s"
                )
                data = chart_data(rendered.digest)
                assert data is not None
                await builds(ours, 1)  # warm-up
                workers = await warm_workers(pool, data)
                warm, rendered = await measure(
                    "veille-bot: chart in the worker pool",
                    ours,
                    probe,
                    args.runs,
                    f"< {BUILD_TARGET_S:g} s, lag p99 < {LAG_TARGET_MS:g} ms",
                )
                theirs = DigestReader(guilds, DigestStore(sessions), labels, on_the_loop, lambda: NOW)
                base_cold, _ = await measure(
                    "baseline, first build (imports matplotlib on the loop)", theirs, probe, 1
                )
                base, baseline_rendered = await measure(
                    "baseline: chart drawn on the event loop", theirs, probe, args.runs
                )
                steps = await breakdown(sessions, guilds, labels, pool, rounds=5)
            finally:
                await probe.stop()
                await asyncio.to_thread(pool.close)

    digest = rendered.digest
    assert rendered.chart_png is not None and baseline_rendered.chart_png == rendered.chart_png
    p = digest.participation
    print(
        f"\nSeeded in {seeded.seconds:.1f} s: {seeded.case_studies} case studies in {WEEK} over"
        f" {len(seeded.themes)} themes, {seeded.takes} visible takes (+{seeded.hidden} hidden),"
        f" {seeded.votes} 'useful' votes on takes; {seeded.history_cases} case studies and"
        f" {seeded.history_takes} takes in the {HISTORY_WEEKS} weeks before."
    )
    print(
        f"The digest: {len(digest.case_studies)} case studies, {p.takes} takes, {p.students} students"
        f" (week before: {p.previous_takes} takes), {len(digest.charted_themes)} themes charted,"
        f" chart {len(rendered.chart_png):,} bytes, {len(digest_messages(digest, with_chart=True))}"
        f" Discord messages. Worker processes: {workers}.\n"
    )
    print_table([cold, warm, base_cold, base], idle)

    lag_ours, lag_base, lag_floor = (percentile(row, 99) * 1000 for row in (warm.lags, base.lags, idle))
    wall_ours, wall_base = statistics.median(warm.walls), statistics.median(base.walls)
    print(
        f"\nloop lag p99: {lag_ours:.1f} ms with the chart in the pool vs {lag_base:.1f} ms with it on the"
        f" loop ({lag_base / lag_ours:.1f}× lower; idle floor {lag_floor:.1f} ms)"
    )
    print(f"wall p50: {wall_ours:.3f} s vs {wall_base:.3f} s on the loop ({wall_ours / wall_base:.2f}×)")
    slowest = max([*warm.walls, *cold.walls])
    print(
        f"target build < {BUILD_TARGET_S:g} s: {'met' if slowest < BUILD_TARGET_S else 'NOT met'}"
        f" (slowest {slowest:.3f} s, first build in a fresh worker {cold.walls[0]:.3f} s)"
    )
    worst_p99 = max(lag_ours, percentile(cold.lags, 99) * 1000)
    print(
        f"target loop lag p99 < {LAG_TARGET_MS:g} ms: {'met' if lag_ours < LAG_TARGET_MS else 'NOT met'}"
        f" ({lag_ours:.1f} ms warm, {worst_p99:.1f} ms counting the first build)"
    )
    print(
        "where a warm build's time goes (median of 5): "
        + ", ".join(f"{step} {seconds * 1000:.0f} ms" for step, seconds in steps.items())
        + " (read and build run on the event loop)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=10, help="measured builds per contender")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
