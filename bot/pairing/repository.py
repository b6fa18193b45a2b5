"""SQL for invites: single-use, expiring, stored only as a hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    and_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db.models import (
    Invite,
)
from bot.db.sql import rowcount


class InviteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def revoke_open_of(self, inviter_id: int) -> int:
        result = await self.session.execute(
            update(Invite)
            .where(and_(col(Invite.inviter_id) == inviter_id, col(Invite.status) == "open"))
            .values(status="revoked")
        )
        return int(rowcount(result))

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
        return bool(rowcount(result))
