"""SQL for the outbox: messages written with the change that causes them, claimed and
marked by the sender. Quiet hours are applied here, when a row is queued."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db.bulk import JsonRows
from bot.db.models import (
    ActivePartner,
    OutboxMessage,
    Pair,
    Person,
)
from bot.db.sql import dialect_insert
from bot.db.types import UTCDateTime
from bot.kernel.messages import Message, Queued
from bot.kernel.schedule import earliest_allowed

_OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]


_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("m_id"))
    .values(
        status="sent",
        sent_at=bindparam("m_sent_at", type_=_OUTBOX.c.sent_at.type),
        telegram_message_id=bindparam("m_telegram_id", type_=_OUTBOX.c.telegram_message_id.type),
        claimed_until=None,
        attempts=_OUTBOX.c.attempts + 1,
    )
)


class OutboxRepository:
    """The outbox. Every message goes through `enqueue` or `enqueue_many`, and that is
    where quiet hours are kept, for every kind, in one place.

    Quiet hours: a message reaches nobody between 22:00 and 08:00 on their own clock
    (their zone, or their pair's while they have not set one), except the hour after a
    daily time they chose inside that window (`schedule.earliest_allowed`). A message that
    would fall there gets `not_before` = the first allowed instant; the sender already
    waits for `not_before`. One query per call reads the recipients' zones and times.

    Direct replies are not held: a message that answers something its recipient has just
    done goes at once, whatever the hour. Say so with `direct=True` on `enqueue`, or on
    `enqueue_many` with `actor_id=<who acted>` (every row whose recipient is the actor is
    direct) or `"direct": True` in a row. Everything else (nudges, reveals to the partner
    who did not act, relays, reactions, partner notices, check-in asks, reminders) is held.

    `not_before` (an argument, or a row's `"not_before"`) asks for a later delivery, such
    as a partner's own question time; quiet hours then apply from that instant on.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.wrote = False

    async def enqueue(
        self,
        *,
        recipient_id: int,
        message: Message,
        dedupe_key: str,
        now: datetime,
        priority: int = 10,
        direct: bool = False,
        not_before: datetime | None = None,
    ) -> None:
        """Queue a message unless one with the same key exists (idempotent by design).
        `direct`: a reply to what the recipient just did (never held for quiet hours)."""
        queued = Queued(recipient_id, message, dedupe_key, priority, not_before, direct)
        [due] = await self._allowed([queued], now, None)
        statement = (
            dialect_insert(self.session, OutboxMessage)
            .values(
                recipient_id=recipient_id,
                kind=message.kind,
                dedupe_key=dedupe_key,
                params=message.to_params(),
                priority=priority,
                not_before=due,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
        )
        await self.session.execute(statement)
        self.wrote = True

    async def enqueue_many(
        self,
        messages: Sequence[Queued],
        now: datetime,
        *,
        actor_id: int | None = None,
        clocks: Mapping[int, tuple[str, time | None]] | None = None,
    ) -> None:
        """`enqueue` for many messages at once (the daily fan-out), skipping keys that
        exist: one statement for the whole batch (see bulk.py); rows to `actor_id` are
        direct (see the class docstring). `clocks`: the recipients' (zone, own time) when
        the caller has them already (the fan-out)."""
        if not messages:
            return
        due = await self._allowed(messages, now, actor_id, clocks)
        rows = JsonRows(self.session)
        # Only JsonRows' fixed fragments are formatted in; every value is a bound parameter.
        sql = f"""
            INSERT INTO outbox (recipient_id, kind, dedupe_key, priority, params,
                                status, attempts, not_before, created_at)
            SELECT {rows.integer(0)}, {rows.text(1)}, {rows.text(2)}, {rows.integer(3)},
                   {rows.json(4)}, 'pending', 0, {rows.instant(5)}, :now
            FROM {rows.source}
            WHERE true
            ON CONFLICT (dedupe_key) DO NOTHING
        """  # noqa: S608
        statement = text(sql).bindparams(bindparam("now", type_=UTCDateTime()))
        # The column's own type encrypts the params when a key is set, as the ORM would.
        params_type = OutboxMessage.__table__.c.params.type  # type: ignore[attr-defined]
        dialect = self.session.get_bind().dialect
        values = [
            [
                queued.recipient_id,
                queued.message.kind,
                queued.dedupe_key,
                queued.priority,
                params_type.process_bind_param(queued.message.to_params(), dialect),
                JsonRows.instant_text(at),
            ]
            for queued, at in zip(messages, due, strict=True)
        ]
        await self.session.execute(statement, {"rows": rows.encode(values), "now": now})
        self.wrote = True

    async def _allowed(
        self,
        messages: Sequence[Queued],
        now: datetime,
        actor_id: int | None,
        given_clocks: Mapping[int, tuple[str, time | None]] | None = None,
    ) -> list[datetime]:
        """Each message's `not_before`: as asked (or now), then out of quiet hours unless
        it is direct. Clocks are read once for all recipients the caller did not give,
        and each distinct answer is worked out once (a fan-out shares a handful of zones
        and times)."""
        given = given_clocks or {}
        missing = {m.recipient_id for m in messages if not m.direct} - given.keys()
        clocks = {**await self._clocks(missing), **given}
        known: dict[tuple[datetime, str, time | None], datetime] = {}
        due: list[datetime] = []
        for message in messages:
            asked = max(now, message.not_before or now)
            recipient = message.recipient_id
            if message.direct or recipient == actor_id:
                due.append(asked)
                continue
            zone_name, chosen = clocks.get(recipient, ("UTC", None))
            key = (asked, zone_name, chosen)
            if key not in known:
                known[key] = earliest_allowed(asked, ZoneInfo(zone_name), chosen)
            due.append(known[key])
        return due

    async def _clocks(self, person_ids: Collection[int]) -> dict[int, tuple[str, time | None]]:
        """Each person's zone (their own, else their active pair's, else UTC) and own time."""
        if not person_ids:
            return {}
        statement = (
            select(
                col(Person.id),
                func.coalesce(col(Person.timezone), col(Pair.timezone), "UTC"),
                col(Person.prompt_time),
            )
            .select_from(Person)
            .outerjoin(ActivePartner, col(ActivePartner.person_id) == col(Person.id))
            .outerjoin(Pair, col(Pair.id) == col(ActivePartner.pair_id))
            .where(col(Person.id).in_(list(person_ids)))
        )
        rows = (await self.session.execute(statement)).all()
        return {person_id: (zone, chosen) for person_id, zone, chosen in rows}

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

    async def mark_sent(self, marks: Sequence[tuple[int, int | None, datetime]]) -> None:
        """Mark messages sent, for each (message id, Telegram's message id, sent at).

        One Core UPDATE executed with a parameter set per message: the sender marks what
        went out in groups, and an ORM UPDATE per message cost about a millisecond of CPU
        each, most of the sender's time at a thousand messages a second."""
        if marks:
            await self.session.execute(
                _MARK_SENT,
                [
                    {"m_id": message_id, "m_sent_at": sent_at, "m_telegram_id": telegram_id}
                    for message_id, telegram_id, sent_at in marks
                ],
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

    async def sent_message(
        self, recipient_id: int, telegram_message_id: int
    ) -> OutboxMessage | None:
        """The queued message that became this Telegram message (for reply routing)."""
        statement = select(OutboxMessage).where(
            and_(
                col(OutboxMessage.recipient_id) == recipient_id,
                col(OutboxMessage.telegram_message_id) == telegram_message_id,
            )
        )
        return (await self.session.execute(statement)).scalars().first()

    async def has_key(self, dedupe_key: str) -> bool:
        """Whether a message with this key was ever queued (sent or not)."""
        statement = select(col(OutboxMessage.id)).where(col(OutboxMessage.dedupe_key) == dedupe_key)
        return (await self.session.execute(statement.limit(1))).first() is not None

    async def question_due(self, round_id: int, person_id: int) -> datetime | None:
        """When this person's question of that round goes (or went), if it was queued.

        The recipient comes first so the (recipient, message id) index finds this person's
        rows: a LIKE on the key alone would read the whole outbox on PostgreSQL."""
        statement = select(func.max(col(OutboxMessage.not_before))).where(
            and_(
                col(OutboxMessage.recipient_id) == person_id,
                col(OutboxMessage.dedupe_key).like(f"round:{round_id}:{person_id}:question:%"),
                col(OutboxMessage.kind) == "question",
            )
        )
        due: datetime | None = (await self.session.execute(statement)).scalar()
        return due

    async def latest_questions(self, person_ids: Collection[int]) -> dict[int, datetime]:
        """Each person's latest daily question: when it went or is due to go."""
        statement = (
            select(col(OutboxMessage.recipient_id), func.max(col(OutboxMessage.not_before)))
            .where(
                and_(
                    col(OutboxMessage.recipient_id).in_(list(person_ids)),
                    col(OutboxMessage.kind) == "question",
                )
            )
            .group_by(col(OutboxMessage.recipient_id))
        )
        rows = (await self.session.execute(statement)).all()
        return {person_id: at for person_id, at in rows if at is not None}

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
