"""SQL for the operators' look at the database: /readyz's ping, /metrics' gauges, and
handing back outbox rows a stopping sender had claimed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    and_,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db.models import (
    OutboxMessage,
    Pair,
)
from bot.db.sql import as_utc, rowcount
from bot.delivery.repository import InboxRepository


@dataclass(frozen=True)
class OperationsSnapshot:
    """What /metrics reports from the database."""

    outbox_depth: int
    outbox_oldest_created_at: datetime | None
    due_pairs: int
    oldest_due_at: datetime | None
    inbox_depth: int


class OperationsRepository:
    """Health, metrics and shutdown chores that span tables."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ping(self) -> None:
        await self.session.execute(select(literal(1)))

    async def snapshot(self, now: datetime) -> OperationsSnapshot:
        outbox = (
            await self.session.execute(
                select(func.count(), func.min(col(OutboxMessage.created_at))).where(
                    col(OutboxMessage.status).in_(["pending", "sending"])
                )
            )
        ).one()
        due = (
            await self.session.execute(
                select(func.count(), func.min(col(Pair.next_prompt_at))).where(
                    and_(col(Pair.status) == "active", col(Pair.next_prompt_at) <= now)
                )
            )
        ).one()
        inbox = await InboxRepository(self.session).depth()
        return OperationsSnapshot(
            outbox_depth=int(outbox[0]),
            outbox_oldest_created_at=as_utc(outbox[1]),
            due_pairs=int(due[0]),
            oldest_due_at=as_utc(due[1]),
            inbox_depth=inbox,
        )

    async def release_outbox(self, message_ids: Collection[int]) -> int:
        """Claimed but unsent messages go back to pending at once (a stopping replica)."""
        if not message_ids:
            return 0
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                and_(
                    col(OutboxMessage.id).in_(list(message_ids)),
                    col(OutboxMessage.status) == "sending",
                )
            )
            .values(status="pending", claimed_until=None)
        )
        return rowcount(result)
