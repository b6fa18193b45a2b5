"""SQL for people, pairs, invites, the outbox, prompts, topics, rounds, answers, the inbox
and the send budget. (Check-ins, held messages, notices and privacy keep theirs beside it
in bot/db/.) Repositories take and return plain values or table rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Double,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal,
    not_,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from bot.db.bulk import JsonRows
from bot.db.models import (
    ActivePartner,
    Answer,
    DeckRecord,
    InboxUpdate,
    Invite,
    OutboxMessage,
    Pair,
    PairStage,
    PairTopic,
    Person,
    PromptRecord,
    Round,
    SendBudget,
)
from bot.db.types import UTCDateTime
from bot.kernel.people import PersonInfo, display_name, stored_names
from bot.kernel.schedule import earliest_allowed
from bot.prompts.stats import PromptStat


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
        first_name, last_name = stored_names(info)
        values = {
            "first_name": first_name,
            "last_name": last_name,
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

    async def display_name_of(self, person_id: int) -> str:
        """The name a partner sees (a kind placeholder if the person is gone)."""
        person = await self.session.get(Person, person_id)
        return display_name(person.first_name, person.last_name) if person else display_name("")

    async def zone_name_of(self, person_id: int, fallback: str) -> str:
        """The person's own zone, or `fallback` (the pair's) if they never set one."""
        person = await self.session.get(Person, person_id)
        return person.timezone if person and person.timezone else fallback

    async def set_prompt_time(self, person_id: int, at: time) -> None:
        await self.session.execute(
            update(Person).where(col(Person.id) == person_id).values(prompt_time=at)
        )

    async def give_default_time(self, person_ids: Collection[int], at: time) -> None:
        """At pairing: a partner who never chose a daily time starts with the default."""
        await self.session.execute(
            update(Person)
            .where(and_(col(Person.id).in_(list(person_ids)), col(Person.prompt_time).is_(None)))
            .values(prompt_time=at)
        )

    async def set_timezone(self, person_id: int, timezone: str) -> None:
        await self.session.execute(
            update(Person).where(col(Person.id) == person_id).values(timezone=timezone)
        )

    async def set_checkin_note(
        self, person_id: int, checkin_id: int | None, expires_at: datetime | None = None
    ) -> None:
        """Start (or end, with None) the "Add a note" step; it ends the /edit step."""
        await self.session.execute(
            update(Person)
            .where(col(Person.id) == person_id)
            .values(checkin_note_id=checkin_id, editing_round_id=None, step_expires_at=expires_at)
        )

    async def end_steps(self, person_id: int) -> None:
        """Any command ends a step the person started (a note, an edit)."""
        await self.session.execute(
            update(Person)
            .where(
                and_(
                    col(Person.id) == person_id,
                    (col(Person.checkin_note_id).is_not(None))
                    | (col(Person.editing_round_id).is_not(None)),
                )
            )
            .values(checkin_note_id=None, editing_round_id=None, step_expires_at=None)
        )

    async def clear_checkin_note(self, person_id: int, checkin_id: int) -> None:
        """Stop waiting for a note for this check-in (and only this one)."""
        await self.session.execute(
            update(Person)
            .where(and_(col(Person.id) == person_id, col(Person.checkin_note_id) == checkin_id))
            .values(checkin_note_id=None)
        )

    async def set_editing(
        self, person_id: int, round_id: int | None, expires_at: datetime | None = None
    ) -> None:
        """Start (or end, with None) the /edit step; it ends the note step."""
        await self.session.execute(
            update(Person)
            .where(col(Person.id) == person_id)
            .values(editing_round_id=round_id, checkin_note_id=None, step_expires_at=expires_at)
        )

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

    async def create(
        self, partner_a_id: int, partner_b_id: int, now: datetime, timezone: str, prompt_time: time
    ) -> Pair:
        """Create an active pair; the ActivePartner primary key refuses a second one."""
        pair = Pair(
            partner_a_id=partner_a_id,
            partner_b_id=partner_b_id,
            created_at=now,
            timezone=timezone,
            prompt_time=prompt_time,
        )
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

    async def set_schedule(
        self,
        pair_id: int,
        prompt_time: time,
        timezone: str,
        set_by_id: int | None,
        next_prompt_at: datetime | None,
    ) -> None:
        await self.session.execute(
            update(Pair)
            .where(col(Pair.id) == pair_id)
            .values(
                prompt_time=prompt_time,
                timezone=timezone,
                time_set_by_id=set_by_id,
                next_prompt_at=next_prompt_at,
            )
        )

    async def set_pause(
        self,
        pair_id: int,
        reason: str | None,
        until: datetime | None,
        by_id: int | None,
        next_prompt_at: datetime | None,
    ) -> None:
        """Pause (reason set) or resume (reason None); the schedule moves with it."""
        await self.session.execute(
            update(Pair)
            .where(col(Pair.id) == pair_id)
            .values(
                pause_reason=reason,
                paused_until=until,
                paused_by_id=by_id,
                next_prompt_at=next_prompt_at,
            )
        )

    async def set_reminders(self, pair_id: int, enabled: bool) -> None:
        await self.session.execute(
            update(Pair).where(col(Pair.id) == pair_id).values(reminders_enabled=enabled)
        )

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
        kind: str,
        dedupe_key: str,
        params: dict[str, Any],
        now: datetime,
        priority: int = 10,
        direct: bool = False,
        not_before: datetime | None = None,
    ) -> None:
        """Queue a message unless one with the same key exists (idempotent by design).
        `direct`: a reply to what the recipient just did (never held for quiet hours)."""
        message = {"recipient_id": recipient_id, "not_before": not_before, "direct": direct}
        [due] = await self._allowed([message], now, None)
        statement = (
            dialect_insert(self.session, OutboxMessage)
            .values(
                recipient_id=recipient_id,
                kind=kind,
                dedupe_key=dedupe_key,
                params=params,
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
        messages: Sequence[dict[str, Any]],
        now: datetime,
        *,
        actor_id: int | None = None,
        clocks: Mapping[int, tuple[str, time | None]] | None = None,
    ) -> None:
        """`enqueue` for many messages at once (the daily fan-out), skipping keys that
        exist: one statement for the whole batch (see bulk.py). Each dict holds
        recipient_id, kind, dedupe_key, params and priority, and may hold not_before and
        direct; rows to `actor_id` are direct (see the class docstring). `clocks`: the
        recipients' (zone, own time) when the caller has them already (the fan-out)."""
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
                message["recipient_id"],
                message["kind"],
                message["dedupe_key"],
                message["priority"],
                params_type.process_bind_param(message["params"], dialect),
                JsonRows.instant_text(at),
            ]
            for message, at in zip(messages, due, strict=True)
        ]
        await self.session.execute(statement, {"rows": rows.encode(values), "now": now})
        self.wrote = True

    async def _allowed(
        self,
        messages: Sequence[dict[str, Any]],
        now: datetime,
        actor_id: int | None,
        given_clocks: Mapping[int, tuple[str, time | None]] | None = None,
    ) -> list[datetime]:
        """Each message's `not_before`: as asked (or now), then out of quiet hours unless
        it is direct. Clocks are read once for all recipients the caller did not give,
        and each distinct answer is worked out once (a fan-out shares a handful of zones
        and times)."""
        given = given_clocks or {}
        missing = {m["recipient_id"] for m in messages if not m.get("direct")} - given.keys()
        clocks = {**await self._clocks(missing), **given}
        known: dict[tuple[datetime, str, time | None], datetime] = {}
        due: list[datetime] = []
        for message in messages:
            asked = max(now, message.get("not_before") or now)
            recipient = message["recipient_id"]
            if message.get("direct") or recipient == actor_id:
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


