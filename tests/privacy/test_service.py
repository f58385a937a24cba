"""`/my-data`, `/forget-me` and the retention job, run by the one coordinator on a real database
(SQLite and PostgreSQL): a student's export holds exactly their rows, and once forgotten nothing
in the database points at them, not even inside a digest already kept."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, BigInteger, select, update

from bot.db.engine import write_transaction
from bot.db.models import Base, Suggestion, Take, TakeVote
from bot.digest.week import IsoWeek
from bot.posting.config import SetupChange
from bot.privacy.service import PrivacyService
from tests.digest.conftest import GUILD, MONDAY, Group
from tests.posting.test_outbox import CASE

STUDENT, OTHER, MODERATOR = 777_000_000_000_001, 777_000_000_000_002, 777_000_000_000_009
STUDENT_TAKES = ("Le CV vidéo avantage ceux qui sont à l'aise à l'oral.", "Nuancé : utile pour les stages.")
OTHER_TAKE = "Pas d'accord, le CV papier reste lu en premier."
WEEK = "2026-W47"


async def populate(group: Group) -> dict[str, Any]:
    """A week in which the student did a bit of everything, as did another student and a moderator."""
    core = group.core
    await core.posting.setup(GUILD, SetupChange(anonymous_takes=False))
    await core.members.set_attributed(GUILD, STUDENT, True)
    first = await group.post_case(1, "video-cv", MONDAY)
    second = await group.post_case(2, "remote-recruiting", MONDAY + timedelta(days=1))
    await group.take(first, STUDENT, "agree", STUDENT_TAKES[0])
    await group.take(second, STUDENT, "nuanced", STUDENT_TAKES[1])
    await group.take(first, OTHER, "disagree", OTHER_TAKE)
    await core.takes.vote_useful(first, STUDENT)
    await core.takes.vote_useful(first, OTHER)
    async with write_transaction(core.sessions) as session:
        other_take = (await session.scalars(select(Take.id).where(Take.user_id == OTHER))).one()
        session.add(TakeVote(take_id=other_take, user_id=STUDENT))
    mine = await core.suggestions.suggest_topic(GUILD, STUDENT, "Le droit à la déconnexion des stagiaires")
    theirs = await core.suggestions.suggest_topic(GUILD, OTHER, "Les CV vidéo sont-ils discriminants ?")
    await core.suggestions.vote(theirs.suggestion.id, STUDENT)
    await core.suggestions.vote(mine.suggestion.id, OTHER)
    await core.suggestions.approve(theirs.suggestion.id, MODERATOR)
    async with write_transaction(core.sessions) as session:  # suggested during the week
        await session.execute(update(Suggestion).values(created_at=MONDAY))
    digests = group.digests()
    await digests.post_now(GUILD, MODERATOR)
    assert await group.deliver() >= 1
    kept = await digests.store.saved(GUILD, WEEK)
    assert kept is not None
    quoted = {quote.text: quote.author_id for entry in kept.case_studies for quote in entry.quotes}
    assert quoted[STUDENT_TAKES[0]] == STUDENT, "the student opted in: the kept digest names them"
    assert any(line.title.startswith("Le droit") for line in kept.suggestions)
    # A case study a moderator asked for, still on its way (the courier is not running).
    requested = replace(CASE, title="Demandée", url="https://example.org/demandee", theme="video-cv")
    await core.posting.store.queue_case_study(GUILD, requested, requested_by=MODERATOR, now=MONDAY)
    return {"cases": (first, second), "mine": mine.suggestion.id, "theirs": theirs.suggestion.id}


async def everything(group: Group) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as plain values."""
    tables: dict[str, list[dict[str, Any]]] = {}
    async with group.core.sessions() as session:
        for table in Base.metadata.sorted_tables:
            result = await session.execute(select(table))
            tables[table.name] = [dict(row._mapping) for row in result]
    return tables


