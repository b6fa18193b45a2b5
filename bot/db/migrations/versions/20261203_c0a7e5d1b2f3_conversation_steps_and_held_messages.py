"""conversation: steps expire; messages held while the bot asks where they go

Revision ID: c0a7e5d1b2f3
Revises: 96bc5a79f60d
Create Date: 2026-12-03 06:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "c0a7e5d1b2f3"
down_revision: str | None = "96bc5a79f60d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "held_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", bot.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pair.id"], name=op.f("fk_held_message_pair_id_pair")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_held_message_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_message")),
    )
    with op.batch_alter_table("held_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_held_message_person_id"), ["person_id"], unique=False)

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("step_expires_at", bot.db.types.UTCDateTime(), nullable=True))

    # A rating now counts the moment it is tapped: open check-ins rated before this
    # change (note neither written nor skipped) are done for that partner.
    for side in ("a", "b"):
        op.execute(
            f"UPDATE checkin SET {side}_done_at = created_at "  # noqa: S608 (a or b)
            f"WHERE status = 'open' AND {side}_rating IS NOT NULL AND {side}_done_at IS NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("step_expires_at")
    with op.batch_alter_table("held_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_held_message_person_id"))
    op.drop_table("held_message")