_UPSERT_CHUNK = 200  # rows per INSERT: stays far below both engines' bound-parameter limits


class PromptRepository:
    """Decks and prompts as synced from the files, and their statistics."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def decks(self) -> Sequence[DeckRecord]:
        return (await self.session.execute(select(DeckRecord))).scalars().all()

    async def prompts(self) -> Sequence[PromptRecord]:
        return (await self.session.execute(select(PromptRecord))).scalars().all()

    async def get(self, prompt_id: str) -> PromptRecord | None:
        return await self.session.get(PromptRecord, prompt_id)

    async def upsert_decks(self, rows: Sequence[dict[str, Any]], now: datetime) -> None:
        """Insert or update decks by id (live again if they were retired)."""
        await self._upsert(DeckRecord, rows, now, inserted_only={})

    async def upsert_prompts(self, rows: Sequence[dict[str, Any]], now: datetime) -> None:
        """Insert or update prompts by id (live again if they were retired)."""
        await self._upsert(PromptRecord, rows, now, inserted_only={"created_at": now})

    async def _upsert(
        self,
        table: type[DeckRecord] | type[PromptRecord],
        rows: Sequence[dict[str, Any]],
        now: datetime,
        inserted_only: dict[str, Any],
    ) -> None:
        # ON CONFLICT makes two replicas syncing at once both succeed.
        for start in range(0, len(rows), _UPSERT_CHUNK):
            chunk = [
                {**row, **inserted_only, "updated_at": now, "retired_at": None}
                for row in rows[start : start + _UPSERT_CHUNK]
            ]
            statement = dialect_insert(self.session, table).values(chunk)
            changed = {
                name: statement.excluded[name]
                for name in chunk[0]
                if name != "id" and name not in inserted_only
            }
            await self.session.execute(
                statement.on_conflict_do_update(index_elements=["id"], set_=changed)
            )

    async def retire_decks(self, deck_ids: Collection[str], now: datetime) -> int:
        if not deck_ids:
            return 0
        result = await self.session.execute(
            update(DeckRecord)
            .where(
                and_(col(DeckRecord.id).in_(list(deck_ids)), col(DeckRecord.retired_at).is_(None))
            )
            .values(retired_at=now, updated_at=now)
        )
        return _rowcount(result)

    async def retire_prompts(self, prompt_ids: Collection[str], now: datetime) -> int:
        if not prompt_ids:
            return 0
        result = await self.session.execute(
            update(PromptRecord)
            .where(
                and_(
                    col(PromptRecord.id).in_(list(prompt_ids)),
                    col(PromptRecord.retired_at).is_(None),
                )
            )
            .values(retired_at=now, updated_at=now)
        )
        return _rowcount(result)

    async def stats(self, deck_id: str | None = None) -> list[PromptStat]:
        """Per prompt: times sent (a skipped prompt was sent too), rounds both partners
        answered, median answer length (characters of text or caption), times skipped."""
        statement = select(PromptRecord).order_by(col(PromptRecord.id))
        if deck_id is not None:
            statement = statement.where(col(PromptRecord.deck_id) == deck_id)
        rows = (await self.session.execute(statement)).scalars().all()
        shown = await self._count_rounds(col(Round.prompt_id))
        revealed = await self._count_rounds(col(Round.prompt_id), col(Round.status) == "revealed")
        skipped = await self._count_rounds(col(Round.skipped_prompt_id))
        lengths = await self._answer_lengths()
        return [
            PromptStat(
                prompt_id=row.id,
                deck_id=row.deck_id,
                depth=row.depth,
                text=row.text,
                retired=row.retired_at is not None,
                sent=shown.get(row.id, 0) + skipped.get(row.id, 0),
                answered_by_both=revealed.get(row.id, 0),
                median_answer_length=(
                    float(median(lengths[row.id])) if lengths.get(row.id) else None
                ),
                skipped=skipped.get(row.id, 0),
                # Rounds are sent in the prompt's own language until per-pair languages
                # (issue 16) record one per round.
                language=row.language,
            )
            for row in rows
        ]

    async def _count_rounds(self, key: Any, *conditions: Any) -> dict[str, int]:
        statement = select(key, func.count()).where(key.is_not(None), *conditions).group_by(key)
        return {prompt_id: int(count) for prompt_id, count in await self.session.execute(statement)}

    async def _answer_lengths(self) -> dict[str, list[int]]:
        statement = (
            select(col(Round.prompt_id), col(Answer.length))
            .join(Round, col(Round.id) == col(Answer.round_id))
            .where(col(Answer.kind) != "removed")  # erased with /deletemydata
        )
        lengths: dict[str, list[int]] = {}
        for prompt_id, length in await self.session.execute(statement):
            lengths.setdefault(prompt_id, []).append(int(length))
        return lengths


class TopicRepository:
    """Which daily decks a pair switched off (`/topics`). A deck without a row is on."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def states(self, pair_id: int) -> dict[str, bool]:
        statement = select(col(PairTopic.deck_id), col(PairTopic.enabled)).where(
            col(PairTopic.pair_id) == pair_id
        )
        rows = (await self.session.execute(statement)).all()
        return {deck_id: bool(enabled) for deck_id, enabled in rows}

    async def disabled_decks(self, pair_id: int) -> set[str]:
        statement = select(col(PairTopic.deck_id)).where(
            and_(col(PairTopic.pair_id) == pair_id, col(PairTopic.enabled).is_(False))
        )
        return set((await self.session.execute(statement)).scalars().all())

    async def disabled_decks_many(self, pair_ids: Collection[int]) -> dict[int, set[str]]:
        """The switched-off decks of many pairs in one query (the tick's fan-out)."""
        return await self._decks_many(pair_ids, enabled=False)

    async def enabled_decks_many(self, pair_ids: Collection[int]) -> dict[int, set[str]]:
        """The decks many pairs switched on by hand: opt-in decks count only with a row."""
        return await self._decks_many(pair_ids, enabled=True)

    async def _decks_many(self, pair_ids: Collection[int], *, enabled: bool) -> dict[int, set[str]]:
        result: dict[int, set[str]] = {}
        if not pair_ids:
            return result
        statement = select(col(PairTopic.pair_id), col(PairTopic.deck_id)).where(
            and_(col(PairTopic.pair_id).in_(pair_ids), col(PairTopic.enabled).is_(enabled))
        )
        for pair_id, deck_id in (await self.session.execute(statement)).all():
            result.setdefault(pair_id, set()).add(deck_id)
        return result

    async def stages_many(self, pair_ids: Collection[int]) -> dict[int, frozenset[str]]:
        """The relationship stages of many pairs in one query; a pair without is absent."""
        found: dict[int, set[str]] = {}
        if pair_ids:
            statement = select(col(PairStage.pair_id), col(PairStage.stage)).where(
                col(PairStage.pair_id).in_(pair_ids)
            )
            for pair_id, stage in (await self.session.execute(statement)).all():
                found.setdefault(pair_id, set()).add(stage)
        return {pair_id: frozenset(stages) for pair_id, stages in found.items()}

    async def toggle_stage(self, pair_id: int, stage: str) -> bool:
        """Add or remove one stage; returns whether the pair now has it."""
        removed = await self.session.execute(
            delete(PairStage).where(
                and_(col(PairStage.pair_id) == pair_id, col(PairStage.stage) == stage)
            )
        )
        if _rowcount(removed):
            return False
        statement = dialect_insert(self.session, PairStage).values(pair_id=pair_id, stage=stage)
        await self.session.execute(statement.on_conflict_do_nothing())
        return True

    async def clear_stages(self, pair_id: int) -> None:
        await self.session.execute(delete(PairStage).where(col(PairStage.pair_id) == pair_id))

    async def toggle(self, pair_id: int, deck_id: str, default: bool = True) -> bool:
        """Flip one deck in a single statement (two partners pressing at once both count).
        `default` is the deck's state without a row (false for an opt-in deck)."""
        statement = dialect_insert(self.session, PairTopic).values(
            pair_id=pair_id, deck_id=deck_id, enabled=not default
        )
        statement = statement.on_conflict_do_update(
            index_elements=["pair_id", "deck_id"],
            set_={"enabled": not_(col(PairTopic.enabled))},
        ).returning(col(PairTopic.enabled))
        return bool((await self.session.execute(statement)).scalar_one())

    async def set_enabled(self, pair_id: int, deck_id: str, enabled: bool) -> None:
        statement = dialect_insert(self.session, PairTopic).values(
            pair_id=pair_id, deck_id=deck_id, enabled=enabled
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["pair_id", "deck_id"], set_={"enabled": enabled}
            )
        )


