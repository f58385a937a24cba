"""When things happen: an APScheduler wrapper that the services register their jobs on.

Jobs are defined in code; what was done for which slot lives in the database, so that a restart
catches up without duplicates. `coalesce` folds missed runs into one and the grace time lets a
bot that was down for a while still run the slot it missed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 48 * 3600


class Scheduler:
    def __init__(self) -> None:
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
        )

    @property
    def running(self) -> bool:
        return bool(self._aps.running)

    def start(self) -> None:
        """Start on the running event loop (call from inside it, e.g. a `setup_hook`)."""
        if not self._aps.running:
            self._aps.start()
            log.info("scheduler started")

    def shutdown(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)
            log.info("scheduler stopped")

    def every(self, job_id: str, seconds: float, job: Callable[[], Awaitable[object]]) -> None:
        """Run `job` every `seconds` (first run one interval from now), never two at once."""
        self._aps.add_job(job, "interval", seconds=seconds, id=job_id, replace_existing=True)

    def weekly(
        self,
        job_id: str,
        days: tuple[int, ...],
        at: time,
        timezone: str,
        job: Callable[..., Awaitable[object]],
        *args: object,
    ) -> None:
        """Run `job(*args)` on `days` (0 = Monday) at the local time `at` in `timezone`."""
        trigger = CronTrigger(
            day_of_week=",".join(str(day) for day in days),
            hour=at.hour,
            minute=at.minute,
            timezone=ZoneInfo(timezone),
        )
        self._aps.add_job(job, trigger, args=args, id=job_id, replace_existing=True)

    def remove(self, job_id: str) -> None:
        if self._aps.get_job(job_id) is not None:
            self._aps.remove_job(job_id)

    def next_run(self, job_id: str) -> datetime | None:
        job = self._aps.get_job(job_id)
        if job is None or job.next_run_time is None:
            return None
        next_run: datetime = job.next_run_time
        return next_run.astimezone(UTC)


def casestudy_job_id(guild_id: int) -> str:
    return f"casestudy:{guild_id}"


def digest_job_id(guild_id: int) -> str:
    return f"digest:{guild_id}"
