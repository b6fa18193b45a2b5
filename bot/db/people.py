"""SQL for people and pairs: the two tables every feature reads (who is writing, and with
whom they are paired), so they live below the features instead of inside one of them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, time

from sqlalchemy import (
    and_,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db.models import (
    ActivePartner,
    Pair,
    Person,
)
from bot.db.sql import dialect_insert, rowcount
from bot.kernel.people import PersonInfo, display_name, stored_names


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
        return bool(rowcount(result))


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
        if not rowcount(result):
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


async def person_and_pair(session: AsyncSession, person: PersonInfo, now: datetime) -> Pair | None:
    """Record who is writing (names and language as Telegram sends them now) and find their
    active pair: how nearly every use case starts."""
    await PersonRepository(session).upsert(person, now)
    return await PairRepository(session).active_pair_of(person.id)