@dataclass(frozen=True)
class DuePair:
    """What the tick needs to know about a pair whose question is due. `clocks`: each
    partner's own (daily time, zone), partner a first."""

    id: int
    partner_a_id: int
    partner_b_id: int
    clocks: tuple[tuple[time, str], tuple[time, str]]
    next_prompt_at: datetime
    created_at: datetime


@dataclass(frozen=True)
class NewRound:
    """A round to create; each partner's own reminder instant (None: no reminder)."""

    pair_id: int
    local_date: date
    prompt_id: str
    a_reminder_at: datetime | None = None
    b_reminder_at: datetime | None = None


@dataclass(frozen=True)
class RoundTimes:
    """The instants every round of one tick shares."""

    created_at: datetime
    closes_at: datetime


def _history_from(entries: str) -> list[str]:
    """Prompt ids (which never hold spaces or commas) from "date id skipped prompt,...",
    in date order; "-" stands for no skipped prompt."""
    rounds = sorted(
        (day, int(round_id), skipped, prompt_id)
        for day, round_id, skipped, prompt_id in (item.split(" ") for item in entries.split(","))
    )
    history: list[str] = []
    for _, _, skipped, prompt_id in rounds:
        if skipped != "-":
            history.append(skipped)
        history.append(prompt_id)
    return history


