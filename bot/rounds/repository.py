"""SQL for daily rounds and answers: claiming due pairs, creating a day's rounds in bulk,
filling a slot under the row lock, reminders, closing, history and streaks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from bot.db.bulk import JsonRows
from bot.db.models import (
    Answer,
    Pair,
    Person,
    Round,
)
from bot.db.sql import as_time, earliest, instant_or_none, rowcount
from bot.db.types import UTCDateTime


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
            DuePair(pid, a, b, ((as_time(at_a), zone_a), (as_time(at_b), zone_b)), due, made)
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
                instant_or_none(earliest(new.a_reminder_at, new.b_reminder_at)),
                instant_or_none(new.a_reminder_at),
                instant_or_none(new.b_reminder_at),
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
        return rowcount(result) == 1

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
                reminder_at=earliest(a_at, b_at),
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
