"""A pair's schedule and pauses: /time, /timezone, /pause, /resume, /reminders, and what
happens when a partner blocks the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db.models import Pair
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import schedule
from bot.domain.clock import Clock
from bot.domain.people import PersonInfo, display_name
from bot.domain.timeparse import parse_time_of_day
from bot.domain.zones import match_zone
from bot.services.results import Refusal, Refused
from bot.services.rounds import PRIORITY_REPLY, other_partner
from bot.services.zone_directory import ZoneDirectory

MAX_PAUSE_DAYS = 60


@dataclass(frozen=True)
class TimeSet:
    time_text: str  # in the reader's own zone
    zone: str


@dataclass(frozen=True)
class ZoneSet:
    zone: str
    now_text: str
    question_time_text: str | None


@dataclass(frozen=True)
class ZoneChoices:
    candidates: list[str]


@dataclass(frozen=True)
class Paused:
    until: datetime | None
    until_text: str | None


@dataclass(frozen=True)
class Resumed:
    next_text: str


@dataclass(frozen=True)
class RemindersSet:
    enabled: bool


@dataclass(frozen=True)
class Schedule:
    """What /status shows about the schedule, in the reader's zone."""

    time_text: str
    zone: str
    paused: bool
    paused_until_text: str | None
    reminders: bool


def is_paused(pair: Pair, now: datetime) -> bool:
    return pair.pause_reason is not None and (pair.paused_until is None or pair.paused_until > now)