# Counting answered depth-2 questions stops here: the depth rule only asks "five yet?".
DEPTH_TWO_ENOUGH = 5


@dataclass(frozen=True)
class PairHistory:
    prompts: list[str]  # as `prompt_histories`
    depth_two_answers: int  # the fewer of the two partners', at most DEPTH_TWO_ENOUGH
    last_skip: date | None


def _history_with_facts(entries: str, depth_two: frozenset[str]) -> PairHistory:
    """As `_history_from`, for "date id skipped prompt ab,..." ("-" for a partner who
    did not answer)."""
    rounds = sorted(
        (day, int(round_id), skipped, prompt_id, answered)
        for day, round_id, skipped, prompt_id, answered in (
            item.split(" ") for item in entries.split(",")
        )
    )
    history: list[str] = []
    a_count = b_count = 0
    last_skip = None
    for day, _, skipped, prompt_id, answered in rounds:
        if skipped != "-":
            history.append(skipped)
            last_skip = day
        history.append(prompt_id)
        if prompt_id in depth_two and min(a_count, b_count) < DEPTH_TWO_ENOUGH:
            a_count += answered[0] == "a"
            b_count += answered[1] == "b"
    return PairHistory(
        history,
        min(a_count, b_count, DEPTH_TWO_ENOUGH),
        None if last_skip is None else date.fromisoformat(last_skip),
    )


class RoundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- the schedule ---------------------------------------------------------------

    async def claim_due_pairs(self, now: datetime, limit: int) -> list[DuePair]:
        """Active pairs whose question is due, locked so other replicas skip them, with
        both partners' own clocks (read in the same statement: no query per pair)."""
        person_a, person_b = aliased(Person), aliased(Person)
        statement = (
            select(
                col(Pair.id),
                col(Pair.partner_a_id),
                col(Pair.partner_b_id),
                func.coalesce(person_a.prompt_time, col(Pair.prompt_time)),
                func.coalesce(person_a.timezone, col(Pair.timezone)),
                func.coalesce(person_b.prompt_time, col(Pair.prompt_time)),
                func.coalesce(person_b.timezone, col(Pair.timezone)),
                col(Pair.next_prompt_at),
                col(Pair.created_at),
            )
            .join(person_a, col(person_a.id) == col(Pair.partner_a_id))
            .join(person_b, col(person_b.id) == col(Pair.partner_b_id))
            .where(and_(col(Pair.status) == "active", col(Pair.next_prompt_at) <= now))
            .order_by(col(Pair.next_prompt_at), col(Pair.id))
            .limit(limit)
            .with_for_update(skip_locked=True, of=Pair)
        )
        rows = (await self.session.execute(statement)).all()
        return [
            DuePair(pid, a, b, ((_as_time(at_a), zone_a), (_as_time(at_b), zone_b)), due, made)
            for pid, a, b, at_a, zone_a, at_b, zone_b, due, made in rows
            if pid is not None and due is not None  # always: the key and the WHERE
        ]

    async def set_next_prompt_at(self, updates: Sequence[tuple[int, datetime | None]]) -> None:
        """Move pairs on to their next question; one UPDATE per distinct instant, since the
        pairs of one fan-out share a handful of delivery times."""
        by_instant: dict[datetime | None, list[int]] = defaultdict(list)
        for pair_id, due in updates:
            by_instant[due].append(pair_id)
        for due, pair_ids in by_instant.items():
            await self.session.execute(
                update(Pair).where(col(Pair.id).in_(pair_ids)).values(next_prompt_at=due)
            )

    async def histories_with_depth_facts(
        self, pair_ids: Collection[int], depth_two: frozenset[str]
    ) -> dict[int, PairHistory]:
        """`prompt_histories` and, from the same scan of the rounds, the fewer of the two
        partners' answered `depth_two` questions (counted up to `DEPTH_TWO_ENOUGH`) and
        the date of the latest skip: what the depth rule needs, without a second query."""
        found = {pair_id: PairHistory([], 0, None) for pair_id in pair_ids}
        if not pair_ids:
            return found
        answered = case((col(Round.a_answered_at).is_not(None), "a"), else_="-") + case(
            (col(Round.b_answered_at).is_not(None), "b"), else_="-"
        )
        entry = (
            cast(col(Round.local_date), String)
            + " "
            + cast(col(Round.id), String)
            + " "
            + func.coalesce(col(Round.skipped_prompt_id), "-")
            + " "
            + col(Round.prompt_id)
            + " "
            + answered
        )
        statement = (
            select(col(Round.pair_id), func.aggregate_strings(entry, ","))
            .where(col(Round.pair_id).in_(pair_ids))
            .group_by(col(Round.pair_id))
        )
        for pair_id, entries in (await self.session.execute(statement)).all():
            found[pair_id] = _history_with_facts(entries, depth_two)
        return found

    async def prompt_histories(self, pair_ids: Collection[int]) -> dict[int, list[str]]:
        """Each pair's prompts so far, oldest first (skipped ones count as used).

        One aggregated string per pair, not one row per round: a pair that has used Hearth
        for months has hundreds of rounds, and row objects for all of them were most of
        the daily fan-out. Each entry carries its date and id, so the order is restored
        here whatever order the database aggregated in."""
        histories: dict[int, list[str]] = {pair_id: [] for pair_id in pair_ids}
        if not pair_ids:
            return histories
        entry = (
            cast(col(Round.local_date), String)
            + " "
            + cast(col(Round.id), String)
            + " "
            + func.coalesce(col(Round.skipped_prompt_id), "-")
            + " "
            + col(Round.prompt_id)
        )
        statement = (
            select(col(Round.pair_id), func.aggregate_strings(entry, ","))
            .where(col(Round.pair_id).in_(pair_ids))
            .group_by(col(Round.pair_id))
        )
        for pair_id, entries in (await self.session.execute(statement)).all():
            histories[pair_id] = _history_from(entries)
        return histories

    async def create_many(self, rounds: Sequence[NewRound], times: RoundTimes) -> dict[int, int]:
        """Insert rounds, skipping any (pair, date) that exists; returns pair id -> round id
        for the ones actually created. One statement for the whole batch (see bulk.py)."""
        if not rounds:
            return {}
        rows = JsonRows(self.session)
        # Only JsonRows' fixed fragments are formatted in; every value is a bound parameter.
        sql = f"""
            INSERT INTO round (pair_id, local_date, prompt_id, status, streak,
                               created_at, closes_at, reminder_at, a_reminder_at, b_reminder_at)
            SELECT {rows.integer(0)}, {rows.date(1)}, {rows.text(2)}, 'open', 0,
                   :created_at, :closes_at, {rows.instant(3)}, {rows.instant(4)},
                   {rows.instant(5)}
            FROM {rows.source}
            WHERE true
            ON CONFLICT (pair_id, local_date) DO NOTHING
            RETURNING pair_id, id
        """  # noqa: S608
        statement = text(sql).bindparams(
            bindparam("created_at", type_=UTCDateTime()),
            bindparam("closes_at", type_=UTCDateTime()),
        )
        values = [
            [
                new.pair_id,
                new.local_date.isoformat(),
                new.prompt_id,
                _instant_or_none(_earliest(new.a_reminder_at, new.b_reminder_at)),
                _instant_or_none(new.a_reminder_at),
                _instant_or_none(new.b_reminder_at),
            ]
            for new in rounds
        ]
        result = await self.session.execute(
            statement,
            {
                "rows": rows.encode(values),
                "created_at": times.created_at,
                "closes_at": times.closes_at,
            },
        )
        return {pair_id: round_id for pair_id, round_id in result}

    # --- one round ------------------------------------------------------------------

    async def get(self, round_id: int, *, lock: bool = False) -> Round | None:
        statement = select(Round).where(col(Round.id) == round_id)
        if lock:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalars().first()

    async def for_pair_on(self, pair_id: int, local_date: date) -> Round | None:
        statement = select(Round).where(
            and_(col(Round.pair_id) == pair_id, col(Round.local_date) == local_date)
        )
        return (await self.session.execute(statement)).scalars().first()

    async def newest_open(self, pair_id: int) -> Sequence[Round]:
        statement = (
            select(Round)
            .where(and_(col(Round.pair_id) == pair_id, col(Round.status) == "open"))
            .order_by(col(Round.local_date).desc(), col(Round.id).desc())
        )
        return (await self.session.execute(statement)).scalars().all()

    async def latest(self, pair_id: int) -> Round | None:
        statement = (
            select(Round)
            .where(col(Round.pair_id) == pair_id)
            .order_by(col(Round.local_date).desc(), col(Round.id).desc())
            .limit(1)
        )
        return (await self.session.execute(statement)).scalars().first()

    async def previous(self, pair_id: int, before: date) -> Round | None:
        statement = (
            select(Round)
            .where(and_(col(Round.pair_id) == pair_id, col(Round.local_date) < before))
            .order_by(col(Round.local_date).desc())
            .limit(1)
        )
        return (await self.session.execute(statement)).scalars().first()

    async def fill_slot(self, round_id: int, is_partner_a: bool, now: datetime) -> bool | None:
        """Record that one partner answered, under the round row's lock.

        Returns None if that slot was already filled (or the round is not open), else
        whether the other slot was filled too: True means this transaction reveals. The
        WHERE re-check on the locked row is what makes the reveal happen exactly once,
        even when both partners answer in the same instant (ARCHITECTURE.md, "Reveal exactly once").
        """
        mine = Round.a_answered_at if is_partner_a else Round.b_answered_at
        theirs = Round.b_answered_at if is_partner_a else Round.a_answered_at
        statement = (
            update(Round)
            .where(
                and_(col(Round.id) == round_id, col(Round.status) == "open", col(mine).is_(None))
            )
            .values({mine: now})
            .returning(col(theirs))
        )
        row = (await self.session.execute(statement)).first()
        if row is None:
            return None
        return row[0] is not None

    async def mark_revealed(self, round_id: int, now: datetime, streak: int) -> None:
        await self.session.execute(
            update(Round)
            .where(col(Round.id) == round_id)
            .values(status="revealed", revealed_at=now, streak=streak, reminder_at=None)
        )

    async def swap_prompt(self, round_id: int, new_prompt_id: str, old_prompt_id: str) -> bool:
        """`/skip`: once per round, and only while nobody has answered."""
        result = await self.session.execute(
            update(Round)
            .where(
                and_(
                    col(Round.id) == round_id,
                    col(Round.status) == "open",
                    col(Round.skipped_prompt_id).is_(None),
                    col(Round.a_answered_at).is_(None),
                    col(Round.b_answered_at).is_(None),
                )
            )
            .values(prompt_id=new_prompt_id, skipped_prompt_id=old_prompt_id)
        )
        return _rowcount(result) == 1

    # --- around the round -----------------------------------------------------------

    async def claim_reminders(self, now: datetime, limit: int) -> Sequence[Round]:
        statement = (
            select(Round)
            .where(and_(col(Round.status) == "open", col(Round.reminder_at) <= now))
            .order_by(col(Round.reminder_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def set_reminders(
        self,
        round_id: int,
        a_at: datetime | None,
        b_at: datetime | None,
        reminded: datetime | None,
    ) -> None:
        """Each partner's reminder still to go; `reminder_at` (what the tick claims by)
        follows as the earlier of the two."""
        await self.session.execute(
            update(Round)
            .where(col(Round.id) == round_id)
            .values(
                reminder_at=_earliest(a_at, b_at),
                a_reminder_at=a_at,
                b_reminder_at=b_at,
                reminded_at=reminded,
            )
        )

    async def claim_closing(self, now: datetime, limit: int) -> Sequence[Round]:
        statement = (
            select(Round)
            .where(and_(col(Round.status) == "open", col(Round.closes_at) <= now))
            .order_by(col(Round.closes_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def close(self, round_id: int) -> None:
        await self.session.execute(
            update(Round)
            .where(and_(col(Round.id) == round_id, col(Round.status) == "open"))
            .values(status="closed", reminder_at=None)
        )

    async def revealed_for_people(
        self, person_id: int, offset: int, limit: int
    ) -> tuple[list[Round], int]:
        """Revealed rounds of every pair this person was in (history stays readable)."""
        mine = or_(col(Pair.partner_a_id) == person_id, col(Pair.partner_b_id) == person_id)
        base = (
            select(Round)
            .join(Pair, col(Pair.id) == col(Round.pair_id))
            .where(and_(mine, col(Round.status) == "revealed"))
        )
        total = (
            await self.session.execute(select(func.count()).select_from(base.subquery()))
        ).scalar_one()
        page = base.order_by(col(Round.local_date).desc(), col(Round.id).desc())
        rows = (await self.session.execute(page.offset(offset).limit(limit))).scalars().all()
        return list(rows), int(total)

    async def latest_settled(self, pair_id: int) -> tuple[str | None, int]:
        """(status, streak) of the pair's newest round that is no longer open."""
        statement = (
            select(col(Round.status), col(Round.streak))
            .where(and_(col(Round.pair_id) == pair_id, col(Round.status) != "open"))
            .order_by(col(Round.local_date).desc())
            .limit(1)
        )
        row = (await self.session.execute(statement)).first()
        return (None, 0) if row is None else (str(row[0]), int(row[1]))


class AnswerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, round_id: int, person_id: int) -> Answer | None:
        statement = select(Answer).where(
            and_(col(Answer.round_id) == round_id, col(Answer.person_id) == person_id)
        )
        return (await self.session.execute(statement)).scalars().first()

    async def for_round(self, round_id: int) -> Sequence[Answer]:
        statement = select(Answer).where(col(Answer.round_id) == round_id)
        return (await self.session.execute(statement)).scalars().all()

    async def by_message(self, chat_id: int, message_id: int) -> Answer | None:
        statement = select(Answer).where(
            and_(col(Answer.chat_id) == chat_id, col(Answer.message_id) == message_id)
        )
        return (await self.session.execute(statement)).scalars().first()

    async def add(self, answer: Answer) -> None:
        self.session.add(answer)
        await self.session.flush()

    async def replace(self, answer_id: int, values: dict[str, Any]) -> None:
        await self.session.execute(
            update(Answer).where(col(Answer.id) == answer_id).values(**values)
        )


# --- operations: the webhook inbox, the shared send budget, metrics --------------------

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
        return bool(_rowcount(await self.session.execute(statement)))

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
        return _rowcount(result)

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
        return _rowcount(result)

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
        return _rowcount(result)


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
            outbox_oldest_created_at=_as_utc(outbox[1]),
            due_pairs=int(due[0]),
            oldest_due_at=_as_utc(due[1]),
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
        return _rowcount(result)


def _earliest(*instants: datetime | None) -> datetime | None:
    known = [instant for instant in instants if instant is not None]
    return min(known) if known else None


def _instant_or_none(instant: datetime | None) -> str | None:
    return None if instant is None else JsonRows.instant_text(instant)


def _as_time(value: Any) -> time:
    """SQLite hands a time back as text from a raw expression (COALESCE); PostgreSQL as a time."""
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def _as_utc(value: Any) -> datetime | None:
    """min() over a UTC column comes back naive (SQLite) or as text; make it an instant."""
    if value is None:
        return None
    instant = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
