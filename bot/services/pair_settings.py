"""A pair's schedule and pauses: /time, /timezone, /pause, /resume, /reminders, and what
happens when a partner blocks the bot."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db.models import Pair
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import schedule
from bot.domain.checkins import Cadence, first_checkin
from bot.domain.clock import Clock
from bot.domain.people import PersonInfo
from bot.domain.timeparse import parse_time_of_day
from bot.domain.zones import ZoneMatchKind, match_zone
from bot.services.results import Refusal, Refused
from bot.services.rounds import PRIORITY_REPLY, other_partner
from bot.services.setting_notices import REMINDERS, setting_changed
from bot.services.zone_directory import ZoneDirectory

MAX_PAUSE_DAYS = 60


@dataclass(frozen=True)
class TimeSet:
    time_text: str  # in the reader's own zone
    zone: str
    partner_told: bool  # False when the time was already that


@dataclass(frozen=True)
class ZoneSet:
    zone: str
    now_text: str
    question_time_text: str | None


@dataclass(frozen=True)
class ZoneChoices:
    """Zones to pick from: a name that fits several (`ambiguous`), or close guesses for
    one that fits none."""

    candidates: list[str]
    ambiguous: bool


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
            zone_name = await uow.people.zone_name_of(person.id, pair.timezone)
            moved = await self._move_schedule(uow, pair, person, at, zone_name, now)
            await uow.commit()
        return TimeSet(time_text=at.strftime("%H:%M"), zone=zone_name, partner_told=moved)

    async def set_timezone(self, person: PersonInfo, text: str) -> ZoneSet | ZoneChoices | Refused:
        match = match_zone(text, self._zones)
        if match.zone is None:
            if match.candidates:
                ambiguous = match.kind is ZoneMatchKind.AMBIGUOUS
                return ZoneChoices(candidates=list(match.candidates), ambiguous=ambiguous)
            return Refused(Refusal.UNKNOWN_ZONE)
        now = self._clock.now()
        zone = ZoneInfo(match.zone)
        async with self._uow() as uow:
            await uow.people.upsert(person, now)
            await uow.people.set_timezone(person.id, match.zone)
            pair = await uow.pairs.active_pair_of(person.id)
            question_text = None
            if pair is not None:
                question_text = await self._follow_zone(uow, pair, person, match.zone, now)
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
            zone_name = await uow.people.zone_name_of(person_id, pair.timezone)
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
            own_zone = ZoneInfo(await uow.people.zone_name_of(person.id, pair.timezone))
            await uow.commit()
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
            zone = ZoneInfo(await uow.people.zone_name_of(person.id, pair.timezone))
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
            before = {"enabled": pair.reminders_enabled}
            await uow.pairs.set_reminders(_id(pair), enabled)
            await setting_changed(uow, pair, person, REMINDERS, before, {"enabled": enabled}, now)
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
                    dedupe_key=_event_key(_id(pair), partner_id, "blocked"),
                    params={"partner_name": await uow.people.display_name_of(person_id)},
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
                partner_id = other_partner(pair, person.id)
                await uow.outbox.enqueue(
                    recipient_id=partner_id,
                    kind="partner_back",
                    dedupe_key=_event_key(_id(pair), partner_id, "back"),
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

    async def _follow_zone(
        self, uow: UnitOfWork, pair: Pair, person: PersonInfo, zone_name: str, now: datetime
    ) -> str:
        """After a partner's own zone changed: the daily time as they now see it.

        The schedule keeps to the clock of whoever owns it (set the time, or set a zone
        first); a partner in another zone only sees the time on their own clock. When
        nobody owns it yet, the first partner to set a zone takes it over.
        """
        if pair.time_set_by_id not in (None, person.id):
            return _time_in(pair, ZoneInfo(zone_name), now)
        await self._move_schedule(uow, pair, person, pair.prompt_time, zone_name, now)
        return pair.prompt_time.strftime("%H:%M")

    async def _move_schedule(
        self,
        uow: UnitOfWork,
        pair: Pair,
        person: PersonInfo,
        at: time,
        zone_name: str,
        now: datetime,
    ) -> bool:
        """The daily question now comes at `at` on `person`'s clock; the partner is told
        (in their own zone) when that moves it. True when it moved."""
        moved = (at, zone_name) != (pair.prompt_time, pair.timezone)
        next_due = _next_due(pair, at, ZoneInfo(zone_name), now)
        await uow.pairs.set_schedule(_id(pair), at, zone_name, person.id, next_due)
        # Check-ins come at the daily time too, so they move with it.
        next_checkin = first_checkin(
            now, Cadence(pair.checkin_cadence), pair.checkin_weekday, at, ZoneInfo(zone_name)
        )
        await uow.checkins.set_next(_id(pair), next_checkin)
        if moved:
            await self._tell_partner_about_time(uow, pair, person, at, zone_name, now)
        return moved

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
        partner_zone = ZoneInfo(await uow.people.zone_name_of(partner_id, pair.timezone))
        instant = schedule.resolve_local(
            schedule.local_date(now, ZoneInfo(zone_name)), at, ZoneInfo(zone_name)
        )
        await uow.outbox.enqueue(
            recipient_id=partner_id,
            kind="time_changed_by_partner",
            dedupe_key=_event_key(_id(pair), partner_id, "time"),
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
        zone = ZoneInfo(await uow.people.zone_name_of(partner_id, pair.timezone))
        await uow.outbox.enqueue(
            recipient_id=partner_id,
            kind=kind,
            dedupe_key=_event_key(_id(pair), partner_id, kind),
            params={
                "partner_name": person.display_name,
                "until_text": _day_text(until, zone) if until else None,
            },
            now=now,
            priority=PRIORITY_REPLY,
        )


def _next_due(pair: Pair, at: time, zone: ZoneInfo, now: datetime) -> datetime | None:
    """When the next question comes: the next `at`, or the first one after a pause ends
    (None while paused until /resume or blocked)."""
    if not is_paused(pair, now):
        return schedule.next_occurrence(now, at, zone)
    if pair.paused_until is None:
        return None
    return schedule.next_occurrence(pair.paused_until, at, zone)


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


def _event_key(pair_id: int, recipient_id: int, kind: str) -> str:
    """Outbox key of a notice that follows one person's command: each command is its own
    event (two within the same clock tick are still two), so the key is unique."""
    return f"pair:{pair_id}:{recipient_id}:{kind}:{uuid.uuid4().hex}"


def _id(pair: Pair) -> int:
    assert pair.id is not None
    return pair.id
