"""each partner's own daily time; per-partner reminders on rounds

Revision ID: 5e7a0c3d9b21
Revises: c0a7e5d1b2f3
Create Date: 2026-12-03 07:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "5e7a0c3d9b21"
down_revision: str | None = "c0a7e5d1b2f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prompt_time", sa.Time(), nullable=True))
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("a_reminder_at", bot.db.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("b_reminder_at", bot.db.types.UTCDateTime(), nullable=True))
    _own_times_from_the_pairs()


def _own_times_from_the_pairs() -> None:
    """Each partner of an active pair starts with the pair's time as it reads on their
    own clock (their zone, or the pair's if they never set one): nobody's question moves."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT person.id, person.timezone, pair.timezone, pair.prompt_time "
            "FROM active_partner "
            "JOIN person ON person.id = active_partner.person_id "
            "JOIN pair ON pair.id = active_partner.pair_id"
        )
    ).all()
    now = datetime.now(UTC)
    update = sa.text("UPDATE person SET prompt_time = :at WHERE id = :id").bindparams(
        sa.bindparam("at", type_=sa.Time())
    )
    for person_id, own_zone, pair_zone, pair_time in rows:
        at = pair_time if isinstance(pair_time, time) else time.fromisoformat(str(pair_time))
        if own_zone and own_zone != pair_zone:
            today = now.astimezone(ZoneInfo(pair_zone)).date()
            instant = datetime.combine(today, at, tzinfo=ZoneInfo(pair_zone))
            at = instant.astimezone(ZoneInfo(own_zone)).time().replace(second=0, microsecond=0)
        bind.execute(update, {"at": at, "id": person_id})


def downgrade() -> None:
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("b_reminder_at")
        batch_op.drop_column("a_reminder_at")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("prompt_time")
