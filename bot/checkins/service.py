"""Check-ins: a regular, private "how connected have you felt?" for each partner, shown
to both only once both have answered, followed by a celebration, a guided reconnect or a
gentle word about professional support."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.checkins.messages import (
    CheckInAsk,
    CheckInClosed,
    CheckInNote,
    CheckInReveal,
    ReconnectReminder,
    ReconnectScheduledByPartner,
    Side,
)
from bot.checkins.repository import CheckInRepository
from bot.checkins.rules import (
    CLOSES_AFTER_HOURS,
    RATINGS,
    Cadence,
    Ratings,
    first_checkin,
    follow_up,
    next_checkin,
)
from bot.conversation.rules import STEP_LIFETIME
from bot.db.models import CheckIn, Pair
from bot.db.people import PairRepository, PersonRepository, person_and_pair
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.kernel import schedule
from bot.kernel.clock import Clock
from bot.kernel.people import PersonInfo
from bot.kernel.results import Refusal, Refused
from bot.notices.service import CADENCE, setting_changed
from bot.prompts.library import PromptCatalog
from bot.rounds.service import PRIORITY_BULK, PRIORITY_REPLY, other_partner, partner_clocks

NOTE_LIMIT = 1000
RECONNECT_OPTIONS = ("1h", "tonight", "tomorrow", "weekend")


@dataclass(frozen=True)
class Support:
    url: str = ""
    text: str = ""


@dataclass(frozen=True)
class CheckInStarted:
    checkin_id: int


@dataclass(frozen=True)
class RatingSaved:
    checkin_id: int
    rating: int
    partner_name: str
    revealed: bool


@dataclass(frozen=True)
class NoteStarted:
    partner_name: str
    revealed: bool


@dataclass(frozen=True)
class NoteSkipped:
    partner_name: str
    revealed: bool


@dataclass(frozen=True)
class NoteSaved:
    partner_name: str
    sent_now: bool  # after the reveal: on its way to the partner; before: shown in the reveal


@dataclass(frozen=True)
class CadenceView:
    cadence: str
    weekday: int
    next_text: str | None


@dataclass(frozen=True)
class ReconnectScheduled:
    when_text: str


@dataclass(frozen=True)
class Trend:
    """The reader's ratings and their partner's, dated on the reader's calendar."""

    partner_name: str
    points: list[tuple[date, int | None, int | None]] = field(default_factory=list)


