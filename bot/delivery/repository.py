"""SQL for the webhook inbox (updates stored before Telegram gets its 200) and the send
budget every replica shares."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Double,
    and_,
    delete,
    func,
    literal,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from bot.db.models import (
    InboxUpdate,
    SendBudget,
)
from bot.db.sql import dialect_insert, rowcount

INBOX_OPEN = ("pending", "processing")


class InboxRepository:
    """Webhook updates stored before they are acknowledged (see `InboxUpdate`)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, update_id: int, chat_key: int, payload: dict[str, Any], now: datetime
    ) -> bool:
        """Store an update; False when this update_id is already there (a retry)."""
        statement = (
            dialect_insert(self.session, InboxUpdate)
            .values(update_id=update_id, chat_key=chat_key, payload=payload, received_at=now)
            .on_conflict_do_nothing(index_elements=["update_id"])
        )
        return bool(rowcount(await self.session.execute(statement)))

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[InboxUpdate]:
        """Due updates in update_id order, at most one per chat: a chat's next update waits
        until every earlier one of that chat is done (on every replica)."""
        earlier = aliased(InboxUpdate)
        waits = (
            select(literal(1))
            .where(
                and_(
                    col(earlier.chat_key) == col(InboxUpdate.chat_key),
                    col(earlier.update_id) < col(InboxUpdate.update_id),
                    col(earlier.status).in_(INBOX_OPEN),
                )
            )
            .exists()
        )
        due = or_(
            col(InboxUpdate.status) == "pending",
            and_(
                col(InboxUpdate.status) == "processing",
                col(InboxUpdate.claimed_until) < now,
            ),
        )
        statement = (
            select(InboxUpdate)
            .where(and_(due, not_(waits)))
            .order_by(col(InboxUpdate.update_id))
            .limit(limit)
            .with_for_update(skip_locked=True, of=InboxUpdate)
        )
        rows = list((await self.session.execute(statement)).scalars().all())
        if rows:
            await self.session.execute(
                update(InboxUpdate)
                .where(col(InboxUpdate.update_id).in_([row.update_id for row in rows]))
                .values(
                    status="processing",
                    claimed_until=lease_until,
                    attempts=col(InboxUpdate.attempts) + 1,
                )
            )
        return rows

    async def finish(self, update_ids: Collection[int], status: str, now: datetime) -> None:
        """`done` (handled)."""
        if update_ids:
            await self.session.execute(
                update(InboxUpdate)
                .where(col(InboxUpdate.update_id).in_(list(update_ids)))
                .values(status=status, processed_at=now, claimed_until=None)
            )

    async def fail(self, update_id: int, kind: str, reason: str, now: datetime) -> None:
        """Given up: never claimed again, and no longer holds its chat's later updates."""
        await self.session.execute(
            update(InboxUpdate)
            .where(col(InboxUpdate.update_id) == update_id)
            .values(status="failed", processed_at=now, claimed_until=None, kind=kind, reason=reason)
        )

    async def failed_since(self, since: datetime) -> list[tuple[int, str, str]]:
        """(update_id, kind, reason) of updates given up on since `since`, oldest first."""
        statement = (
            select(col(InboxUpdate.update_id), col(InboxUpdate.kind), col(InboxUpdate.reason))
            .where(
                and_(col(InboxUpdate.status) == "failed", col(InboxUpdate.processed_at) >= since)
            )
            .order_by(col(InboxUpdate.update_id))
        )
        rows = (await self.session.execute(statement)).all()
        return [(int(i), kind or "unknown", reason or "") for i, kind, reason in rows]

    async def release(self, update_ids: Collection[int]) -> int:
        """Give claimed, unhandled updates back (a stopping replica)."""
        if not update_ids:
            return 0
        result = await self.session.execute(
            update(InboxUpdate)
            .where(
                and_(
                    col(InboxUpdate.update_id).in_(list(update_ids)),
                    col(InboxUpdate.status) == "processing",
                )
            )
            .values(status="pending", claimed_until=None)
        )
        return rowcount(result)

    async def prune(self, before: datetime) -> int:
        """Forget handled updates received before `before` (retries come much sooner)."""
        result = await self.session.execute(
            delete(InboxUpdate).where(
                and_(
                    col(InboxUpdate.status).in_(["done", "failed"]),
                    col(InboxUpdate.received_at) < before,
                )
            )
        )
        return rowcount(result)

    async def depth(self) -> int:
        statement = (
            select(func.count())
            .select_from(InboxUpdate)
            .where(col(InboxUpdate.status).in_(INBOX_OPEN))
        )
        return int((await self.session.execute(statement)).scalar_one())


class SendBudgetRepository:
    """Telegram's limits as GCRA rows every replica shares (PostgreSQL only).

    Times are the database clock's epoch seconds, so replicas' clocks need not agree.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def now(self) -> float:
        statement = select(func.extract("epoch", func.clock_timestamp()))
        return float((await self.session.execute(statement)).scalar_one())

    async def reserve(
        self, scope: str, earliest: float, interval: float, tolerance: float
    ) -> tuple[float, float]:
        """Take the next slot of `scope` at or after `earliest`: (its instant, the database
        clock once the row was locked).

        A scope admits a burst of tolerance/interval + 1 messages, then one per interval.
        """
        floor: Any = literal(earliest - tolerance, Double())
        step: Any = literal(interval, Double())
        statement = (
            postgresql.insert(SendBudget)
            .values(scope=scope, tat=earliest - tolerance + interval)
            .on_conflict_do_update(
                index_elements=["scope"],
                set_={"tat": func.greatest(col(SendBudget.tat), floor) + step},
            )
            .returning(col(SendBudget.tat), func.extract("epoch", func.clock_timestamp()))
        )
        tat, now = (await self.session.execute(statement)).one()
        return float(tat) - interval, float(now)

    async def hold_until(self, scope: str, instant: float) -> None:
        """Nobody takes a slot of `scope` before `instant` (Telegram's retry_after)."""
        until: Any = literal(instant, Double())
        statement = (
            postgresql.insert(SendBudget)
            .values(scope=scope, tat=instant)
            .on_conflict_do_update(
                index_elements=["scope"], set_={"tat": func.greatest(col(SendBudget.tat), until)}
            )
        )
        await self.session.execute(statement)

    async def prune(self, before: float, keep: str) -> int:
        result = await self.session.execute(
            delete(SendBudget).where(
                and_(col(SendBudget.scope) != keep, col(SendBudget.tat) < before)
            )
        )
        return rowcount(result)
