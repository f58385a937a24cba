"""Feed ingestion benchmark: the engine against a sequential feedparser loop and the `reader` library.

A separate process serves real-world feeds (../shared/corpus) from 127.0.0.1 with a realistic mix
(see bench/_feedsite.py). Each contender polls every URL twice; the second poll is where
conditional GET and "same body, not parsed again" pay. Prints a table with ratios to the baseline.

    .venv/bin/python -m bench.ingest [--feeds 500] [--no-baseline] [--no-reader]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import feedparser

from bench._feedsite import FeedSite, make_mix
from bot.config.feeds_file import load_feeds_file
from bot.config.settings import Settings
from bot.db.engine import sessionmaker
from bot.db.models import Feed
from bot.feeds.engine import FeedEngine, Outcome
from bot.feeds.fetch import Fetcher, FetchLimits, open_session
from bot.services import open_database, theme_keywords
from bot.store.feeds import FeedStore
from bot.workers import WorkerPool

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WORKERS", "0")) or None


@dataclass
class Poll:
    wall: float
    cpu: float
    feeds: int
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    entries: int = 0
    lag_p99_ms: float | None = None
    lag_max_ms: float | None = None
    main_cpu: float | None = None  # the engine: CPU of the bot's own process (the rest is its workers)
    errors: dict[str, int] = field(default_factory=dict)


@dataclass
class Contender:
    name: str
    cold: Poll
    warm: Poll
    notes: list[str] = field(default_factory=list)


def process_cpu(pids: list[int]) -> float:
    """CPU seconds of this process and of the given live children (worker pools)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = time.process_time()
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            pass
    return total


# ── baseline: what a newcomer writes ─────────────────────────────────────────────────────────────


def baseline(urls: list[str]) -> Contender:
    def poll() -> Poll:
        started, cpu = time.perf_counter(), time.process_time()
        entries = failed = 0
        for url in urls:
            parsed = feedparser.parse(url)
            entries += len(parsed.entries)
            failed += not parsed.entries
        return Poll(
            time.perf_counter() - started,
            time.process_time() - cpu,
            len(urls),
            len(urls) - failed,
            0,
            failed,
            entries,
        )

    return Contender("baseline: sequential feedparser.parse(url)", poll(), poll())


# ── the engine ───────────────────────────────────────────────────────────────────────────────────


