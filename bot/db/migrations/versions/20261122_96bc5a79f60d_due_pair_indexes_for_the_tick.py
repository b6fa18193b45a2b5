"""due-pair indexes for the tick; redundant outbox and round indexes dropped

Revision ID: 96bc5a79f60d
Revises: f1a988b9cb3d
Create Date: 2026-11-22 13:34:47.503677
"""

from collections.abc import Sequence

from alembic import op

revision: str = "96bc5a79f60d"
down_revision: str | None = "f1a988b9cb3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_recipient_id"))

    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_pair_id"))

    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_next_checkin_at"))
        batch_op.drop_index(batch_op.f("ix_pair_next_prompt_at"))
        batch_op.drop_index(batch_op.f("ix_pair_status"))
        batch_op.create_index("ix_pair_due_checkin", ["status", "next_checkin_at"], unique=False)
        batch_op.create_index(
            "ix_pair_due_prompt", ["status", "next_prompt_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.drop_index("ix_pair_due_prompt")
        batch_op.drop_index("ix_pair_due_checkin")
        batch_op.create_index(batch_op.f("ix_pair_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pair_next_prompt_at"), ["next_prompt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pair_next_checkin_at"), ["next_checkin_at"], unique=False
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_recipient_id"), ["recipient_id"], unique=False)

    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_pair_id"), ["pair_id"], unique=False)
