"""The contract of personal data: every part of the core that stores something about a person
declares, next to its queries, how to export it, how to erase it and how it ages out.

`PersonalData` values are gathered in `bot.privacy.catalogue.PERSONAL_DATA`; one coordinator
(`bot.privacy.service.PrivacyService`) runs them all. A test walks the schema and fails when a
column that holds a user's id is covered by no declaration: deletion is a contract, not a hunt.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

Row = dict[str, Any]
Export = Callable[[AsyncSession, int], Awaitable[list[Row]]]
Forget = Callable[[AsyncSession, int], Awaitable[int]]
Expire = Callable[[AsyncSession, datetime], Awaitable[int]]


@dataclass(frozen=True)
class PersonalData:
    """One kind of data about a person and the three things the coordinator may do with it."""

    name: str  # its section in the student's export ("takes")
    # Where the user's id is stored, as "table.column" (a JSON column holding it counts too).
    columns: tuple[str, ...]
    export: Export  # the person's rows, as plain JSON-ready values
    forget: Forget  # delete their rows, or anonymise references to them; how many changed
    expire: Expire | None = None  # what is older than the retention period: deleted or anonymised


def plain(value: Any) -> Any:
    """A value as JSON holds it (moments in ISO 8601)."""
    return value.isoformat() if isinstance(value, datetime) else value


def changed(result: Any) -> int:
    """How many rows an UPDATE or DELETE statement changed."""
    return int(getattr(result, "rowcount", 0) or 0)
