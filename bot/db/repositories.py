"""All SQL lives here. Repositories take and return plain values or table rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db.models import ActivePartner, Invite, OutboxMessage, Pair, Person
from bot.domain.people import PersonInfo


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that understands ON CONFLICT on both engines."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _rowcount(result: Any) -> int:
    """Rows touched by an UPDATE or DELETE (the async Result hides the cursor's type)."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


class PersonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, info: PersonInfo, now: datetime) -> None:
        """Record who wrote, keeping names current; a message also means not blocked."""
        values = {
            "first_name": info.first_name[:256],
            "last_name": (info.last_name or None) and info.last_name[:256],
            "username": info.username,
            "language_code": info.language_code,
            "updated_at": now,
            "blocked_at": None,
        }
        statement = dialect_insert(self.session, Person).values(
            id=info.id, created_at=now, **values
        )
        statement = statement.on_conflict_do_update(index_elements=["id"], set_=values)
        await self.session.execute(statement)

    async def get(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    async def set_blocked(self, person_id: int, blocked_at: datetime | None) -> bool:
        result = await self.session.execute(
            update(Person).where(col(Person.id) == person_id).values(blocked_at=blocked_at)
        )
        return bool(_rowcount(result))


class PairRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def active_pair_of(self, person_id: int) -> Pair | None:
        statement = (
            select(Pair)
            .join(ActivePartner, col(ActivePartner.pair_id) == col(Pair.id))
            .where(col(ActivePartner.person_id) == person_id)
        )
        return (await self.session.execute(statement)).scalars().first()

    async def is_paired(self, person_id: int) -> bool:
        return await self.session.get(ActivePartner, person_id) is not None

    async def create(self, partner_a_id: int, partner_b_id: int, now: datetime) -> Pair:
        """Create an active pair; the ActivePartner primary key refuses a second one."""
        pair = Pair(partner_a_id=partner_a_id, partner_b_id=partner_b_id, created_at=now)
        self.session.add(pair)
        await self.session.flush()
        assert pair.id is not None
        self.session.add_all(
            [
                ActivePartner(person_id=partner_a_id, pair_id=pair.id),
                ActivePartner(person_id=partner_b_id, pair_id=pair.id),
            ]
        )
        await self.session.flush()
        return pair

    async def end(self, pair_id: int, ended_by_id: int, now: datetime) -> bool:
        """End an active pair once: only the call that flips the status wins."""
        result = await self.session.execute(
            update(Pair)
            .where(and_(col(Pair.id) == pair_id, col(Pair.status) == "active"))
            .values(status="ended", ended_at=now, ended_by_id=ended_by_id)
        )
        if not _rowcount(result):
            return False
        await self.session.execute(
            delete(ActivePartner).where(col(ActivePartner.pair_id) == pair_id)
        )
        return True

    async def get(self, pair_id: int) -> Pair | None:
        return await self.session.get(Pair, pair_id)

    async def count_active(self) -> int:
        statement = select(func.count()).select_from(Pair).where(col(Pair.status) == "active")
        return int((await self.session.execute(statement)).scalar_one())


class InviteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def revoke_open_of(self, inviter_id: int) -> int:
        result = await self.session.execute(
            update(Invite)
            .where(and_(col(Invite.inviter_id) == inviter_id, col(Invite.status) == "open"))
            .values(status="revoked")
        )
        return int(_rowcount(result))

    async def add(
        self, inviter_id: int, token_hash: str, created_at: datetime, expires_at: datetime
    ) -> Invite:
        invite = Invite(
            inviter_id=inviter_id,
            token_hash=token_hash,
            created_at=created_at,
            expires_at=expires_at,
        )
        self.session.add(invite)
        await self.session.flush()
        return invite

    async def by_token_hash(self, token_hash: str, *, for_update: bool = False) -> Invite | None:
        statement = select(Invite).where(col(Invite.token_hash) == token_hash)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalars().first()

    async def mark_used(self, invite_id: int, used_by_id: int, pair_id: int, now: datetime) -> bool:
        """Use an invite once: the status check in the WHERE makes a second use a no-op."""
        result = await self.session.execute(
            update(Invite)
            .where(and_(col(Invite.id) == invite_id, col(Invite.status) == "open"))
            .values(status="used", used_by_id=used_by_id, used_at=now, pair_id=pair_id)
        )
        return bool(_rowcount(result))


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.wrote = False

    async def enqueue(
        self,
        *,
        recipient_id: int,
        kind: str,
        dedupe_key: str,
        params: dict[str, Any],
        now: datetime,
        priority: int = 10,
    ) -> None:
        """Queue a message unless one with the same key exists (idempotent by design)."""
        statement = (
            dialect_insert(self.session, OutboxMessage)
            .values(
                recipient_id=recipient_id,
                kind=kind,
                dedupe_key=dedupe_key,
                params=params,
                priority=priority,
                not_before=now,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
        )
        await self.session.execute(statement)
        self.wrote = True

    async def claim_due(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[OutboxMessage]:
        """Claim pending messages (and ones whose lease ran out after a crash), best first."""
        due = and_(
            col(OutboxMessage.not_before) <= now,
            or_(
                col(OutboxMessage.status) == "pending",
                and_(
                    col(OutboxMessage.status) == "sending",
                    col(OutboxMessage.claimed_until) < now,
                ),
            ),
        )
        statement = (
            select(OutboxMessage)
            .where(due)
            .order_by(col(OutboxMessage.priority), col(OutboxMessage.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list((await self.session.execute(statement)).scalars().all())
        if rows:
            await self.session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id).in_([row.id for row in rows]))
                .values(status="sending", claimed_until=lease_until)
            )
        return rows

    async def mark_sent(
        self, message_id: int, telegram_message_id: int | None, now: datetime
    ) -> None:
        await self.session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id)
            .values(
                status="sent",
                sent_at=now,
                telegram_message_id=telegram_message_id,
                claimed_until=None,
                attempts=col(OutboxMessage.attempts) + 1,
            )
        )

    async def release_for_retry(self, message_id: int, not_before: datetime, error: str) -> None:
        await self.session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id)
            .values(
                status="pending",
                not_before=not_before,
                claimed_until=None,
                attempts=col(OutboxMessage.attempts) + 1,
                last_error=error[:200],
            )
        )

    async def mark_failed(self, message_id: int, status: str, error: str) -> None:
        """Give up on a message: `blocked` (the person blocked the bot) or `failed`."""
        await self.session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id)
            .values(
                status=status,
                claimed_until=None,
                attempts=col(OutboxMessage.attempts) + 1,
                last_error=error[:200],
            )
        )

    async def pending_for(self, recipient_id: int) -> Sequence[OutboxMessage]:
        statement = select(OutboxMessage).where(
            and_(
                col(OutboxMessage.recipient_id) == recipient_id,
                col(OutboxMessage.status) == "pending",
            )
        )
        return (await self.session.execute(statement)).scalars().all()

    async def depth(self) -> int:
        statement = (
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.status).in_(["pending", "sending"]))
        )
        return int((await self.session.execute(statement)).scalar_one())
