"""SQL for check-ins and the reconnect reminders that follow them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db.models import CheckIn, Pair, ReconnectReminder
from bot.db.sql import dialect_insert


@dataclass(frozen=True)
class DueCheckIn:
    pair_id: int
    partner_a_id: int
    partner_b_id: int
    timezone: str
    prompt_time: time
    cadence: str
    weekday: int
    next_checkin_at: datetime
    paused: bool


class CheckInRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def low_checkins_many(
        self, pair_ids: Sequence[int], since: date, low: int
    ) -> dict[int, date]:
        """Pairs whose latest revealed or closed check-in since `since` had a rating at or
        below `low` from either partner: its date. One aggregated query for a batch."""
        if not pair_ids:
            return {}
        finished = col(CheckIn.status).in_(("revealed", "closed"))
        is_low = or_(col(CheckIn.a_rating) <= low, col(CheckIn.b_rating) <= low)
        latest = func.max(col(CheckIn.local_date))
        latest_low = func.max(case((is_low, col(CheckIn.local_date)), else_=None))
        statement = (
            select(col(CheckIn.pair_id), latest, latest_low)
            .where(
                and_(
                    col(CheckIn.pair_id).in_(pair_ids),
                    finished,
                    col(CheckIn.local_date) >= since,
                )
            )
            .group_by(col(CheckIn.pair_id))
        )
        found = {}
        for pair_id, last, last_low in (await self.session.execute(statement)).all():
            if last_low is not None and str(last_low) == str(last):
                found[pair_id] = date.fromisoformat(str(last))
        return found

    async def claim_due_pairs(self, now: datetime, limit: int) -> list[DueCheckIn]:
        paused = and_(
            col(Pair.pause_reason).is_not(None),
            (col(Pair.paused_until).is_(None)) | (col(Pair.paused_until) > now),
        )
        statement = (
            select(
                col(Pair.id),
                col(Pair.partner_a_id),
                col(Pair.partner_b_id),
                col(Pair.timezone),
                col(Pair.prompt_time),
                col(Pair.checkin_cadence),
                col(Pair.checkin_weekday),
                col(Pair.next_checkin_at),
                paused,
            )
            .where(and_(col(Pair.status) == "active", col(Pair.next_checkin_at) <= now))
            .order_by(col(Pair.next_checkin_at))
            .limit(limit)
            .with_for_update(skip_locked=True, of=Pair)
        )
        rows = (await self.session.execute(statement)).all()
        return [DueCheckIn(*row) for row in rows]  # type: ignore[arg-type]  # WHERE: non-null

    async def set_next(self, pair_id: int, due: datetime | None) -> None:
        await self.session.execute(
            update(Pair).where(col(Pair.id) == pair_id).values(next_checkin_at=due)
        )

    async def set_cadence(
        self, pair_id: int, cadence: str, weekday: int, due: datetime | None
    ) -> None:
        await self.session.execute(
            update(Pair)
            .where(col(Pair.id) == pair_id)
            .values(checkin_cadence=cadence, checkin_weekday=weekday, next_checkin_at=due)
        )

    async def create(
        self, pair_id: int, local_date: date, now: datetime, closes_at: datetime
    ) -> int | None:
        """A check-in for that pair and day, unless one exists (then None)."""
        statement = (
            dialect_insert(self.session, CheckIn)
            .values(pair_id=pair_id, local_date=local_date, created_at=now, closes_at=closes_at)
            .on_conflict_do_nothing(index_elements=["pair_id", "local_date"])
            .returning(col(CheckIn.id))
        )
        return (await self.session.execute(statement)).scalar()

    async def get(self, checkin_id: int, *, fresh: bool = False) -> CheckIn | None:
        """`fresh` re-reads the row even if this unit of work has loaded it already
        (after an UPDATE in the same transaction)."""
        return await self.session.get(CheckIn, checkin_id, populate_existing=fresh)

    async def open_for(self, pair_id: int) -> CheckIn | None:
        statement = select(CheckIn).where(
            and_(col(CheckIn.pair_id) == pair_id, col(CheckIn.status) == "open")
        )
        return (await self.session.execute(statement)).scalars().first()

    async def on_day(self, pair_id: int, local_date: date) -> CheckIn | None:
        statement = select(CheckIn).where(
            and_(col(CheckIn.pair_id) == pair_id, col(CheckIn.local_date) == local_date)
        )
        return (await self.session.execute(statement)).scalars().first()

    async def rate(
        self, checkin_id: int, is_partner_a: bool, rating: int, now: datetime
    ) -> bool | None:
        """Record one partner's rating under the row lock. None if they had rated already
        (or it closed); else whether the other had rated too, i.e. this transaction reveals."""
        mine = CheckIn.a_done_at if is_partner_a else CheckIn.b_done_at
        theirs = CheckIn.b_done_at if is_partner_a else CheckIn.a_done_at
        rating_column = CheckIn.a_rating if is_partner_a else CheckIn.b_rating
        statement = (
            update(CheckIn)
            .where(
                and_(
                    col(CheckIn.id) == checkin_id,
                    col(CheckIn.status) == "open",
                    col(mine).is_(None),
                )
            )
            .values({mine: now, rating_column: rating})
            .returning(col(theirs))
        )
        row = (await self.session.execute(statement)).first()
        if row is None:
            return None
        return row[0] is not None

    async def skip_note(self, checkin_id: int, is_partner_a: bool) -> None:
        """An empty note means "skipped": the bot stops offering to take one."""
        note = CheckIn.a_note if is_partner_a else CheckIn.b_note
        await self.session.execute(
            update(CheckIn)
            .where(and_(col(CheckIn.id) == checkin_id, col(note).is_(None)))
            .values({note: ""})
        )

    async def add_note(self, checkin_id: int, is_partner_a: bool, note: str) -> str | None:
        """Store a note: before the reveal it replaces an earlier one (it is shown in the
        reveal); after, it is added to what was said. Returns the check-in's status then,
        or None if it is closed or this partner has not rated yet."""
        checkin = await self.session.get(
            CheckIn, checkin_id, with_for_update=True, populate_existing=True
        )
        rating = (
            checkin.a_rating if checkin and is_partner_a else checkin.b_rating if checkin else None
        )
        if checkin is None or checkin.status == "closed" or rating is None:
            return None
        earlier = checkin.a_note if is_partner_a else checkin.b_note
        if checkin.status == "revealed" and earlier:
            note = f"{earlier}\n\n{note}"
        column = "a_note" if is_partner_a else "b_note"
        await self.session.execute(
            update(CheckIn).where(col(CheckIn.id) == checkin_id).values({column: note})
        )
        return checkin.status

    async def mark_revealed(
        self, checkin_id: int, now: datetime, follow_up: str, prompt_id: str | None
    ) -> None:
        await self.session.execute(
            update(CheckIn)
            .where(col(CheckIn.id) == checkin_id)
            .values(status="revealed", revealed_at=now, follow_up=follow_up, prompt_id=prompt_id)
        )

    async def revealed_before(self, pair_id: int, before_id: int, limit: int) -> Sequence[CheckIn]:
        """The pair's earlier revealed check-ins, newest first."""
        statement = (
            select(CheckIn)
            .where(
                and_(
                    col(CheckIn.pair_id) == pair_id,
                    col(CheckIn.status) == "revealed",
                    col(CheckIn.id) != before_id,
                    col(CheckIn.id) < before_id,
                )
            )
            .order_by(col(CheckIn.id).desc())
            .limit(limit)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def revealed_of(self, pair_id: int) -> Sequence[CheckIn]:
        statement = (
            select(CheckIn)
            .where(and_(col(CheckIn.pair_id) == pair_id, col(CheckIn.status) == "revealed"))
            .order_by(col(CheckIn.local_date), col(CheckIn.id))
        )
        return (await self.session.execute(statement)).scalars().all()

    async def claim_closing(self, now: datetime, limit: int) -> Sequence[CheckIn]:
        statement = (
            select(CheckIn)
            .where(and_(col(CheckIn.status) == "open", col(CheckIn.closes_at) <= now))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def close(self, checkin_id: int) -> None:
        await self.session.execute(
            update(CheckIn)
            .where(and_(col(CheckIn.id) == checkin_id, col(CheckIn.status) == "open"))
            .values(status="closed")
        )

    async def add_reminder(self, checkin_id: int, pair_id: int, due_at: datetime) -> None:
        self.session.add(ReconnectReminder(checkin_id=checkin_id, pair_id=pair_id, due_at=due_at))
        await self.session.flush()

    async def claim_reminders(self, now: datetime, limit: int) -> Sequence[ReconnectReminder]:
        statement = (
            select(ReconnectReminder)
            .where(
                and_(col(ReconnectReminder.due_at) <= now, col(ReconnectReminder.sent_at).is_(None))
            )
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def mark_reminder_sent(self, reminder_id: int, now: datetime) -> None:
        await self.session.execute(
            update(ReconnectReminder)
            .where(col(ReconnectReminder.id) == reminder_id)
            .values(sent_at=now)
        )
