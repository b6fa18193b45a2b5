"""A pair's schedule and pauses: /time, /timezone, /pause, /resume, /reminders, and what
happens when a partner blocks the bot."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.checkins.repository import CheckInRepository
from bot.checkins.rules import Cadence, first_checkin
from bot.db.models import Pair
from bot.db.people import PairRepository, PersonRepository, person_and_pair
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.kernel import schedule
from bot.kernel.clock import Clock
from bot.kernel.people import PersonInfo
from bot.kernel.results import Refusal, Refused
from bot.notices.service import REMINDERS, setting_changed
from bot.pairing.messages import PartnerBack, PartnerBlocked
from bot.rounds.service import PRIORITY_BULK, PRIORITY_REPLY, other_partner, partner_clocks
from bot.schedule.messages import PausedByPartner, ResumedByPartner, ZoneQuestion
from bot.schedule.timeparse import parse_time_of_day
from bot.schedule.zone_directory import ZoneDirectory, zone_at
from bot.schedule.zones import ZoneMatchKind, match_zone, zone_options

MAX_PAUSE_DAYS = 60


@dataclass(frozen=True)
class TimeSet:
    time_text: str  # on the reader's own clock
    zone: str
    partner_told: bool  # always False: my own time tells nobody else
    zone_known: bool = True  # False: the reader never said their zone (`zone` stands in)


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
    zone_known: bool = True


def is_paused(pair: Pair, now: datetime) -> bool:
    return pair.pause_reason is not None and (pair.paused_until is None or pair.paused_until > now)


class PairSettingsService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, zones: ZoneDirectory) -> None:
        self._uow = uow
        self._clock = clock
        self._zones = zones

    async def set_time(self, person: PersonInfo, text: str) -> TimeSet | Refused:
        """`/time`: my own daily time, on my own clock. The partner's time stays as it is
        and nobody else is told (a per-person setting)."""
        at = parse_time_of_day(text)
        if at is None:
            return Refused(Refusal.UNKNOWN_TIME)
        now = self._clock.now()
        async with self._uow() as uow:
            pair = await person_and_pair(uow.session, person, now)
            if pair is None:
                await uow.commit()
                return Refused(Refusal.NOT_PAIRED)
            await PersonRepository(uow.session).set_prompt_time(person.id, at)
            await self._reschedule(uow, pair, now)
            stored = await PersonRepository(uow.session).get(person.id)
            zone_known = stored is not None and stored.timezone is not None
            zone_name = await PersonRepository(uow.session).zone_name_of(person.id, pair.timezone)
            await uow.commit()
        return TimeSet(
            time_text=at.strftime("%H:%M"),
            zone=zone_name,
            partner_told=False,
            zone_known=zone_known,
        )

    async def set_timezone(self, person: PersonInfo, text: str) -> ZoneSet | ZoneChoices | Refused:
        """`/timezone`: my own zone. My daily time stays the same on my (new) clock; the
        partner's stays as it is, and nobody else is told."""
        match = match_zone(text, self._zones)
        if match.zone is None:
            if match.candidates:
                ambiguous = match.kind is ZoneMatchKind.AMBIGUOUS
                return ZoneChoices(candidates=list(match.candidates), ambiguous=ambiguous)
            return Refused(Refusal.UNKNOWN_ZONE)
        return await self.set_zone(person, match.zone)

    async def set_zone(self, person: PersonInfo, zone_name: str) -> ZoneSet:
        """Set a zone already known to be valid (a button, a location, `/timezone`)."""
        now = self._clock.now()
        async with self._uow() as uow:
            await PersonRepository(uow.session).upsert(person, now)
            await PersonRepository(uow.session).set_timezone(person.id, zone_name)
            pair = await PairRepository(uow.session).active_pair_of(person.id)
            question_text = None
            if pair is not None:
                clocks = await self._reschedule(uow, pair, now)
                mine = clocks[0] if pair.partner_a_id == person.id else clocks[1]
                question_text = mine[0].strftime("%H:%M")
            await uow.commit()
        return ZoneSet(
            zone=zone_name,
            now_text=schedule.describe_zone_now(ZoneInfo(zone_name), now),
            question_time_text=question_text,
        )

    async def set_zone_at(
        self, person: PersonInfo, latitude: float, longitude: float
    ) -> ZoneSet | Refused:
        """A shared location: the zone there becomes mine (the location is not kept)."""
        zone_name = zone_at(latitude, longitude, self._zones)
        if zone_name is None:
            return Refused(Refusal.UNKNOWN_ZONE)
        return await self.set_zone(person, zone_name)

    async def ask_zones(self, uow: UnitOfWork, pair: Pair, now: datetime) -> None:
        """At pairing: ask each partner who has not said their zone where they live, with
        a guess from their Telegram language first. The invitee (partner b) has just
        acted, so theirs comes at once; the inviter's keeps quiet hours."""
        for person_id in (pair.partner_a_id, pair.partner_b_id):
            person = await PersonRepository(uow.session).get(person_id)
            if person is None or person.timezone is not None:
                continue
            await uow.outbox.enqueue(
                recipient_id=person_id,
                dedupe_key=f"pair:{_id(pair)}:{person_id}:zone_question",
                message=ZoneQuestion(options=zone_options(person.language_code, self._zones)),
                now=now,
                priority=PRIORITY_BULK,  # after today's question, queued just before it
                direct=person_id == pair.partner_b_id,
            )

    async def schedule_of(self, person_id: int) -> Schedule | None:
        """What /status shows: my own time on my own clock."""
        now = self._clock.now()
        async with self._uow(read_only=True) as uow:
            pair = await PairRepository(uow.session).active_pair_of(person_id)
            if pair is None:
                return None
            person = await PersonRepository(uow.session).get(person_id)
            clocks = await partner_clocks(uow, pair)
        at, zone_name = clocks[0] if pair.partner_a_id == person_id else clocks[1]
        zone = ZoneInfo(zone_name)
        return Schedule(
            time_text=at.strftime("%H:%M"),
            zone=zone_name,
            paused=is_paused(pair, now),
            paused_until_text=(
                _day_text(pair.paused_until, zone)
                if is_paused(pair, now) and pair.paused_until
                else None
            ),
            reminders=pair.reminders_enabled,
            zone_known=person is not None and person.timezone is not None,
        )

    async def pause(self, person: PersonInfo, days: int | None) -> Paused | Refused:
        """Stop questions and reminders for both, for some days or until /resume."""
        now = self._clock.now()
        until = now + timedelta(days=days) if days else None
        async with self._uow() as uow:
            pair = await person_and_pair(uow.session, person, now)
            if pair is None:
                await uow.commit()
                return Refused(Refusal.NOT_PAIRED)
            clocks = _zoned(await partner_clocks(uow, pair))
            next_due = None if until is None else schedule.next_creation(until, clocks)
            await PairRepository(uow.session).set_pause(
                _id(pair), "pause", until, person.id, next_due
            )
            await self._tell_partner(uow, pair, person, PausedByPartner, now, until=until)
            own_zone = ZoneInfo(
                await PersonRepository(uow.session).zone_name_of(person.id, pair.timezone)
            )
            await uow.commit()
        return Paused(until=until, until_text=_day_text(until, own_zone) if until else None)

    async def resume(self, person: PersonInfo) -> Resumed | Refused:
        now = self._clock.now()
        async with self._uow() as uow:
            pair = await person_and_pair(uow.session, person, now)
            if pair is None:
                await uow.commit()
                return Refused(Refusal.NOT_PAIRED)
            if not is_paused(pair, now) or pair.pause_reason != "pause":
                await uow.commit()
                return Refused(Refusal.NOT_PAUSED)
            next_due = await self._resume(uow, pair, now)
            await self._tell_partner(uow, pair, person, ResumedByPartner, now)
            zone = ZoneInfo(
                await PersonRepository(uow.session).zone_name_of(person.id, pair.timezone)
            )
            await uow.commit()
        return Resumed(next_text=_day_time_text(next_due, zone))

    async def set_reminders(self, person: PersonInfo, enabled: bool) -> RemindersSet | Refused:
        now = self._clock.now()
        async with self._uow() as uow:
            pair = await person_and_pair(uow.session, person, now)
            if pair is None:
                await uow.commit()
                return Refused(Refusal.NOT_PAIRED)
            before = {"enabled": pair.reminders_enabled}
            await PairRepository(uow.session).set_reminders(_id(pair), enabled)
            await setting_changed(uow, pair, person, REMINDERS, before, {"enabled": enabled}, now)
            await uow.commit()
        return RemindersSet(enabled=enabled)

    # --- blocking ---------------------------------------------------------------------

    async def blocked(self, person_id: int) -> None:
        """The person blocked the bot: mark them, pause the pair, tell the partner once."""
        now = self._clock.now()
        async with self._uow() as uow:
            await PersonRepository(uow.session).set_blocked(person_id, now)
            pair = await PairRepository(uow.session).active_pair_of(person_id)
            if pair is not None and pair.pause_reason != "blocked":
                await PairRepository(uow.session).set_pause(
                    _id(pair), "blocked", None, person_id, None
                )
                partner_id = other_partner(pair, person_id)
                await uow.outbox.enqueue(
                    recipient_id=partner_id,
                    dedupe_key=_event_key(_id(pair), partner_id, "blocked"),
                    message=PartnerBlocked(
                        partner_name=await PersonRepository(uow.session).display_name_of(person_id)
                    ),
                    now=now,
                    priority=PRIORITY_REPLY,
                )
            await uow.commit()

    async def unblocked(self, person: PersonInfo) -> None:
        """They came back: the pair resumes if it was paused only because of the block."""
        now = self._clock.now()
        async with self._uow() as uow:
            pair = await person_and_pair(uow.session, person, now)
            if (
                pair is not None
                and pair.pause_reason == "blocked"
                and pair.paused_by_id == person.id
            ):
                await self._resume(uow, pair, now)
                partner_id = other_partner(pair, person.id)
                await uow.outbox.enqueue(
                    recipient_id=partner_id,
                    dedupe_key=_event_key(_id(pair), partner_id, "back"),
                    message=PartnerBack(partner_name=person.display_name),
                    now=now,
                    priority=PRIORITY_REPLY,
                )
            await uow.commit()

    # --- helpers ------------------------------------------------------------------------

    async def _resume(self, uow: UnitOfWork, pair: Pair, now: datetime) -> datetime:
        clocks = _zoned(await partner_clocks(uow, pair))
        next_due = schedule.next_creation(now, clocks, await self._latest_questions(uow, pair))
        await PairRepository(uow.session).set_pause(_id(pair), None, None, None, next_due)
        return next_due

    async def _reschedule(
        self, uow: UnitOfWork, pair: Pair, now: datetime
    ) -> tuple[tuple[time, str], tuple[time, str]]:
        """After a partner's own time or zone changed: when the pair's next round is made.

        A question already on its way keeps its instant (so nobody gets a day twice or
        loses one); the next round comes at the first partner time after it, and after
        now. Check-ins follow the pair's schedule too. Returns both partners' clocks."""
        clocks = await partner_clocks(uow, pair)
        lasts = await self._latest_questions(uow, pair)
        next_due = _next_due(pair, _zoned(clocks), lasts, now)
        await PairRepository(uow.session).set_schedule(
            _id(pair), pair.prompt_time, pair.timezone, pair.time_set_by_id, next_due
        )
        lead = schedule.leading_clock(now, _zoned(clocks))
        next_checkin = first_checkin(
            now, Cadence(pair.checkin_cadence), pair.checkin_weekday, lead.at, lead.zone
        )
        await CheckInRepository(uow.session).set_next(_id(pair), next_checkin)
        return clocks

    async def _latest_questions(self, uow: UnitOfWork, pair: Pair) -> list[datetime | None]:
        """Each partner's latest question (sent or on its way), partner a first."""
        latest = await uow.outbox.latest_questions((pair.partner_a_id, pair.partner_b_id))
        return [latest.get(pair.partner_a_id), latest.get(pair.partner_b_id)]

    async def _tell_partner(
        self,
        uow: UnitOfWork,
        pair: Pair,
        person: PersonInfo,
        kind: type[PausedByPartner | ResumedByPartner],
        now: datetime,
        until: datetime | None = None,
    ) -> None:
        partner_id = other_partner(pair, person.id)
        zone = ZoneInfo(await PersonRepository(uow.session).zone_name_of(partner_id, pair.timezone))
        await uow.outbox.enqueue(
            recipient_id=partner_id,
            dedupe_key=_event_key(_id(pair), partner_id, kind.kind),
            message=kind(person.display_name, _day_text(until, zone) if until else None),
            now=now,
            priority=PRIORITY_REPLY,
        )


def _next_due(
    pair: Pair,
    clocks: list[schedule.PartnerClock],
    lasts: list[datetime | None],
    now: datetime,
) -> datetime | None:
    """When the next round is made (`schedule.next_creation`), or the first one after a
    pause ends (None while paused until /resume or blocked)."""
    if not is_paused(pair, now):
        return schedule.next_creation(now, clocks, lasts)
    if pair.paused_until is None:
        return None
    return schedule.next_creation(pair.paused_until, clocks, lasts)


def _zoned(clocks: tuple[tuple[time, str], ...]) -> list[schedule.PartnerClock]:
    return [schedule.PartnerClock(at, ZoneInfo(zone)) for at, zone in clocks]


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