class LagProbe:
    """How late a 5 ms ticker wakes up: the event loop's responsiveness while we work."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            expected = loop.time() + 0.005
            await asyncio.sleep(0.005)
            self.lags.append(max(loop.time() - expected, 0.0))

    def __enter__(self) -> LagProbe:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()

    def p99_ms(self) -> float:
        return statistics.quantiles(self.lags, n=100)[98] * 1000 if len(self.lags) > 100 else 0.0

    def max_ms(self) -> float:
        return max(self.lags, default=0.0) * 1000


async def engine_polls(urls: list[str], database: Path) -> Contender:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{database}")
    limits = FetchLimits(allow_private=True)
    pool = WorkerPool(theme_keywords(load_feeds_file(ROOT / "feeds.toml")), workers=WORKERS)
    try:
        async with open_database(settings) as db, open_session(limits) as http:
            sessions = sessionmaker(db)
            async with sessions.begin() as session:
                session.add_all(Feed(url=url, name=f"Feed {i}", language="en") for i, url in enumerate(urls))
            feeds = FeedStore(sessions)
            engine = FeedEngine(feeds, Fetcher(http, limits), pool, settings.database.render_as_string())
            await pool.start()
            polls = [await _engine_poll(engine, feeds, pool) for _ in range(2)]
            workers = [_peak_mb(pid) for pid in pool.worker_pids()]
    finally:
        pool.close()
    contender = Contender("veille-bot engine (aiohttp + process pool)", polls[0], polls[1])
    contender.notes.append(f"ingestion workers' peak memory {' + '.join(f'{mb:.0f}' for mb in workers)} MB")
    return contender


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _engine_poll(engine: FeedEngine, feeds: FeedStore, pool: WorkerPool) -> Poll:
    pids = pool.worker_pids()  # the workers' CPU counts too
    targets = await feeds.enabled()
    started, cpu, main_cpu = time.perf_counter(), process_cpu(pids), time.process_time()
    with LagProbe() as probe:
        report = await engine.refresh(targets)
    wall, used = time.perf_counter() - started, process_cpu(pids) - cpu
    outcomes = [feed.outcome for feed in report.feeds]
    errors = Counter(feed.error.split(" (")[0] for feed in report.feeds if feed.error)
    return Poll(
        wall,
        used,
        len(targets),
        changed=sum(o in (Outcome.NEW, Outcome.UPDATED) for o in outcomes),
        unchanged=sum(o in (Outcome.UNCHANGED, Outcome.NOT_MODIFIED) for o in outcomes),
        failed=outcomes.count(Outcome.FAILED),
        entries=sum(feed.items or 0 for feed in report.feeds),
        lag_p99_ms=probe.p99_ms(),
        lag_max_ms=probe.max_ms(),
        main_cpu=time.process_time() - main_cpu,
        errors=dict(errors.most_common()),
    )


def _now() -> datetime:
    return datetime.now(UTC)


# ── the peer: reader, which the Python feed bot discord-rss-bot is built on ──────────────────────


def reader_polls(urls: list[str], database: Path) -> Contender:
    from reader import make_reader

    reader = make_reader(str(database))
    for url in urls:
        reader.add_feed(url)

    def poll() -> Poll:
        started, cpu = time.perf_counter(), time.process_time()
        results = list(reader.update_feeds_iter(workers=4, scheduled=False))
        failed = sum(1 for r in results if isinstance(r.value, Exception))
        unchanged = sum(1 for r in results if r.value is None)
        changed = len(results) - failed - unchanged
        return Poll(
            time.perf_counter() - started, time.process_time() - cpu, len(urls), changed, unchanged, failed
        )

    contender = Contender("reader 3.x update_feeds(workers=4)", poll(), poll())
    reader.close()
    return contender


# ── each contender in its own process, so that peak memory is its own ───────────────────────────


def _isolated_child(target: Callable[..., Contender], args: tuple[Any, ...], out: Connection) -> None:
    contender = target(*args)
    contender.notes.append(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    out.send(contender)


def isolated(target: Callable[..., Contender], *args: Any) -> Contender:
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("spawn").Process(target=_isolated_child, args=(target, args, send))
    process.start()
    contender: Contender = receive.recv()
    process.join()
    return contender


def run_engine(urls: list[str], database: Path) -> Contender:
    return asyncio.run(engine_polls(urls, database))


# ── report ───────────────────────────────────────────────────────────────────────────────────────


COLUMNS = (
    f"{'contender':<44} {'poll':<6} {'wall s':>7} {'feeds/min':>9} {'vs base':>8} {'CPU s':>7} "
    f"{'chg/unch/fail':>14} {'entries/s':>9} {'lag p99/max ms':>15}"
)


def print_table(contenders: list[Contender], feeds: int, base: Contender | None) -> None:
    print(COLUMNS)
    print("-" * len(COLUMNS))
    for contender in contenders:
        for label, poll, base_poll in (
            ("cold", contender.cold, base.cold if base else None),
            ("second", contender.warm, base.warm if base else None),
        ):
            ratio = f"{base_poll.wall / poll.wall:7.1f}×" if base_poll else "      —"
            lag = f"{poll.lag_p99_ms:6.1f}/{poll.lag_max_ms:6.1f}" if poll.lag_p99_ms is not None else "—"
            rate = f"{poll.entries / poll.wall:9.0f}" if poll.entries else "        —"
            counts = f"{poll.changed}/{poll.unchanged}/{poll.failed}"
            print(
                f"{contender.name:<44} {label:<6} {poll.wall:7.1f} {feeds / poll.wall * 60:9.0f} {ratio:>8} "
                f"{poll.cpu:7.1f} {counts:>14} {rate} {lag:>15}"
            )
    print()
    for contender in contenders:
        print(f"{contender.name}: {'; '.join(contender.notes)}")
        for label, poll in (("cold", contender.cold), ("second", contender.warm)):
            if poll.main_cpu is not None:
                print(
                    f"  {label} poll: {poll.main_cpu:.1f} s of CPU in the bot's process, the rest in workers"
                )
            for error, count in poll.errors.items():
                print(f"  {label} poll: {count} × {error}")
    engine = next(c for c in contenders if c.name.startswith("veille"))
    peer = next((c for c in contenders if c.name.startswith("reader")), None)
    if peer is not None:
        for label, ours, theirs in (("cold", engine.cold, peer.cold), ("second", engine.warm, peer.warm)):
            print(
                f"engine vs reader, {label} poll: {theirs.wall / ours.wall:.1f}× faster, "
                f"{theirs.cpu / max(ours.cpu, 0.001):.1f}× less CPU"
            )
    if engine.cold.changed:
        per_changed = engine.cold.cpu / engine.cold.changed * 1000
        print(f"engine CPU per changed feed (cold poll): {per_changed:.0f} ms")
    if engine.warm.unchanged:
        per_unchanged = engine.warm.cpu / max(engine.warm.feeds, 1) * 1000
        print(f"engine CPU per unchanged feed (second poll): {per_unchanged:.1f} ms")


def main() -> None:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument("--feeds", type=int, default=500)
    options.add_argument("--no-baseline", action="store_true")
    options.add_argument("--no-reader", action="store_true")
    args = options.parse_args()

    mix = make_mix(args.feeds)
    site = FeedSite(mix)
    print(mix.describe())
    try:
        urls = site.urls()
        contenders: list[Contender] = []
        with tempfile.TemporaryDirectory() as folder:
            base = None if args.no_baseline else isolated(baseline, urls)
            contenders += [base] if base else []
            contenders.append(isolated(run_engine, urls, Path(folder) / "engine.db"))
            if not args.no_reader:
                contenders.append(isolated(reader_polls, urls, Path(folder) / "reader.db"))
        print()
        print_table(contenders, len(urls), base)
    finally:
        site.close()


if __name__ == "__main__":
    main()
