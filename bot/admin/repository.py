"""SQL for the operators' numbers: counts of pairs, questions, check-ins and blocks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db.models import (
    CheckIn,
    Pair,
    Person,
    Round,
)


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def pair_counts(self, now: datetime) -> tuple[int, int]:
        """Active pairs now: (running, paused)."""
        paused = and_(
            col(Pair.pause_reason).is_not(None),
            or_(col(Pair.paused_until).is_(None), col(Pair.paused_until) > now),
        )
        statement = (
            select(paused, func.count()).where(col(Pair.status) == "active").group_by(paused)
        )
        counts = {bool(key): int(n) for key, n in (await self.session.execute(statement)).all()}
        return counts.get(False, 0), counts.get(True, 0)

    async def window_counts(self, since: datetime) -> dict[str, int]:
        """What happened since that instant."""

        async def count(table: Any, *conditions: Any) -> int:
            statement = select(func.count()).select_from(table).where(*conditions)
            return int((await self.session.execute(statement)).scalar_one())

        return {
            "pairs_created": await count(Pair, col(Pair.created_at) >= since),
            "questions": await count(Round, col(Round.created_at) >= since),
            "both_answered": await count(
                Round, col(Round.created_at) >= since, col(Round.revealed_at).is_not(None)
            ),
            "checkins": await count(CheckIn, col(CheckIn.created_at) >= since),
            "checkins_done": await count(
                CheckIn, col(CheckIn.created_at) >= since, col(CheckIn.revealed_at).is_not(None)
            ),
            "blocked": await count(Person, col(Person.blocked_at) >= since),
        }

    async def blocked_now(self) -> int:
        statement = (
            select(func.count()).select_from(Person).where(col(Person.blocked_at).is_not(None))
        )
        return int((await self.session.execute(statement)).scalar_one())