class PairSettingsService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, zones: ZoneDirectory) -> None:
        self._uow = uow
        self._clock = clock
        self._zones = zones

    async def set_time(self, person: PersonInfo, text: str) -> TimeSet | Refused:
        at = parse_time_of_day(text)
        if at is None:
            return Refused(Refusal.UNKNOWN_TIME)
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.people.upsert(person, now)
            pair = await uow.pairs.active_pair_of(person.id)
            if pair is None:
                await uow.commit()
                return Refused(Refusal.NOT_PAIRED)
            zone_name = await self._own_zone(uow, person.id, pair)
            await self._reschedule(uow, pair, at, zone_name, person.id, now)
            await self._tell_partner_about_time(uow, pair, person, at, zone_name, now)
            await uow.commit()
        return TimeSet(time_text=at.strftime("%H:%M"), zone=zone_name)

    async def set_timezone(self, person: PersonInfo, text: str) -> ZoneSet | ZoneChoices | Refused:
        match = match_zone(text, self._zones)
        if match.zone is None:
            if match.candidates:
                return ZoneChoices(candidates=list(match.candidates))
            return Refused(Refusal.UNKNOWN_ZONE)
        now = self._clock.now()
        zone = ZoneInfo(match.zone)
        async with self._uow() as uow:
            await uow.people.upsert(person, now)
            await uow.people.set_timezone(person.id, match.zone)
            pair = await uow.pairs.active_pair_of(person.id)
            question_text = None
            if pair is not None:
                # The schedule follows the zone of whoever set the time (or nobody yet).
                if pair.time_set_by_id in (None, person.id):
                    await self._reschedule(
                        uow, pair, pair.prompt_time, match.zone, pair.time_set_by_id, now
                    )
                    question_text = pair.prompt_time.strftime("%H:%M")
                else:
                    question_text = _time_in(pair, zone, now)
            await uow.commit()
        return ZoneSet(
            zone=match.zone,
            now_text=schedule.describe_zone_now(zone, now),
            question_time_text=question_text,
        )

    async def schedule_of(self, person_id: int) -> Schedule | None:
        now = self._clock.now()
        async with self._uow(read_only=True) as uow:
            pair = await uow.pairs.active_pair_of(person_id)
            if pair is None:
                return None
            zone_name = await self._own_zone(uow, person_id, pair)
        zone = ZoneInfo(zone_name)
        return Schedule(
            time_text=_time_in(pair, zone, now),
            zone=zone_name,
            paused=is_paused(pair, now),
            paused_until_text=(
                _day_text(pair.paused_until, zone)
                if is_paused(pair, now) and pair.paused_until
                else None
            ),
            reminders=pair.reminders_enabled,
        )

    async def pause(self, person: PersonInfo, days: int | None) -> Paused | Refused:
        """Stop questions and reminders for both, for some days or until /resume."""
        now = self._clock.now()
        until = now + timedelta(days=days) if days else None
        async with self._uow() as uow:
            await uow.people.upsert(person, now)
            pair = await uow.pairs.active_pair_of(person.id)
            if pair is None:
                await uow.commit()
                return Refused(Refusal.NOT_PAIRED)
            zone = ZoneInfo(pair.timezone)
            next_due = (
                None if until is None else schedule.next_occurrence(until, pair.prompt_time, zone)
            )
            await uow.pairs.set_pause(_id(pair), "pause", until, person.id, next_due)
            await self._tell_partner(uow, pair, person, "paused_by_partner", now, until=until)
            await uow.commit()
        own_zone = ZoneInfo(await self._own_zone_outside(person.id, pair))
        return Paused(until=until, until_text=_day_text(until, own_zone) if until else None)

    async def resume(self, person: PersonInfo) -> Resumed | Refused:
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.people.upsert(person, now)
            pair = await uow.pairs.active_pair_of(person.id)
            if pair is None:
                await uow.commit()
                return Refused(Refusal.NOT_PAIRED)
            if not is_paused(pair, now) or pair.pause_reason != "pause":
                await uow.commit()
                return Refused(Refusal.NOT_PAUSED)
            next_due = await self._resume(uow, pair, now)
            await self._tell_partner(uow, pair, person, "resumed_by_partner", now)
            zone = ZoneInfo(await self._own_zone(uow, person.id, pair))
            await uow.commit()
        return Resumed(next_text=_day_time_text(next_due, zone))

    async def set_reminders(self, person: PersonInfo, enabled: bool) -> RemindersSet | Refused:
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.people.upsert(person, now)
            pair = await uow.pairs.active_pair_of(person.id)
            if pair is None:
                await uow.commit()
                return Refused(Refusal.NOT_PAIRED)
            await uow.pairs.set_reminders(_id(pair), enabled)
            await uow.commit()
        return RemindersSet(enabled=enabled)

    # --- blocking ---------------------------------------------------------------------

    async def blocked(self, person_id: int) -> None:
        """The person blocked the bot: mark them, pause the pair, tell the partner once."""
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.people.set_blocked(person_id, now)
            pair = await uow.pairs.active_pair_of(person_id)
            if pair is not None and pair.pause_reason != "blocked":
                await uow.pairs.set_pause(_id(pair), "blocked", None, person_id, None)
                partner_id = other_partner(pair, person_id)
                await uow.outbox.enqueue(
                    recipient_id=partner_id,
                    kind="partner_blocked",
                    dedupe_key=f"pair:{pair.id}:{person_id}:blocked",
                    params={"partner_name": await self._name(uow, person_id)},
                    now=now,
                    priority=PRIORITY_REPLY,
                )
            await uow.commit()

    async def unblocked(self, person: PersonInfo) -> None:
        """They came back: the pair resumes if it was paused only because of the block."""
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.people.upsert(person, now)
            pair = await uow.pairs.active_pair_of(person.id)
            if (
                pair is not None
                and pair.pause_reason == "blocked"
                and pair.paused_by_id == person.id
            ):
                await self._resume(uow, pair, now)
                await uow.outbox.enqueue(
                    recipient_id=other_partner(pair, person.id),
                    kind="partner_back",
                    dedupe_key=f"pair:{pair.id}:{person.id}:back:{now.isoformat()}",
                    params={"partner_name": person.display_name},
                    now=now,
                    priority=PRIORITY_REPLY,
                )
            await uow.commit()

    # --- helpers ------------------------------------------------------------------------

    async def _resume(self, uow: UnitOfWork, pair: Pair, now: datetime) -> datetime:
        next_due = schedule.next_occurrence(now, pair.prompt_time, ZoneInfo(pair.timezone))
        await uow.pairs.set_pause(_id(pair), None, None, None, next_due)
        return next_due

    async def _reschedule(
        self,
        uow: UnitOfWork,
        pair: Pair,
        at: time,
        zone_name: str,
        set_by: int | None,
        now: datetime,
    ) -> None:
        paused = is_paused(pair, now)
        next_due = pair.next_prompt_at
        if not paused:
            next_due = schedule.next_occurrence(now, at, ZoneInfo(zone_name))
        await uow.pairs.set_schedule(_id(pair), at, zone_name, set_by, next_due)

    async def _tell_partner_about_time(
        self,
        uow: UnitOfWork,
        pair: Pair,
        person: PersonInfo,
        at: time,
        zone_name: str,
        now: datetime,
    ) -> None:
        partner_id = other_partner(pair, person.id)
        partner_zone = ZoneInfo(await self._own_zone(uow, partner_id, pair))
        instant = schedule.resolve_local(
            schedule.local_date(now, ZoneInfo(zone_name)), at, ZoneInfo(zone_name)
        )
        await uow.outbox.enqueue(
            recipient_id=partner_id,
            kind="time_changed_by_partner",
            dedupe_key=f"pair:{pair.id}:{partner_id}:time:{now.isoformat()}",
            params={
                "partner_name": person.display_name,
                "time_text": schedule.format_local(instant, partner_zone),
            },
            now=now,
            priority=PRIORITY_REPLY,
        )

    async def _tell_partner(
        self,
        uow: UnitOfWork,
        pair: Pair,
        person: PersonInfo,
        kind: str,
        now: datetime,
        until: datetime | None = None,
    ) -> None:
        partner_id = other_partner(pair, person.id)
        zone = ZoneInfo(await self._own_zone(uow, partner_id, pair))
        await uow.outbox.enqueue(
            recipient_id=partner_id,
            kind=kind,
            dedupe_key=f"pair:{pair.id}:{partner_id}:{kind}:{now.isoformat()}",
            params={
                "partner_name": person.display_name,
                "until_text": _day_text(until, zone) if until else None,
            },
            now=now,
            priority=PRIORITY_REPLY,
        )

    async def _own_zone(self, uow: UnitOfWork, person_id: int, pair: Pair) -> str:
        person = await uow.people.get(person_id)
        return person.timezone if person and person.timezone else pair.timezone

    async def _own_zone_outside(self, person_id: int, pair: Pair) -> str:
        async with self._uow(read_only=True) as uow:
            return await self._own_zone(uow, person_id, pair)

    async def _name(self, uow: UnitOfWork, person_id: int) -> str:
        person = await uow.people.get(person_id)
        return display_name(person.first_name, person.last_name) if person else display_name("")


def _time_in(pair: Pair, zone: ZoneInfo, now: datetime) -> str:
    """The pair's daily time as the reader sees it on their clock."""
    pair_zone = ZoneInfo(pair.timezone)
    instant = schedule.resolve_local(
        schedule.local_date(now, pair_zone), pair.prompt_time, pair_zone
    )
    return schedule.format_local(instant, zone)


def _day_text(instant: datetime | None, zone: ZoneInfo) -> str:
    if instant is None:
        return ""
    return instant.astimezone(zone).strftime("%A %d %B")


def _day_time_text(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%A %d %B at %H:%M")


def _id(pair: Pair) -> int:
    assert pair.id is not None
    return pair.id
