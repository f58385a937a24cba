"""Deletion is a contract: every column that can hold a person's id is covered by a registered
`PersonalData`, or is listed here as holding no person (with the reason)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger

from bot.db.models import Base
from bot.privacy.catalogue import PERSONAL_DATA

# Discord ids of things that are not people, and JSON that names nobody.
NOT_PERSONAL = {
    "guilds.id": "the server",
    "guilds.casestudy_channel_id": "a channel",
    "guilds.digest_channel_id": "a channel",
    "guilds.moderator_role_id": "a role",
    "guilds.notify_role_id": "a role",
    "guilds.alerts_channel_id": "a channel",
    "guilds.themes": "theme ids",
    "feeds.themes": "theme ids",
    "articles.theme_scores": "theme scores",
    "article_bands.band": "a hash of an article's words",
    "case_studies.guild_id": "the server",
    "case_studies.channel_id": "a channel",
    "case_studies.message_id": "a message",
    "case_studies.thread_id": "a thread",
    "case_studies.tally_message_id": "a message",
    "case_studies.content": "the case study: an article's summary, key terms and questions",
    "digests.guild_id": "the server",
    "outbox.guild_id": "the server",
    "outbox.result": "ids of the messages posted",
    "suggestions.guild_id": "the server",
    "suggestions.channel_id": "a channel",
    "suggestions.message_id": "the suggestion's card",
    "suggestions.theme_scores": "theme scores",
    "member_preferences.guild_id": "the server",
}


def columns_that_may_hold_a_person() -> set[str]:
    """Every snowflake (BigInteger) and JSON column of the schema."""
    found = set()
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, BigInteger | JSON):
                found.add(f"{table.name}.{column.name}")
    return found


def test_every_column_that_may_hold_a_person_is_covered_or_explained() -> None:
    covered = {column for data in PERSONAL_DATA for column in data.columns}
    unaccounted = columns_that_may_hold_a_person() - covered - set(NOT_PERSONAL)
    assert not unaccounted, (
        f"{sorted(unaccounted)}: register how to export, forget and expire what these columns hold "
        "(a PersonalData in bot.privacy.catalogue), or add them to NOT_PERSONAL with the reason"
    )


def test_the_registry_names_real_columns_and_is_not_padded() -> None:
    real = columns_that_may_hold_a_person()
    declared = [column for data in PERSONAL_DATA for column in data.columns]
    assert set(declared) <= real, "a PersonalData names a column that does not exist"
    assert not set(declared) & set(NOT_PERSONAL), "a column is both personal and not"
    assert len({data.name for data in PERSONAL_DATA}) == len(PERSONAL_DATA), "export sections collide"


def test_the_check_catches_a_new_user_column() -> None:
    from sqlalchemy import Column, MetaData, Table

    scratch = MetaData()
    Table("badges", scratch, Column("student_id", BigInteger))
    for table in scratch.sorted_tables:
        table.to_metadata(Base.metadata)
    try:
        covered = {column for data in PERSONAL_DATA for column in data.columns}
        unaccounted = columns_that_may_hold_a_person() - covered - set(NOT_PERSONAL)
        assert unaccounted == {"badges.student_id"}
    finally:
        Base.metadata.remove(Base.metadata.tables["badges"])