class CheckInService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        catalog: PromptCatalog,
        support: Support,
        batch: int = 500,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._catalog = catalog
        self._support = support
        self._batch = batch

    # --- cadence ------------------------------------------------------------------------

    async def schedule_first(self, uow: UnitOfWork, pair: Pair, now: datetime) -> None:
        """At pairing: the first check-in on the coming default weekday."""
        assert pair.id is not None
        due = first_checkin(
            now, Cadence(pair.checkin_cadence), pair.checkin_weekday, pair.prompt_time, _zone(pair)
        )
        await CheckInRepository(uow.session).set_next(pair.id, due)

    async def tick(self) -> int:
        """Due check-ins, then closing unanswered ones and reconnect reminders."""
        created = await self._start_due()
        await self._close_expired()
        await self._send_reconnect_reminders()
        return created

    async def _start_due(self) -> int:
        now = self._clock.now()
        created = 0
        async with self._uow() as uow:
            for due in await CheckInRepository(uow.session).claim_due_pairs(now, self._batch):
                pair = await PairRepository(uow.session).get(due.pair_id)
                assert pair is not None
                clocks = [
                    schedule.PartnerClock(at, ZoneInfo(zone))
                    for at, zone in await partner_clocks(uow, pair)
                ]
                # Counted on the clock of whoever's time comes first; each is asked at
                # their own time from then on (the same rule as the daily question).
                lead = schedule.leading_clock(now - timedelta(minutes=1), clocks)
                following = next_checkin(now, Cadence(due.cadence), due.weekday, lead.at, lead.zone)
                await CheckInRepository(uow.session).set_next(due.pair_id, following)
                if due.paused:
                    continue  # a paused couple is not asked; the cadence simply moves on
                local = schedule.local_date(now, lead.zone)
                checkin_id = await self._open(uow, due.pair_id, local, now)
                if checkin_id is not None:
                    asks = schedule.pair_round(now, clocks).deliveries
                    people = (due.partner_a_id, due.partner_b_id)
                    await self._ask(uow, checkin_id, people, now, asks)
                    created += 1
            await uow.commit()
        return created

    async def _open(self, uow: UnitOfWork, pair_id: int, local: date, now: datetime) -> int | None:
        if await CheckInRepository(uow.session).open_for(pair_id) is not None:
            return None  # at most one open check-in per pair
        closes = now + timedelta(hours=CLOSES_AFTER_HOURS)
        return await CheckInRepository(uow.session).create(pair_id, local, now, closes)

    async def _ask(
        self,
        uow: UnitOfWork,
        checkin_id: int,
        people: tuple[int, int],
        now: datetime,
        at: tuple[datetime, ...] | None = None,
        actor_id: int | None = None,
    ) -> None:
        """Ask both partners, each at `at` (their own time; now if not given); the one
        who asked for the check-in (`actor_id`) is answered at once."""
        for index, person_id in enumerate(people):
            await uow.outbox.enqueue(
                recipient_id=person_id,
                dedupe_key=f"checkin:{checkin_id}:{person_id}:ask",
                message=CheckInAsk(checkin_id=checkin_id),
                now=now,
                priority=PRIORITY_BULK,
                not_before=at[index] if at else None,
                direct=person_id == actor_id,
            )

    async def start_now(self, person: PersonInfo) -> CheckInStarted | Refused:
        """`/checkin`: one now, unless one is already open (or done today)."""
        now = self._clock.now()
        async with self._uow() as uow:
            pair = await person_and_pair(uow.session, person, now)
            if pair is None:
                await uow.commit()
                return Refused(Refusal.NOT_PAIRED)
            pair_id = _id(pair)
            if await CheckInRepository(uow.session).open_for(pair_id) is not None:
                await uow.commit()
                return Refused(Refusal.CHECKIN_OPEN)
            checkin_id = await CheckInRepository(uow.session).create(
                pair_id,
                schedule.local_date(now, _zone(pair)),
                now,
                now + timedelta(hours=CLOSES_AFTER_HOURS),
            )
            if checkin_id is None:
                await uow.commit()
                return Refused(Refusal.CHECKIN_TODAY)
            await self._ask(
                uow, checkin_id, (pair.partner_a_id, pair.partner_b_id), now, actor_id=person.id
            )
            await uow.commit()
        return CheckInStarted(checkin_id)

    async def cadence_of(self, person_id: int) -> CadenceView | Refused:
        async with self._uow(read_only=True) as uow:
            pair = await PairRepository(uow.session).active_pair_of(person_id)
            if pair is None:
                return Refused(Refusal.NOT_PAIRED)
            zone = await PersonRepository(uow.session).zone_name_of(person_id, pair.timezone)
        return CadenceView(
            pair.checkin_cadence, pair.checkin_weekday, _when(pair.next_checkin_at, zone)
        )

    async def set_cadence(
        self, person: PersonInfo, cadence: str | None = None, weekday: int | None = None
    ) -> CadenceView | Refused:
        now = self._clock.now()
        async with self._uow() as uow:
            pair = await person_and_pair(uow.session, person, now)
            if pair is None:
                await uow.commit()
                return Refused(Refusal.NOT_PAIRED)
            chosen = Cadence(cadence or pair.checkin_cadence)
            day = pair.checkin_weekday if weekday is None else weekday
            due = first_checkin(now, chosen, day, pair.prompt_time, _zone(pair))
            before = {"cadence": pair.checkin_cadence, "weekday": pair.checkin_weekday}
            await CheckInRepository(uow.session).set_cadence(_id(pair), chosen.value, day, due)
            after = {"cadence": chosen.value, "weekday": day}
            await setting_changed(uow, pair, person, CADENCE, before, after, now)
            zone = await PersonRepository(uow.session).zone_name_of(person.id, pair.timezone)
            await uow.commit()
        return CadenceView(chosen.value, day, _when(due, zone))

    # --- answering ----------------------------------------------------------------------

    async def rate(self, person: PersonInfo, checkin_id: int, rating: int) -> RatingSaved | Refused:
        """A rating button: the rating is this partner's answer and counts the moment it is
        tapped. The second partner to rate reveals, exactly once (under the row lock)."""
        if rating not in RATINGS:
            return Refused(Refusal.STALE_BUTTON)
        now = self._clock.now()
        async with self._uow() as uow:
            checkin, pair = await self._own_checkin(uow, person.id, checkin_id)
            if checkin is None or pair is None:
                return Refused(Refusal.STALE_BUTTON)
            is_a = pair.partner_a_id == person.id
            reveals = await CheckInRepository(uow.session).rate(checkin_id, is_a, rating, now)
            if reveals is None:
                return Refused(
                    Refusal.CHECKIN_CLOSED if checkin.status != "open" else Refusal.CHECKIN_DONE
                )
            if reveals:
                await self._reveal(uow, pair, checkin_id, now, actor_id=person.id)
            partner_name = await PersonRepository(uow.session).display_name_of(
                other_partner(pair, person.id)
            )
            await uow.commit()
        return RatingSaved(checkin_id, rating, partner_name, reveals)

    async def start_note(self, person: PersonInfo, checkin_id: int) -> NoteStarted | Refused:
        """ "Add a note": the person's next text is the note, for a few minutes."""
        now = self._clock.now()
        async with self._uow() as uow:
            checkin, pair = await self._own_checkin(uow, person.id, checkin_id)
            if checkin is None or pair is None:
                return Refused(Refusal.STALE_BUTTON)
            if checkin.status == "closed":
                return Refused(Refusal.CHECKIN_CLOSED)
            await PersonRepository(uow.session).set_checkin_note(
                person.id, checkin_id, now + STEP_LIFETIME
            )
            partner_name = await PersonRepository(uow.session).display_name_of(
                other_partner(pair, person.id)
            )
            await uow.commit()
        return NoteStarted(partner_name, revealed=checkin.status == "revealed")

    async def skip_note(self, person: PersonInfo, checkin_id: int) -> NoteSkipped | Refused:
        """ "Skip": no note this time. The rating already counts; nothing else changes."""
        async with self._uow() as uow:
            checkin, pair = await self._own_checkin(uow, person.id, checkin_id)
            if checkin is None or pair is None:
                return Refused(Refusal.STALE_BUTTON)
            await CheckInRepository(uow.session).skip_note(
                checkin_id, pair.partner_a_id == person.id
            )
            await PersonRepository(uow.session).clear_checkin_note(person.id, checkin_id)
            partner_name = await PersonRepository(uow.session).display_name_of(
                other_partner(pair, person.id)
            )
            await uow.commit()
        return NoteSkipped(partner_name, revealed=checkin.status == "revealed")

    async def add_note(
        self,
        uow: UnitOfWork,
        pair: Pair,
        person: PersonInfo,
        checkin_id: int,
        text: str | None,
        now: datetime,
    ) -> NoteSaved | Refused:
        """A note for a check-in, in the caller's transaction. Before the reveal it is shown
        in it; after, it goes to the partner as a follow-up."""
        await PersonRepository(uow.session).clear_checkin_note(person.id, checkin_id)
        checkin, own_pair = await self._own_checkin(uow, person.id, checkin_id)
        if checkin is None or own_pair is None or own_pair.id != pair.id:
            return Refused(Refusal.STALE_BUTTON)
        note = (text or "").strip()[:NOTE_LIMIT]
        if not note:
            return Refused(Refusal.NOTE_TEXT_ONLY)
        is_a = pair.partner_a_id == person.id
        partner_id = other_partner(pair, person.id)
        outcome = await CheckInRepository(uow.session).add_note(checkin_id, is_a, note)
        if outcome is None:
            return Refused(
                Refusal.CHECKIN_CLOSED if checkin.status == "closed" else Refusal.RATE_FIRST
            )
        if outcome == "revealed":
            await uow.outbox.enqueue(
                recipient_id=partner_id,
                dedupe_key=f"checkin:{checkin_id}:{person.id}:note:{now.isoformat()}",
                message=CheckInNote(
                    checkin_id=checkin_id, partner_name=person.display_name, note=note
                ),
                now=now,
                priority=PRIORITY_REPLY,
            )
        partner_name = await PersonRepository(uow.session).display_name_of(partner_id)
        return NoteSaved(partner_name, sent_now=outcome == "revealed")

    # --- the reveal ---------------------------------------------------------------------

    async def _reveal(
        self,
        uow: UnitOfWork,
        pair: Pair,
        checkin_id: int,
        now: datetime,
        actor_id: int | None = None,
    ) -> None:
        """Both reveals; the one who just finished (`actor_id`) gets theirs at once, the
        partner's keeps quiet hours (see OutboxRepository). No actor: both keep them."""
        checkin = await CheckInRepository(uow.session).get(checkin_id, fresh=True)
        assert checkin is not None
        assert checkin.a_rating is not None
        assert checkin.b_rating is not None
        current = Ratings(checkin.a_rating, checkin.b_rating)
        earlier = [
            Ratings(c.a_rating, c.b_rating)
            for c in await CheckInRepository(uow.session).revealed_before(_id(pair), checkin_id, 2)
            if c.a_rating is not None and c.b_rating is not None
        ]
        outcome = follow_up(current, earlier)
        prompt = self._pick_prompt(
            "reconnect" if outcome.reconnect else "checkin", _id(pair), checkin_id
        )
        await CheckInRepository(uow.session).mark_revealed(
            checkin_id, now, outcome.label, prompt.id if prompt else None
        )
        names = {
            pid: await PersonRepository(uow.session).display_name_of(pid)
            for pid in (pair.partner_a_id, pair.partner_b_id)
        }
        for reader in (pair.partner_a_id, pair.partner_b_id):
            partner = other_partner(pair, reader)
            await uow.outbox.enqueue(
                recipient_id=reader,
                dedupe_key=f"checkin:{checkin_id}:{reader}:reveal",
                message=CheckInReveal(
                    checkin_id=checkin_id,
                    partner_name=names[partner],
                    own=_side(checkin, reader == pair.partner_a_id),
                    theirs=_side(checkin, partner == pair.partner_a_id),
                    celebrate=outcome.celebrate,
                    reconnect=outcome.reconnect,
                    reasons=[reason.value for reason in outcome.reconnect_reasons],
                    counsellor=outcome.suggest_counsellor,
                    prompt=prompt.text if prompt else None,
                    support_url=self._support.url,
                    support_text=self._support.text,
                ),
                direct=reader == actor_id,
                now=now,
                priority=PRIORITY_REPLY,
            )

    def _pick_prompt(self, kind: str, pair_id: int, checkin_id: int) -> Any:
        prompts = self._catalog.prompts(kind=kind)
        if not prompts:
            return None
        digest = hashlib.sha256(f"{pair_id}:{checkin_id}".encode()).digest()
        return prompts[int.from_bytes(digest[:4], "big") % len(prompts)]

    async def schedule_reconnect(
        self, person: PersonInfo, checkin_id: int, option: str
    ) -> ReconnectScheduled | Refused:
        """The couple picked a time for their reconnect talk: both get a reminder then."""
        if option not in RECONNECT_OPTIONS:
            return Refused(Refusal.STALE_BUTTON)
        now = self._clock.now()
        async with self._uow() as uow:
            checkin, pair = await self._own_checkin(uow, person.id, checkin_id)
            if checkin is None or pair is None or checkin.status != "revealed":
                return Refused(Refusal.STALE_BUTTON)
            zone = ZoneInfo(
                await PersonRepository(uow.session).zone_name_of(person.id, pair.timezone)
            )
            due = _reconnect_time(option, now, pair, zone)
            await CheckInRepository(uow.session).add_reminder(checkin_id, _id(pair), due)
            partner = other_partner(pair, person.id)
            partner_zone = ZoneInfo(
                await PersonRepository(uow.session).zone_name_of(partner, pair.timezone)
            )
            await uow.outbox.enqueue(
                recipient_id=partner,
                dedupe_key=f"checkin:{checkin_id}:{partner}:scheduled:{due.isoformat()}",
                message=ReconnectScheduledByPartner(
                    partner_name=person.display_name, when=_when(due, partner_zone)
                ),
                now=now,
                priority=PRIORITY_REPLY,
            )
            await uow.commit()
        return ReconnectScheduled(when_text=_when(due, zone) or "")

    # --- closing and reminders ------------------------------------------------------------

    async def _close_expired(self) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            for checkin in await CheckInRepository(uow.session).claim_closing(now, self._batch):
                await self._close(uow, checkin, now)
            await uow.commit()

    async def _close(self, uow: UnitOfWork, checkin: CheckIn, now: datetime) -> None:
        """Unanswered by one partner after 48 hours: closed, and if one of them had rated,
        both are told kindly; the rating stays private. (Both ratings in: a reveal that an
        older version of the bot left waiting for notes.)"""
        checkin_id = _checkin_id(checkin)
        pair = await PairRepository(uow.session).get(checkin.pair_id)
        if pair is not None and checkin.a_done_at and checkin.b_done_at:
            await self._reveal(uow, pair, checkin_id, now)
            return
        await CheckInRepository(uow.session).close(checkin_id)
        if pair is None or pair.status != "active":
            return
        rated = [
            person_id
            for person_id, done in (
                (pair.partner_a_id, checkin.a_done_at),
                (pair.partner_b_id, checkin.b_done_at),
            )
            if done is not None
        ]
        for person_id in (pair.partner_a_id, pair.partner_b_id):
            await PersonRepository(uow.session).clear_checkin_note(person_id, checkin_id)
            if not rated:
                continue
            await uow.outbox.enqueue(
                recipient_id=person_id,
                dedupe_key=f"checkin:{checkin_id}:{person_id}:closed",
                message=CheckInClosed(
                    partner_name=await PersonRepository(uow.session).display_name_of(
                        other_partner(pair, person_id)
                    ),
                    answered=person_id in rated,
                ),
                now=now,
                priority=PRIORITY_BULK,
            )

    async def _send_reconnect_reminders(self) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            for reminder in await CheckInRepository(uow.session).claim_reminders(now, self._batch):
                assert reminder.id is not None
                await CheckInRepository(uow.session).mark_reminder_sent(reminder.id, now)
                pair = await PairRepository(uow.session).get(reminder.pair_id)
                checkin = await CheckInRepository(uow.session).get(reminder.checkin_id)
                if pair is None or pair.status != "active" or checkin is None:
                    continue
                prompt = self._catalog.prompt(checkin.prompt_id) if checkin.prompt_id else None
                for person_id in (pair.partner_a_id, pair.partner_b_id):
                    await uow.outbox.enqueue(
                        recipient_id=person_id,
                        dedupe_key=f"reconnect:{reminder.id}:{person_id}",
                        message=ReconnectReminder(
                            partner_name=await PersonRepository(uow.session).display_name_of(
                                other_partner(pair, person_id)
                            ),
                            prompt=prompt.text if prompt else None,
                        ),
                        now=now,
                        priority=PRIORITY_REPLY,
                    )
            await uow.commit()

    # --- trend --------------------------------------------------------------------------

    async def trend(self, person_id: int) -> Trend | Refused:
        """Both partners' ratings over time, the reader's own line first."""
        async with self._uow(read_only=True) as uow:
            pair = await PairRepository(uow.session).active_pair_of(person_id)
            if pair is None:
                return Refused(Refusal.NOT_PAIRED)
            partner = other_partner(pair, person_id)
            mine_is_a = pair.partner_a_id == person_id
            zone = ZoneInfo(
                await PersonRepository(uow.session).zone_name_of(person_id, pair.timezone)
            )
            points = [
                (
                    c.created_at.astimezone(zone).date(),
                    c.a_rating if mine_is_a else c.b_rating,
                    c.b_rating if mine_is_a else c.a_rating,
                )
                for c in await CheckInRepository(uow.session).revealed_of(_id(pair))
            ]
            return Trend(
                partner_name=await PersonRepository(uow.session).display_name_of(partner),
                points=points,
            )

    # --- helpers --------------------------------------------------------------------------

    async def _own_checkin(
        self, uow: UnitOfWork, person_id: int, checkin_id: int
    ) -> tuple[CheckIn | None, Pair | None]:
        """The check-in and its pair, only if this person is one of its partners."""
        checkin = await CheckInRepository(uow.session).get(checkin_id)
        pair = await PairRepository(uow.session).get(checkin.pair_id) if checkin else None
        if pair is None or person_id not in (pair.partner_a_id, pair.partner_b_id):
            return None, None
        return checkin, pair


def _side(checkin: CheckIn, is_a: bool) -> Side:
    if is_a:
        return Side(checkin.a_rating, checkin.a_note)
    return Side(checkin.b_rating, checkin.b_note)


def _reconnect_time(option: str, now: datetime, pair: Pair, zone: ZoneInfo) -> datetime:
    at = pair.prompt_time
    if option == "1h":
        return now + timedelta(hours=1)
    today = schedule.local_date(now, zone)
    if option == "tonight":
        tonight = schedule.resolve_local(today, at, zone)
        return tonight if tonight > now else now + timedelta(hours=1)
    if option == "tomorrow":
        return schedule.resolve_local(today + timedelta(days=1), at, zone)
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    return schedule.resolve_local(saturday, at, zone)


def _when(instant: datetime | None, zone: ZoneInfo | str) -> str | None:
    if instant is None:
        return None
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return instant.astimezone(tz).strftime("%A %d %B at %H:%M")


def _zone(pair: Pair) -> ZoneInfo:
    return ZoneInfo(pair.timezone)


def _id(pair: Pair) -> int:
    assert pair.id is not None
    return pair.id


def _checkin_id(checkin: CheckIn) -> int:
    assert checkin.id is not None
    return checkin.id
