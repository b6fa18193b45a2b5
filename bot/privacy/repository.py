"""SQL for privacy: export, erasure and re-encryption."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db.models import (
    Answer,
    CheckIn,
    HeldMessage,
    InboxUpdate,
    Invite,
    OutboxMessage,
    Pair,
    Person,
    PromptRecord,
    Round,
)

_BATCH = 500


class PrivacyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- export -------------------------------------------------------------------------

    async def pairs_of(self, person_id: int) -> Sequence[Pair]:
        statement = (
            select(Pair)
            .where(or_(col(Pair.partner_a_id) == person_id, col(Pair.partner_b_id) == person_id))
            .order_by(col(Pair.id))
        )
        return (await self.session.execute(statement)).scalars().all()

    async def first_names(self, person_ids: Collection[int]) -> dict[int, str]:
        if not person_ids:
            return {}
        statement = select(col(Person.id), col(Person.first_name)).where(
            col(Person.id).in_(list(person_ids))
        )
        return {pid: name for pid, name in (await self.session.execute(statement)).all()}

    async def answers_of(self, person_id: int) -> list[tuple[Answer, date, str | None]]:
        """The person's own answers with their round's date and the question text."""
        statement = (
            select(Answer, col(Round.local_date), col(PromptRecord.text))
            .join(Round, col(Round.id) == col(Answer.round_id))
            .join(PromptRecord, col(PromptRecord.id) == col(Round.prompt_id), isouter=True)
            .where(col(Answer.person_id) == person_id)
            .order_by(col(Round.local_date), col(Answer.id))
        )
        return [(a, d, t) for a, d, t in (await self.session.execute(statement)).all()]

    async def checkins_of(self, pair_ids: Collection[int]) -> Sequence[CheckIn]:
        if not pair_ids:
            return []
        statement = (
            select(CheckIn)
            .where(col(CheckIn.pair_id).in_(list(pair_ids)))
            .order_by(col(CheckIn.local_date), col(CheckIn.id))
        )
        return (await self.session.execute(statement)).scalars().all()

    async def written_to_partners(self, person_id: int) -> Sequence[OutboxMessage]:
        """What this person sent their partner through the bot: replies relayed from under
        a reveal (keyed by their chat, which is their id) and reactions (keyed by round
        and person; see bot/rounds/reactions.py)."""
        relays = col(OutboxMessage.dedupe_key).startswith(f"relay:{person_id}:")
        reactions = and_(
            col(OutboxMessage.kind) == "reaction",
            col(OutboxMessage.dedupe_key).like(f"round:%:{person_id}:reaction:%"),
        )
        statement = (
            select(OutboxMessage).where(or_(relays, reactions)).order_by(col(OutboxMessage.id))
        )
        return (await self.session.execute(statement)).scalars().all()

    async def invites_of(self, person_id: int) -> Sequence[Invite]:
        statement = (
            select(Invite).where(col(Invite.inviter_id) == person_id).order_by(col(Invite.id))
        )
        return (await self.session.execute(statement)).scalars().all()

    # --- erasure ------------------------------------------------------------------------

    async def subjects_of(self, pair_ids: Collection[int]) -> tuple[set[int], set[int]]:
        """Ids of the rounds and check-ins of these pairs."""
        if not pair_ids:
            return set(), set()
        rounds = select(col(Round.id)).where(col(Round.pair_id).in_(list(pair_ids)))
        checkins = select(col(CheckIn.id)).where(col(CheckIn.pair_id).in_(list(pair_ids)))
        return (
            {int(i) for i in (await self.session.execute(rounds)).scalars().all() if i},
            {int(i) for i in (await self.session.execute(checkins)).scalars().all() if i},
        )

    async def outbox_for(self, recipient_ids: Collection[int]) -> Sequence[OutboxMessage]:
        if not recipient_ids:
            return []
        statement = select(OutboxMessage).where(
            col(OutboxMessage.recipient_id).in_(list(recipient_ids))
        )
        return (await self.session.execute(statement)).scalars().all()

    async def delete_outbox(self, message_ids: Collection[int]) -> None:
        if message_ids:
            await self.session.execute(
                delete(OutboxMessage).where(col(OutboxMessage.id).in_(list(message_ids)))
            )

    async def set_outbox_params(self, message_id: int, params: dict[str, Any]) -> None:
        await self.session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id)
            .values(params=params, dedupe_key=f"erased:{message_id}")
        )

    async def erase_person(self, person_id: int, stand_in_id: int | None, now: datetime) -> None:
        """Move what a partner keeps to an anonymous stand-in (needed only if the person
        was ever paired), erase the person's words, ratings, notes, invites and messages,
        and delete their row.

        Call after their active pair (if any) has ended."""
        s = self.session
        for is_a in (True, False):
            side = Pair.partner_a_id if is_a else Pair.partner_b_id
            their_pairs = select(col(Pair.id)).where(col(side) == person_id)
            values: dict[Any, Any] = (
                {CheckIn.a_rating: None, CheckIn.a_note: None}
                if is_a
                else {CheckIn.b_rating: None, CheckIn.b_note: None}
            )
            await s.execute(
                update(CheckIn).where(col(CheckIn.pair_id).in_(their_pairs)).values(values)
            )
        if stand_in_id is not None:
            await self._move_to_stand_in(person_id, stand_in_id, now)
        await s.execute(delete(Invite).where(col(Invite.inviter_id) == person_id))
        await s.execute(
            update(Invite).where(col(Invite.used_by_id) == person_id).values(used_by_id=None)
        )
        await s.execute(delete(OutboxMessage).where(col(OutboxMessage.recipient_id) == person_id))
        await s.execute(delete(HeldMessage).where(col(HeldMessage.person_id) == person_id))
        # Stored webhook updates carry their messages word for word (pending ones came
        # after this request: they are new, and still to be handled).
        await s.execute(
            delete(InboxUpdate).where(
                and_(col(InboxUpdate.chat_key) == person_id, col(InboxUpdate.status) != "pending")
            )
        )
        await s.execute(delete(Person).where(col(Person.id) == person_id))

    async def _move_to_stand_in(self, person_id: int, stand_in_id: int, now: datetime) -> None:
        s = self.session
        s.add(Person(id=stand_in_id, first_name="Someone", created_at=now, updated_at=now))
        await s.flush()
        for column in (
            Pair.partner_a_id,
            Pair.partner_b_id,
            Pair.ended_by_id,
            Pair.time_set_by_id,
            Pair.paused_by_id,
        ):
            await s.execute(
                update(Pair).where(col(column) == person_id).values({column: stand_in_id})
            )
        await s.execute(
            update(Answer)
            .where(col(Answer.person_id) == person_id)
            .values(
                person_id=stand_in_id,
                kind="removed",
                body=None,
                file_id=None,
                chat_id=stand_in_id,
                message_id=0,
                length=0,
            )
        )

    # --- re-encryption ----------------------------------------------------------------------

    async def rewrite_answers(self, after_id: int) -> tuple[int, int]:
        """Write a batch of answer texts back (the column type encrypts with the current
        key). Returns (rows rewritten, last id); (0, after_id) when done."""
        statement = (
            select(col(Answer.id), col(Answer.body))
            .where(and_(col(Answer.id) > after_id, col(Answer.body).is_not(None)))
            .order_by(col(Answer.id))
            .limit(_BATCH)
        )
        rows = (await self.session.execute(statement)).all()
        if rows:
            await self.session.execute(
                update(Answer), [{"id": row_id, "body": body} for row_id, body in rows]
            )
        return len(rows), (int(rows[-1][0] or 0) if rows else after_id)

    async def rewrite_checkins(self, after_id: int) -> tuple[int, int]:
        statement = (
            select(col(CheckIn.id), col(CheckIn.a_note), col(CheckIn.b_note))
            .where(
                and_(
                    col(CheckIn.id) > after_id,
                    or_(col(CheckIn.a_note).is_not(None), col(CheckIn.b_note).is_not(None)),
                )
            )
            .order_by(col(CheckIn.id))
            .limit(_BATCH)
        )
        rows = (await self.session.execute(statement)).all()
        if rows:
            await self.session.execute(
                update(CheckIn),
                [{"id": row_id, "a_note": a, "b_note": b} for row_id, a, b in rows],
            )
        return len(rows), (int(rows[-1][0] or 0) if rows else after_id)

    async def rewrite_inbox(self, after_id: int) -> tuple[int, int]:
        statement = (
            select(col(InboxUpdate.update_id), col(InboxUpdate.payload))
            .where(col(InboxUpdate.update_id) > after_id)
            .order_by(col(InboxUpdate.update_id))
            .limit(_BATCH)
        )
        rows = (await self.session.execute(statement)).all()
        if rows:
            await self.session.execute(
                update(InboxUpdate),
                [{"update_id": update_id, "payload": payload} for update_id, payload in rows],
            )
        return len(rows), (int(rows[-1][0]) if rows else after_id)

    async def rewrite_outbox(self, after_id: int) -> tuple[int, int]:
        statement = (
            select(col(OutboxMessage.id), col(OutboxMessage.params))
            .where(col(OutboxMessage.id) > after_id)
            .order_by(col(OutboxMessage.id))
            .limit(_BATCH)
        )
        rows = (await self.session.execute(statement)).all()
        if rows:
            await self.session.execute(
                update(OutboxMessage), [{"id": row_id, "params": p} for row_id, p in rows]
            )
        return len(rows), (int(rows[-1][0] or 0) if rows else after_id)
