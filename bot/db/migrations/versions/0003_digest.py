"""The weekly digest: students' "useful" votes on each other's takes, which the digest quotes first.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "take_votes",
        sa.Column("take_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["take_id"], ["takes.id"], name=op.f("fk_take_votes_take_id_takes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("take_id", "user_id", name=op.f("pk_take_votes")),
    )
    with op.batch_alter_table("take_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_take_votes_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("take_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_take_votes_user_id"))
    op.drop_table("take_votes")
