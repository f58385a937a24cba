"""The worker processes that do the CPU work off the event loop: parsing and storing feeds,
extracting article pages and building case studies."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from bot.feeds.themes import ThemeKeywords
from bot.feeds.worker import init_worker

log = logging.getLogger(__name__)
T = TypeVar("T")


class WorkerPool:
    def __init__(self, themes: Sequence[ThemeKeywords], workers: int | None = None) -> None:
        self._themes = tuple(themes)
        self._workers = workers or os.cpu_count() or 2
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._workers,
            # "spawn": the bot's process holds threads (database, DNS); forking it is unsafe.
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(self._themes,),
        )

    async def start(self) -> None:
        """Start the workers now rather than on the first job."""
        await asyncio.get_running_loop().run_in_executor(self._pool, os.getpid)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker; `function` and its arguments must be picklable."""
        loop = asyncio.get_running_loop()
        pool = self._pool
        try:
            return await loop.run_in_executor(pool, function, *args)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): this job fails, the next ones get new workers.
            if self._pool is pool:
                log.error("a worker process died; starting new ones")
                self._pool = self._new_pool()
                pool.shutdown(wait=False, cancel_futures=True)
            raise

    def worker_pids(self) -> list[int]:
        """The workers' process ids (for measurements)."""
        return list(self._pool._processes or {})

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
