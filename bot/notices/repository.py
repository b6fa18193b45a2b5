"""SQL for the notices about shared settings that wait in the outbox (see
bot/notices/rules.py): find the one still waiting for a reader, rewrite or withdraw it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db.models import OutboxMessage
from bot.db.sql import dialect_insert
from bot.notices.messages import SettingChanged

NOTICE_KIND = SettingChanged.kind


def _prefix(pair_id: int, recipient_id: int, setting: str) -> str:
    return f"notice:{pair_id}:{recipient_id}:{setting}:"


class NoticeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def waiting(self, pair_id: int, recipient_id: int, setting: str) -> OutboxMessage | None:
        """The notice about `setting` not yet claimed by the sender, locked for rewriting."""
        statement = (
            select(OutboxMessage)
            .where(
                and_(
                    col(OutboxMessage.recipient_id) == recipient_id,
                    col(OutboxMessage.kind) == NOTICE_KIND,
                    col(OutboxMessage.status) == "pending",
                    col(OutboxMessage.dedupe_key).startswith(
                        _prefix(pair_id, recipient_id, setting)
                    ),
                )
            )
            .order_by(col(OutboxMessage.id).desc())
            .limit(1)
            .with_for_update()
        )
        return (await self.session.execute(statement)).scalars().first()

    async def rewrite(self, notice_id: int, notice: SettingChanged, not_before: datetime) -> bool:
        """False when the sender claimed it meanwhile (it goes as it was)."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(and_(col(OutboxMessage.id) == notice_id, col(OutboxMessage.status) == "pending"))
            .values(params=notice.to_params(), not_before=not_before)
        )
        return bool(getattr(result, "rowcount", 0))

    async def withdraw(self, notice_id: int) -> None:
        await self.session.execute(
            delete(OutboxMessage).where(
                and_(col(OutboxMessage.id) == notice_id, col(OutboxMessage.status) == "pending")
            )
        )

    async def add(
        self,
        *,
        pair_id: int,
        recipient_id: int,
        setting: str,
        message: SettingChanged,
        now: datetime,
        not_before: datetime,
        priority: int,
    ) -> None:
        """A new notice; its key is unique, since each one describes a new stretch of
        changes (identical changes are told again once the previous notice went)."""
        key = _prefix(pair_id, recipient_id, setting) + uuid.uuid4().hex
        await self.session.execute(
            dialect_insert(self.session, OutboxMessage).values(
                recipient_id=recipient_id,
                kind=message.kind,
                dedupe_key=key,
                params=message.to_params(),
                priority=priority,
                not_before=not_before,
                created_at=now,
            )
        )
