"""Peak memory of the engine at school scale: 2,000 feeds polled over a database of 200,000 articles.

The database is filled with synthetic articles first (as months of ingestion would leave it); then
every feed of a 2,000-URL mix (bench/_feedsite.py) is checked once. Prints the peak resident memory
of the bot's process and of each ingestion worker, against the 250 MB target.

    .venv/bin/python -m bench.memory [--feeds 2000] [--articles 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench._feedsite import FeedSite, make_mix
from bot.config.feeds_file import load_feeds_file
from bot.config.settings import Settings
from bot.db.engine import sessionmaker
from bot.db.models import Feed
from bot.feeds.engine import FeedEngine, Outcome
from bot.feeds.fetch import Fetcher, FetchLimits, open_session
from bot.services import open_database, theme_keywords
from bot.store.articles import ARTICLES, BANDS
from bot.store.feeds import FeedStore
from bot.workers import WorkerPool

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 250
WORDS = "recrutement linkedin réseau candidat entretien profil vidéo télétravail marque employeur".split()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def fill(sessions: async_sessionmaker[AsyncSession], feed_ids: list[int], articles: int) -> None:
    rng = random.Random(7)
    now = datetime.now(UTC)
    per_feed = max(articles // len(feed_ids), 1)
    batch: list[dict[str, object]] = []
    bands: list[dict[str, int]] = []
    next_id = 1
    async with sessions.begin() as session:
        for feed_id in feed_ids:
            for index in range(per_feed):
                text = " ".join(rng.choices(WORDS, k=60))
                batch.append(
                    {
                        "id": next_id,
                        "feed_id": feed_id,
                        "guid": f"{feed_id}-{index}",
                        "url": f"https://site{feed_id}.example/{index}",
                        "title": text[:80],
                        "summary": text,
                        "language": "fr",
                        "published_at": now - timedelta(hours=rng.randint(1, 2000)),
                        "first_seen_at": now,
                        "fingerprint": hashlib.sha256(f"{feed_id}-{index}".encode()).hexdigest()[:32],
                        "theme_scores": {"pro-networks": 0.5},
                        "off_topic": False,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                bands.extend({"band": rng.getrandbits(62), "article_id": next_id} for _ in range(8))
                next_id += 1
                if len(batch) >= 2000:
                    await session.execute(insert(ARTICLES), batch)
                    await session.execute(insert(BANDS), bands)
                    batch, bands = [], []
        if batch:
            await session.execute(insert(ARTICLES), batch)
            await session.execute(insert(BANDS), bands)


async def run(feeds: int, articles: int, folder: Path) -> None:
    site = FeedSite(make_mix(feeds))
    settings = Settings(_env_file=None, database_url=f"sqlite:///{folder / 'memory.db'}")
    limits = FetchLimits(allow_private=True)
    pool = WorkerPool(theme_keywords(load_feeds_file(ROOT / "feeds.toml")))
    try:
        async with open_database(settings) as db, open_session(limits) as http:
            sessions = sessionmaker(db)
            async with sessions.begin() as session:
                session.add_all(
                    Feed(url=url, name=f"Feed {i}", language="fr") for i, url in enumerate(site.urls())
                )
            store = FeedStore(sessions)
            targets = await store.enabled()
            started = time.perf_counter()
            await fill(sessions, [feed.id for feed in targets], articles)
            filled = time.perf_counter() - started
            before = rss_mb()
            engine = FeedEngine(store, Fetcher(http, limits), pool, settings.database.render_as_string())
            started = time.perf_counter()
            report = await engine.refresh(targets)
            polled = time.perf_counter() - started
            workers = [peak_mb(pid) for pid in pool.worker_pids()]
    finally:
        pool.close()
        site.close()
    changed = sum(feed.outcome in (Outcome.NEW, Outcome.UPDATED) for feed in report.feeds)
    database_mb = (folder / "memory.db").stat().st_size / 1024 / 1024
    print(f"database: {len(targets)} feeds, {articles} articles ({database_mb:.0f} MB), took {filled:.0f} s")
    print(f"poll of {len(targets)} feeds: {polled:.0f} s, {changed} changed")
    print()
    print(f"{'process':<34} {'peak MB':>8} {'target':>7} {'ratio':>6}")
    print(f"{'bot (before the poll)':<34} {before:8.0f} {TARGET_MB:7d} {before / TARGET_MB:6.2f}")
    print(f"{'bot (after the poll)':<34} {rss_mb():8.0f} {TARGET_MB:7d} {rss_mb() / TARGET_MB:6.2f}")
    for index, mb in enumerate(workers, start=1):
        print(f"{f'ingestion worker {index}':<34} {mb:8.0f}")


def main() -> None:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument("--feeds", type=int, default=2000)
    options.add_argument("--articles", type=int, default=200_000)
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.feeds, args.articles, Path(folder)))


if __name__ == "__main__":
    main()
