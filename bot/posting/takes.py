"""Students' takes: checked, stored (one per student, the latest wins), counted, moderated.

The thread's running count is one message, edited: `TallyRefresher` folds a burst of takes into
a single edit per thread (twenty takes in a second make one or two edits, not twenty).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.errors import UserProblem
from bot.i18n import Locale
from bot.posting.model import STANCES, StoredTake, Tally
from bot.posting.publisher import DeliveryFailure, TallyUpdate
from bot.store.posting import DELETED, PostingStore, StoredCaseStudy
from bot.store.takes import TakeStore

log = logging.getLogger(__name__)

TAKE_MAX = 1000
TAKE_MIN = 3  # "ok" says nothing; a take is a stance and a reason
TALLY_DELAY_SECONDS = 1.0


@dataclass(frozen=True)
class TakeReceipt:
    case_study_id: int
    first: bool  # False: the student replaced their earlier take
    stance: str


class TakeService:
    def __init__(
        self,
        takes: TakeStore,
        posts: PostingStore,
        on_change: Callable[[int], None] = lambda case_study_id: None,
    ) -> None:
        self._takes = takes
        self._posts = posts
        self._on_change = on_change

    def on_change(self, callback: Callable[[int], None]) -> None:
        self._on_change = callback

    async def open_case_study(self, case_study_id: int) -> StoredCaseStudy:
        """The case study a take is for, if students may still give one."""
        stored = await self._posts.case_study(case_study_id)
        # A post being made (its buttons are visible before its thread exists) already takes takes.
        if stored is None or stored.status == DELETED:
            raise UserProblem("take.case_gone")
        return stored

    async def in_thread(self, thread_id: int) -> StoredCaseStudy:
        stored = await self._posts.by_thread(thread_id)
        if stored is None:
            raise UserProblem("take.not_in_thread")
        if stored.status == DELETED:
            raise UserProblem("take.case_gone")
        return stored

    async def current(self, case_study_id: int, user_id: int) -> StoredTake | None:
        return await self._takes.get(case_study_id, user_id)

    async def submit(
        self, case_study_id: int, user_id: int, stance: str | None, text: str, source: str
    ) -> TakeReceipt:
        """Store the take, or raise `UserProblem` saying what is wrong (nothing stored then)."""
        stance = (stance or "").strip()
        if stance not in STANCES:
            raise UserProblem("take.bad_stance")
        words = " ".join(text.split())
        if len(words) < TAKE_MIN:
            raise UserProblem("take.empty")
        if len(text.strip()) > TAKE_MAX:
            raise UserProblem("take.too_long", max=TAKE_MAX, length=len(text.strip()))
        await self.open_case_study(case_study_id)
        first = await self._takes.save(case_study_id, user_id, stance, text.strip(), source)
        self._on_change(case_study_id)
        return TakeReceipt(case_study_id, first, stance)

    async def set_hidden(self, case_study_id: int, user_id: int, hidden: bool) -> None:
        if not await self._takes.set_hidden(case_study_id, user_id, hidden):
            raise UserProblem("moderation.no_take")
        self._on_change(case_study_id)

    async def tally(self, case_study_id: int) -> Tally:
        return await self._takes.tally(case_study_id)

    async def vote_useful(self, case_study_id: int, user_id: int) -> tuple[bool, int]:
        await self.open_case_study(case_study_id)
        return await self._takes.vote_useful(case_study_id, user_id)


class TallyRefresher:
    """Edits each thread's count message after takes change, at most once per `delay` per thread."""

    def __init__(
        self,
        load: Callable[[int], Awaitable[TallyUpdate | None]],
        publish: Callable[[TallyUpdate], Awaitable[None]],
        delay: float = TALLY_DELAY_SECONDS,
    ) -> None:
        self._load = load
        self._publish = publish
        self._delay = delay
        self._pending: dict[int, asyncio.Task[None]] = {}
        self._dirty: set[int] = set()

    def request(self, case_study_id: int) -> None:
        if case_study_id in self._pending:
            self._dirty.add(case_study_id)  # the running refresh will go round once more
            return
        task = asyncio.create_task(self._refresh(case_study_id), name=f"tally-{case_study_id}")
        self._pending[case_study_id] = task

    async def _refresh(self, case_study_id: int) -> None:
        try:
            while True:
                await asyncio.sleep(self._delay)  # gathers the takes of a burst into one edit
                self._dirty.discard(case_study_id)
                update = await self._load(case_study_id)
                if update is not None:
                    await self._publish(update)
                if case_study_id not in self._dirty:
                    return
        except DeliveryFailure as failure:
            log.warning(
                "case study %s: the count of takes was not updated: %s", case_study_id, failure.detail
            )
        except Exception:
            log.exception("case study %s: updating the count of takes failed", case_study_id)
        finally:
            self._pending.pop(case_study_id, None)
            self._dirty.discard(case_study_id)

    async def flush(self) -> None:
        """Wait for every pending refresh (used at shutdown, so the last takes are shown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending.values()), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._pending.values()):
            task.cancel()
        await asyncio.gather(*self._pending.values(), return_exceptions=True)


def tally_loader(
    posts: PostingStore, takes: TakeService, locale_of: Callable[[int], Awaitable[Locale]]
) -> Callable[[int], Awaitable[TallyUpdate | None]]:
    """What `TallyRefresher` needs: the current count of a case study and where it is shown."""

    async def load(case_study_id: int) -> TallyUpdate | None:
        stored = await posts.case_study(case_study_id)
        if stored is None or stored.thread_id is None or stored.tally_message_id is None:
            return None
        return TallyUpdate(
            case_study_id,
            stored.thread_id,
            stored.tally_message_id,
            await takes.tally(case_study_id),
            await locale_of(stored.guild_id),
        )

    return load
