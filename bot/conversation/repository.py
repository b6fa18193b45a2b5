"""SQL for messages the bot holds while it asks the person where they go."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db.models import HeldMessage


class HeldMessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def hold(
        self, person_id: int, pair_id: int, payload: dict[str, Any], now: datetime
    ) -> int:
        held = HeldMessage(person_id=person_id, pair_id=pair_id, payload=payload, created_at=now)
        self.session.add(held)
        await self.session.flush()
        assert held.id is not None
        return held.id

    async def take(self, held_id: int, person_id: int) -> HeldMessage | None:
        """The held message, removed, if it is this person's; None once taken (a second tap)."""
        held = await self.session.get(HeldMessage, held_id, with_for_update=True)
        if held is None or held.person_id != person_id:
            return None
        await self.session.delete(held)
        await self.session.flush()
        return held

    async def prune(self, before: datetime) -> None:
        await self.session.execute(delete(HeldMessage).where(col(HeldMessage.created_at) < before))