def traces_of(user_id: int, texts: tuple[str, ...], tables: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Where `user_id` (as a snowflake column, or anywhere inside JSON) or their words remain."""
    found = []
    for table in Base.metadata.sorted_tables:
        for row in tables[table.name]:
            for column in table.columns:
                value = row[column.name]
                if isinstance(column.type, BigInteger) and value == user_id:
                    found.append(f"{table.name}.{column.name}")
                if isinstance(column.type, JSON):
                    dumped = json.dumps(value, ensure_ascii=False)
                    if str(user_id) in dumped or any(text in dumped for text in texts):
                        found.append(f"{table.name}.{column.name} (inside)")
                if isinstance(value, str) and value in texts:
                    found.append(f"{table.name}.{column.name} (words)")
    return found


async def test_my_data_holds_exactly_the_students_rows(group: Group) -> None:
    made = await populate(group)
    exported = await group.core.privacy.export(STUDENT)

    assert sorted(take["text"] for take in exported.sections["takes"]) == sorted(STUDENT_TAKES)
    assert {take["case_study_id"] for take in exported.sections["takes"]} == set(made["cases"])
    assert [vote["case_study_id"] for vote in exported.sections["useful_votes"]] == [made["cases"][0]]
    assert len(exported.sections["take_votes"]) == 1
    assert [s["title"] for s in exported.sections["suggestions"]] == [
        "Le droit à la déconnexion des stagiaires"
    ]
    voted = sorted(vote["suggestion_id"] for vote in exported.sections["suggestion_votes"])
    assert voted == sorted([made["mine"], made["theirs"]])
    quotes = exported.sections["digest_quotes"]
    assert sorted(quote["quoted"] for quote in quotes) == sorted(STUDENT_TAKES)
    assert all(quote["named"] is True and quote["week"] == WEEK for quote in quotes)
    assert exported.sections["preferences"] == [
        {
            "server_id": str(GUILD),
            "named_in_digest": True,
            "since": exported.sections["preferences"][0]["since"],
        }
    ]
    assert exported.sections["requests"] == exported.sections["decisions"] == []
    document = json.loads(exported.to_json())
    assert document["user_id"] == str(STUDENT)
    assert OTHER_TAKE not in exported.to_json().decode()

    moderator = await group.core.privacy.export(MODERATOR)
    assert sorted(r["requested"] for r in moderator.sections["requests"]) == ["case study", "digest"]
    assert [d["decision"] for d in moderator.sections["decisions"]] == ["approved"]
    assert not moderator.sections["takes"]


async def test_a_student_with_no_data_gets_an_empty_export(group: Group) -> None:
    exported = await group.core.privacy.export(STUDENT)
    assert exported.empty
    assert all(rows == [] for rows in exported.sections.values())


async def test_forget_me_leaves_nothing_linked_to_the_student(group: Group) -> None:
    made = await populate(group)
    before = await everything(group)
    assert traces_of(STUDENT, STUDENT_TAKES, before), "the test must start with traces to remove"

    forgotten = await group.core.privacy.forget(STUDENT)

    assert forgotten.counts["takes"] == 2
    after = await everything(group)
    assert traces_of(STUDENT, STUDENT_TAKES, after) == []
    # The others keep theirs: the other student's take, vote and suggestion, the moderator's posts.
    assert [take["text"] for take in after["takes"]] == [OTHER_TAKE]
    assert [v["user_id"] for v in after["useful_votes"]] == [OTHER]
    assert [s["id"] for s in after["suggestions"]] == [made["theirs"]]
    assert traces_of(MODERATOR, (), after), "forgetting a student leaves the moderator's records"
    # The digest already kept keeps its figures and the other student's words, not the student's.
    kept = await group.digests().store.saved(GUILD, WEEK)
    assert kept is not None
    assert kept.participation.students == 2
    texts = [quote.text for entry in kept.case_studies for quote in entry.quotes]
    assert OTHER_TAKE in texts
    assert not set(texts) & set(STUDENT_TAKES)
    assert [line.suggestion_id for line in kept.suggestions] == [made["theirs"]]
    # A digest built again from the database has no trace of them either.
    config = await group.core.posting.config(GUILD)
    rebuilt = await group.digests().reader.build(config, IsoWeek.parse(WEEK))
    dumped = json.dumps(rebuilt.to_dict(), ensure_ascii=False)
    assert str(STUDENT) not in dumped
    assert not any(text in dumped for text in STUDENT_TAKES)
    assert rebuilt.participation.students == 1


async def test_forget_me_twice_finds_nothing_the_second_time(group: Group) -> None:
    await populate(group)
    assert not (await group.core.privacy.forget(STUDENT)).nothing
    again = await group.core.privacy.forget(STUDENT)
    assert again.nothing
    assert (await group.core.privacy.export(STUDENT)).empty


async def test_forgetting_a_moderator_anonymises_what_they_did(group: Group) -> None:
    await populate(group)
    await group.core.privacy.forget(MODERATOR)
    after = await everything(group)
    assert traces_of(MODERATOR, (), after) == []
    assert len(after["case_studies"]) == 3, "the posts stay, asked for by nobody"
    decided = [(s["status"], s["decided_by"]) for s in after["suggestions"] if s["status"] != "pending"]
    assert decided == [("approved", None)], "the decision stays, made by nobody"


async def test_retention_deletes_old_activity_and_old_quotes(group: Group) -> None:
    await populate(group)
    # A year and a day later, the other student gives a fresh take on a new case study.
    later = datetime.now(UTC) + timedelta(days=366)
    fresh = await group.post_case(5, "video-cv", later)
    await group.take(fresh, OTHER, "agree", "Toujours d'actualité un an après.")
    async with write_transaction(group.core.sessions) as session:  # the takes' own dates
        for row in (await session.scalars(select(Take))).all():
            row.created_at = later if row.case_study_id == fresh else MONDAY

    service = PrivacyService(
        group.core.sessions, timedelta(days=365), clock=lambda: later + timedelta(hours=1)
    )
    expired = await service.expire()

    assert expired["takes"] == 3
    after = await everything(group)
    assert [take["text"] for take in after["takes"]] == ["Toujours d'actualité un an après."]
    assert after["useful_votes"] == after["take_votes"] == after["suggestion_votes"] == []
    assert after["suggestions"] == []
    assert all(row["requested_by"] is None for row in after["case_studies"])
    (digest,) = after["digests"]
    assert all(entry["quotes"] == [] for entry in digest["content"]["case_studies"])
    assert digest["content"]["participation"]["takes"] == 3, "the figures stay"
    assert after["member_preferences"], "a student's choice is not activity: it stays"
    assert (await service.expire()) == dict.fromkeys(expired, 0)
