"""pair_stage: the relationship stages a pair chose in /topics

Revision ID: 4b7e2c91d0a5
Revises: 4c1e7a9d2b57
Create Date: 2026-12-03 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "4b7e2c91d0a5"
down_revision: str | None = "4c1e7a9d2b57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pair_stage",
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"]),
        sa.PrimaryKeyConstraint("pair_id", "stage"),
    )


def downgrade() -> None:
    op.drop_table("pair_stage")
