"""Posting case studies: guild settings for alerts, notifications and replies; one case study per
slot; the thread's running count of takes; students' "useful" votes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("guilds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notify_enabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("alerts_channel_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("replies_as_takes", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("skip_slot", sa.String(length=40), nullable=True))

    with op.batch_alter_table("case_studies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tally_message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("requested_by", sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_case_studies_guild_id_slot"), ["guild_id", "slot"])

    op.create_table(
        "useful_votes",
        sa.Column("case_study_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_study_id"],
            ["case_studies.id"],
            name=op.f("fk_useful_votes_case_study_id_case_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_study_id", "user_id", name=op.f("pk_useful_votes")),
    )
    with op.batch_alter_table("useful_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_useful_votes_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("useful_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_useful_votes_user_id"))
    op.drop_table("useful_votes")
    with op.batch_alter_table("case_studies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_case_studies_guild_id_slot"), type_="unique")
        batch_op.drop_column("requested_by")
        batch_op.drop_column("tally_message_id")
    with op.batch_alter_table("guilds", schema=None) as batch_op:
        batch_op.drop_column("skip_slot")
        batch_op.drop_column("replies_as_takes")
        batch_op.drop_column("alerts_channel_id")
        batch_op.drop_column("notify_enabled")
