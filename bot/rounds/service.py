"""Daily rounds: the scheduled question, answers, the exactly-once reveal, and what
happens around a round (nudges, reminders, closing, streaks, history). Reactions are
bot/rounds/reactions.py."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.conversation.rules import STEP_LIFETIME
from bot.db.models import Answer, Pair, Round
from bot.db.people import PairRepository, PersonRepository, person_and_pair
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.kernel import schedule
from bot.kernel.clock import Clock
from bot.kernel.messages import Queued
from bot.kernel.people import PersonInfo, stored_display_name
from bot.kernel.results import Refusal, Refused
from bot.kernel.words import short_date
from bot.prompts.choice import PairDay, PromptChooser
from bot.prompts.library import PromptCatalog
from bot.rounds import rules as streaks
from bot.rounds.messages import (
    Nudge,
    Question,
    Relay,
    Reminder,
    Reveal,
    RoundClosed,
    SharedAnswer,
)
from bot.rounds.repository import AnswerRepository, DuePair, NewRound, RoundRepository, RoundTimes

log = logging.getLogger(__name__)

ANSWER_KINDS = ("text", "voice", "photo", "video", "video_note")
REACTIONS = ("❤️", "🤗", "😊", "🥹", "🔥")
CONVERSATION_KINDS = ("reveal", "relay", "reaction")  # a reply to these goes to the partner
ROUND_KINDS = ("question", "reminder", "nudge")  # a reply to these answers their round
PRIORITY_REPLY = 0  # reveals, nudges, relays: a person is waiting for these
PRIORITY_BULK = 10  # the daily fan-out of questions


@dataclass(frozen=True)
class RoundSettings:
    round_open_days: int = 7
    reminder_after: timedelta = timedelta(hours=2)
    quiet_start: time = time(22, 0)
    quiet_end: time = time(8, 0)
    # Pairs per fan-out transaction: larger batches cost less per pair, smaller ones hold
    # SQLite's write lock for less time while answers wait.
    tick_batch: int = 1000
    # Batches claimed at once. With PostgreSQL two overlap, so the bot works out one while
    # the server stores the other (SKIP LOCKED keeps them apart); SQLite has one writer.
    tick_workers: int = 1


@dataclass(frozen=True)
class IncomingAnswer:
    """A message a partner wrote, as plain values."""

    kind: str
    body: str | None
    file_id: str | None
    chat_id: int
    message_id: int
    reply_to_message_id: int | None = None


@dataclass(frozen=True)
class Saved:
    question: str
    partner_name: str
    revealed: bool
    replaced: bool = False
    by_reply: bool = False
    # Set when the answer went to an earlier question than the pair's newest (by reply):
    # the acknowledgement names that day, so nothing is filed out of sight.
    earlier_date: date | None = None


@dataclass(frozen=True)
class Relayed:
    partner_name: str


@dataclass(frozen=True)
class EditStarted:
    question: str


@dataclass(frozen=True)
class Skipped:
    question: str


@dataclass(frozen=True)
class HistoryEntry:
    round_id: int
    day_text: str  # on the reader's calendar, e.g. "Wed 11 Mar"
    question: str


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    page: int
    pages: int


@dataclass(frozen=True)
class AnswerView:
    name: str
    kind: str
    body: str | None
    chat_id: int
    message_id: int


@dataclass(frozen=True)
class RoundView:
    round_id: int
    day_text: str
    question: str
    mine: AnswerView | None
    theirs: AnswerView | None


@dataclass(frozen=True)
class TickReport:
    rounds_created: int = 0
    reminders: int = 0
    closed: int = 0


def shared_answer(answer: Answer) -> SharedAnswer:
    return SharedAnswer(answer.kind, answer.body, answer.chat_id, answer.message_id)


def other_partner(pair: Pair, person_id: int) -> int:
    return pair.partner_b_id if pair.partner_a_id == person_id else pair.partner_a_id


class RoundService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        catalog: PromptCatalog,
        settings: RoundSettings,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._catalog = catalog
        self._settings = settings

    # --- the schedule ---------------------------------------------------------------

    async def open_first_round(self, uow: UnitOfWork, pair: Pair, now: datetime) -> None:
        """Right after pairing: today's question at once for both (the invitee, partner b,
        just acted, so theirs is a direct reply; the inviter's keeps quiet hours), then
        daily at each partner's own time."""
        assert pair.id is not None
        clocks = await partner_clocks(uow, pair)
        due = DuePair(pair.id, pair.partner_a_id, pair.partner_b_id, clocks, now, pair.created_at)
        first = schedule.first_pair_round(now, _zoned(clocks))
        await self._create_rounds(uow, [(due, first)], now, actor_id=pair.partner_b_id)

    async def tick(self) -> TickReport:
        """Claim due pairs in batches and give each today's round; then reminders, closings."""
        workers = (self._fan_out() for _ in range(max(1, self._settings.tick_workers)))
        created = sum(await asyncio.gather(*workers))
        reminders = await self._send_reminders()
        closed = await self._close_expired()
        return TickReport(rounds_created=created, reminders=reminders, closed=closed)

    async def _fan_out(self) -> int:
        """Batch after batch until a claim comes back short: nothing more is due."""
        created = 0
        while True:
            made, claimed = await self._tick_batch()
            created += made
            if claimed < self._settings.tick_batch:
                return created

    async def _tick_batch(self) -> tuple[int, int]:
        now = self._clock.now()
        async with self._uow() as uow:
            due_pairs = await RoundRepository(uow.session).claim_due_pairs(
                now, self._settings.tick_batch
            )
            planned = []
            due_rounds = schedule.DuePairRounds(now)
            for pair in due_pairs:
                due = due_rounds.for_pair(pair.next_prompt_at, pair.clocks)
                if due is not None:
                    planned.append((pair, due))
            made = await self._create_rounds(uow, planned, now)
            await uow.commit()
        return made, len(due_pairs)

    async def _create_rounds(
        self,
        uow: UnitOfWork,
        planned: list[tuple[DuePair, schedule.PairRound]],
        now: datetime,
        actor_id: int | None = None,
    ) -> int:
        """Rounds (unique per pair and pair-day), each partner's question in the outbox for
        their own delivery instant, and the next creation instant, all in the caller's
        transaction."""
        days = [PairDay(pair.id, pair.created_at, due.local_date) for pair, due in planned]
        chosen = await PromptChooser(self._catalog).choose_many(uow, days, now)
        new_rounds: list[NewRound] = []
        # Thousands of pairs share a handful of zones and delivery instants.
        reminder_cache: dict[tuple[str, datetime], datetime | None] = {}
        for pair, due in planned:
            prompt = chosen.get(pair.id)
            if prompt is None:
                log.error("no daily prompt available for pair %s", pair.id)
                continue
            reminders = self._reminders(pair, due, now, reminder_cache)
            new_rounds.append(NewRound(pair.id, due.local_date, prompt.id, *reminders))
        times = RoundTimes(
            created_at=now, closes_at=now + timedelta(days=self._settings.round_open_days)
        )
        created = await RoundRepository(uow.session).create_many(new_rounds, times)
        by_pair = {pair.id: (pair, due) for pair, due in planned}
        questions: list[Queued] = []
        for new in new_rounds:
            round_id = created.get(new.pair_id)
            if round_id is not None:
                questions += self._questions(*by_pair[new.pair_id], round_id, new.prompt_id)
        clocks = {
            person_id: (zone, at)
            for pair, _ in planned
            for person_id, (at, zone) in zip(
                (pair.partner_a_id, pair.partner_b_id), pair.clocks, strict=True
            )
        }
        await uow.outbox.enqueue_many(questions, now, actor_id=actor_id, clocks=clocks)
        await RoundRepository(uow.session).set_next_prompt_at(
            [(pair.id, due.following) for pair, due in planned]
        )
        return len(created)

    def _reminders(
        self,
        pair: DuePair,
        due: schedule.PairRound,
        now: datetime,
        cache: dict[tuple[str, datetime], datetime | None],
    ) -> tuple[datetime | None, datetime | None]:
        """Each partner's one reminder: a while after their own delivery, or none that day
        (`schedule.reminder_instant`)."""
        found = []
        for (_, zone_name), delivered in zip(pair.clocks, due.deliveries, strict=True):
            key = (zone_name, max(now, delivered))
            if key not in cache:
                cache[key] = schedule.reminder_instant(
                    key[1],
                    ZoneInfo(zone_name),
                    self._settings.reminder_after,
                    start=self._settings.quiet_start,
                    end=self._settings.quiet_end,
                )
            found.append(cache[key])
        return found[0], found[1]

    def _questions(
        self, pair: DuePair, due: schedule.PairRound, round_id: int, prompt_id: str
    ) -> list[Queued]:
        """The question's outbox rows for both partners, each for their own delivery
        instant (queued together by the caller)."""
        question = self._question(round_id, prompt_id)
        return [
            Queued(
                person_id,
                question,
                f"round:{round_id}:{person_id}:question:{prompt_id}",
                PRIORITY_BULK,
                not_before=delivered,
            )
            for person_id, delivered in zip(
                (pair.partner_a_id, pair.partner_b_id), due.deliveries, strict=True
            )
        ]

    def _question(self, round_id: int, prompt_id: str) -> Question:
        prompt = self._catalog.prompt(prompt_id)
        deck = self._catalog.deck(prompt.deck_id) if prompt else None
        return Question(
            round_id=round_id,
            prompt_id=prompt_id,
            text=prompt.text if prompt else "",
            deck_title=deck.title if deck else "",
        )

    # --- answers --------------------------------------------------------------------

    async def answer_round(
        self,
        uow: UnitOfWork,
        pair: Pair,
        person: PersonInfo,
        round_id: int,
        incoming: IncomingAnswer,
        now: datetime,
        *,
        by_reply: bool = False,
    ) -> Saved | Refused:
        """The message is this person's answer to that round of their pair."""
        target = await RoundRepository(uow.session).get(round_id, lock=True)
        if target is None or target.pair_id != pair.id:
            return Refused(Refusal.STALE_BUTTON)
        return await self._answer(uow, pair, person, target, incoming, now, by_reply=by_reply)

    async def replace_answer(
        self,
        uow: UnitOfWork,
        pair: Pair,
        person: PersonInfo,
        round_id: int,
        incoming: IncomingAnswer,
        now: datetime,
    ) -> Saved | Refused:
        """The message replaces this person's answer to that round (/edit, or the button)."""
        await PersonRepository(uow.session).set_editing(person.id, None)
        target = await RoundRepository(uow.session).get(round_id, lock=True)
        if target is None or target.pair_id != pair.id:
            return Refused(Refusal.STALE_BUTTON)
        return await self._replace(uow, pair, person, target, incoming, now)

    async def _answer(
        self,
        uow: UnitOfWork,
        pair: Pair,
        person: PersonInfo,
        target: Round,
        incoming: IncomingAnswer,
        now: datetime,
        *,
        by_reply: bool = False,
    ) -> Saved | Refused:
        round_id = _round_id(target)
        if target.status != "open":
            return Refused(_not_open_refusal(target))
        # Taking the slot locks the round row: whoever takes the second slot reveals.
        reveals = await RoundRepository(uow.session).fill_slot(
            round_id, pair.partner_a_id == person.id, now
        )
        if reveals is None:
            return Refused(Refusal.ALREADY_ANSWERED)
        await AnswerRepository(uow.session).add(_new_answer(round_id, person.id, incoming, now))
        partner_id = other_partner(pair, person.id)
        partner_name = await PersonRepository(uow.session).display_name_of(partner_id)
        earlier = await self._earlier_date(uow, pair, target) if by_reply else None
        if reveals:
            # Both names are known: the partner's was just read, and this person's is the
            # one the update carries (the conversation has just stored it).
            names = {person.id: stored_display_name(person), partner_id: partner_name}
            await self._reveal(uow, pair, target, now, names, actor_id=person.id)
        else:
            await self._nudge(uow, target, partner_id, person.display_name, now, earlier)
        return Saved(
            question=self._prompt_text(target.prompt_id),
            partner_name=partner_name,
            revealed=reveals,
            by_reply=by_reply,
            earlier_date=earlier,
        )

    async def _earlier_date(self, uow: UnitOfWork, pair: Pair, target: Round) -> date | None:
        """The round's date if a newer round exists for the pair, else None."""
        latest = await RoundRepository(uow.session).latest(_pair_id(pair))
        if latest is None or latest.id == target.id:
            return None
        return target.local_date

    async def _replace(
        self,
        uow: UnitOfWork,
        pair: Pair,
        person: PersonInfo,
        target: Round,
        incoming: IncomingAnswer,
        now: datetime,
    ) -> Saved | Refused:
        if target.status != "open":
            return Refused(_not_open_refusal(target))
        existing = await AnswerRepository(uow.session).of(_round_id(target), person.id)
        if existing is None:
            return await self._answer(uow, pair, person, target, incoming, now, by_reply=True)
        assert existing.id is not None
        await AnswerRepository(uow.session).replace(existing.id, _answer_values(incoming, now))
        return Saved(
            question=self._prompt_text(target.prompt_id),
            partner_name=await PersonRepository(uow.session).display_name_of(
                other_partner(pair, person.id)
            ),
            revealed=False,
            replaced=True,
        )

    async def edit_from_telegram(
        self, person: PersonInfo, incoming: IncomingAnswer
    ) -> Saved | Refused | None:
        """The person edited a message in Telegram: if it was an answer, replace it
        (before the reveal only). None when the edited message was not an answer."""
        now = self._clock.now()
        async with self._uow() as uow:
            answer = await AnswerRepository(uow.session).by_message(
                incoming.chat_id, incoming.message_id
            )
            if answer is None or answer.person_id != person.id:
                return None
            target = await RoundRepository(uow.session).get(answer.round_id, lock=True)
            pair = await PairRepository(uow.session).get(target.pair_id) if target else None
            if target is None or pair is None:
                return None
            outcome = await self._replace(uow, pair, person, target, incoming, now)
            await uow.commit()
        return outcome

    async def begin_edit(self, person: PersonInfo) -> EditStarted | Refused:
        """`/edit`: the next message replaces the answer to the newest answered open round."""
        now = self._clock.now()
        async with self._uow() as uow:
            pair = await person_and_pair(uow.session, person, now)
            if pair is None:
                await uow.commit()
                return Refused(Refusal.NOT_PAIRED)
            latest = await RoundRepository(uow.session).latest(_pair_id(pair))
            outcome = await self._edit_target(uow, person, latest)
            if isinstance(outcome, EditStarted):
                assert latest is not None
                expires = now + STEP_LIFETIME
                await PersonRepository(uow.session).set_editing(person.id, latest.id, expires)
            await uow.commit()
        return outcome

    async def _edit_target(
        self, uow: UnitOfWork, person: PersonInfo, latest: Round | None
    ) -> EditStarted | Refused:
        if latest is None:
            return Refused(Refusal.NO_OPEN_ROUND)
        if latest.status == "revealed":
            return Refused(Refusal.ANSWERS_LOCKED)
        if latest.status != "open":
            return Refused(Refusal.NO_OPEN_ROUND)
        if await AnswerRepository(uow.session).of(_round_id(latest), person.id) is None:
            return Refused(Refusal.NOTHING_TO_EDIT)
        return EditStarted(question=self._prompt_text(latest.prompt_id))

    # --- the reveal and what surrounds it --------------------------------------------

    async def _reveal(
        self,
        uow: UnitOfWork,
        pair: Pair,
        target: Round,
        now: datetime,
        names: dict[int, str],
        actor_id: int,
    ) -> None:
        """Both reveals, queued with one statement. `names`: each partner's display name.
        The one who just answered (`actor_id`) gets theirs at once; the partner's keeps
        quiet hours (see OutboxRepository)."""
        round_id = _round_id(target)
        previous = await RoundRepository(uow.session).previous(_pair_id(pair), target.local_date)
        streak = streaks.streak_after(
            previous.status if previous else None, previous.streak if previous else 0
        )
        await RoundRepository(uow.session).mark_revealed(round_id, now, streak)
        answers = {
            answer.person_id: answer
            for answer in await AnswerRepository(uow.session).for_round(round_id)
        }
        question = self._prompt_text(target.prompt_id)
        reveals: list[Queued] = []
        for reader_id in (pair.partner_a_id, pair.partner_b_id):
            partner_id = other_partner(pair, reader_id)
            reveals.append(
                Queued(
                    reader_id,
                    Reveal(
                        round_id=round_id,
                        question=question,
                        partner_name=names[partner_id],
                        partner_answer=shared_answer(answers[partner_id]),
                        own_answer=shared_answer(answers[reader_id]),
                        streak=streak,
                    ),
                    f"round:{round_id}:{reader_id}:reveal",
                    PRIORITY_REPLY,
                )
            )
        await uow.outbox.enqueue_many(reveals, now, actor_id=actor_id)

    async def _nudge(
        self,
        uow: UnitOfWork,
        target: Round,
        partner_id: int,
        answerer_name: str,
        now: datetime,
        earlier: date | None,
    ) -> None:
        """Tell the partner once, without any answer content, that an answer is waiting:
        never before their own question of that round has reached them; for an earlier
        question, which one (a reply to the nudge answers it)."""
        round_id = _round_id(target)
        nudge = Nudge(answerer_name, round_id)
        if earlier is not None:
            nudge = Nudge(answerer_name, round_id, self._prompt_text(target.prompt_id), True)
        question_due = await uow.outbox.question_due(round_id, partner_id)
        waits = question_due is not None and question_due > now
        await uow.outbox.enqueue(
            recipient_id=partner_id,
            dedupe_key=f"round:{round_id}:{partner_id}:nudge",
            message=nudge,
            now=now,
            # Behind the question when both fall due together: same priority, later row.
            priority=PRIORITY_BULK if waits else PRIORITY_REPLY,
            not_before=question_due,
        )

    async def relay(
        self,
        uow: UnitOfWork,
        pair: Pair,
        person: PersonInfo,
        round_id: int | None,
        incoming: IncomingAnswer,
        now: datetime,
    ) -> Relayed | Refused:
        """A message for the partner: a reply under a reveal (or what followed it), or a
        message the person chose to send. Only within the pair that round belongs to:
        never on to someone from a later pairing. Without a round, it hangs under the
        pair's newest one, so the partner's reply to it comes back the same way."""
        if round_id is None:
            target = await RoundRepository(uow.session).latest(_pair_id(pair))
        else:
            target = await RoundRepository(uow.session).get(round_id)
        if target is None or target.pair_id != pair.id:
            return Refused(Refusal.OLD_CONVERSATION)
        partner_id = other_partner(pair, person.id)
        await uow.outbox.enqueue(
            recipient_id=partner_id,
            dedupe_key=f"relay:{incoming.chat_id}:{incoming.message_id}",
            message=Relay(
                _round_id(target),
                person.display_name,
                SharedAnswer(incoming.kind, incoming.body, incoming.chat_id, incoming.message_id),
            ),
            now=now,
            priority=PRIORITY_REPLY,
        )
        return Relayed(partner_name=await PersonRepository(uow.session).display_name_of(partner_id))

    async def skip(self, person: PersonInfo) -> Skipped | Refused:
        """`/skip`: swap today's question for another, once a day, before anyone answers."""
        now = self._clock.now()
        async with self._uow() as uow:
            pair = await person_and_pair(uow.session, person, now)
            if pair is None:
                await uow.commit()
                return Refused(Refusal.NOT_PAIRED)
            outcome = await self._swap(uow, pair, person, now)
            await uow.commit()
        return outcome

    async def _swap(
        self, uow: UnitOfWork, pair: Pair, person: PersonInfo, now: datetime
    ) -> Skipped | Refused:
        """Today's question swapped for another: in the reply for the one who asked, as a
        new question message for the partner."""
        latest = await RoundRepository(uow.session).latest(_pair_id(pair))
        if latest is None or latest.status != "open":
            return Refused(Refusal.NO_OPEN_ROUND)
        if latest.a_answered_at or latest.b_answered_at:
            return Refused(Refusal.SKIP_AFTER_ANSWER)
        if latest.skipped_prompt_id is not None:
            return Refused(Refusal.SKIP_USED)
        replacement = await PromptChooser(self._catalog).lighter(
            uow, _pair_id(pair), pair.created_at, {latest.prompt_id}, now
        )
        if replacement is None:
            return Refused(Refusal.NO_OPEN_ROUND)
        if not await RoundRepository(uow.session).swap_prompt(
            _round_id(latest), replacement.id, latest.prompt_id
        ):
            return Refused(Refusal.SKIP_USED)
        partner_id = other_partner(pair, person.id)
        question = self._question(_round_id(latest), replacement.id)
        await uow.outbox.enqueue(
            recipient_id=partner_id,
            dedupe_key=f"round:{latest.id}:{partner_id}:question:{replacement.id}",
            message=replace(question, swapped_by=person.display_name),
            now=now,
            priority=PRIORITY_REPLY,
        )
        return Skipped(question=replacement.text)

    # --- reminders and closing ---------------------------------------------------------

    async def _send_reminders(self) -> int:
        now = self._clock.now()
        sent = 0
        async with self._uow() as uow:
            for target in await RoundRepository(uow.session).claim_reminders(
                now, self._settings.tick_batch
            ):
                sent += await self._remind(uow, target, now)
            await uow.commit()
        return sent

    async def _remind(self, uow: UnitOfWork, target: Round, now: datetime) -> int:
        """Each partner's one reminder, when their own instant has come (it was worked out
        at creation to fall on their day, by 21:30 and outside quiet hours); never in a
        pause, and only to whoever has not answered."""
        round_id = _round_id(target)
        pair = await PairRepository(uow.session).get(target.pair_id)
        if pair is None or not await self._worth_reminding(uow, pair, target, now):
            await RoundRepository(uow.session).set_reminders(
                round_id, None, None, target.reminded_at
            )
            return 0
        slots = {pair.partner_a_id: target.a_reminder_at, pair.partner_b_id: target.b_reminder_at}
        sent = 0
        for person_id, at in slots.items():
            if at is None or at > now:
                continue
            slots[person_id] = None
            if await AnswerRepository(uow.session).of(round_id, person_id) is not None:
                continue
            zone = ZoneInfo(
                await PersonRepository(uow.session).zone_name_of(person_id, pair.timezone)
            )
            if not schedule.reminder_still_fits(
                at, now, zone, start=self._settings.quiet_start, end=self._settings.quiet_end
            ):
                continue
            await uow.outbox.enqueue(
                recipient_id=person_id,
                dedupe_key=f"round:{round_id}:{person_id}:reminder",
                message=Reminder(round_id=round_id, question=self._prompt_text(target.prompt_id)),
                now=now,
                priority=PRIORITY_BULK,
            )
            sent += 1
        reminded = now if sent else target.reminded_at
        await RoundRepository(uow.session).set_reminders(
            round_id, slots[pair.partner_a_id], slots[pair.partner_b_id], reminded
        )
        return sent

    async def _worth_reminding(
        self, uow: UnitOfWork, pair: Pair, target: Round, now: datetime
    ) -> bool:
        """Never while paused, and only about the pair's newest question: once a newer one
        came (or comes after a pause), an older one is left to close quietly."""
        if pair.status != "active" or not pair.reminders_enabled:
            return False
        if pair.pause_reason is not None and (pair.paused_until is None or pair.paused_until > now):
            return False
        latest = await RoundRepository(uow.session).latest(_pair_id(pair))
        return latest is not None and latest.id == target.id

    async def _close_expired(self) -> int:
        now = self._clock.now()
        async with self._uow() as uow:
            closing = await RoundRepository(uow.session).claim_closing(
                now, self._settings.tick_batch
            )
            for target in closing:
                await self._close(uow, target, now)
            await uow.commit()
        return len(closing)

    async def _close(self, uow: UnitOfWork, target: Round, now: datetime) -> None:
        """Close an unanswered round; the one who answered is told gently, and their
        answer is never shown."""
        round_id = _round_id(target)
        await RoundRepository(uow.session).close(round_id)
        pair = await PairRepository(uow.session).get(target.pair_id)
        answers = await AnswerRepository(uow.session).for_round(round_id)
        if pair is None or pair.status != "active" or len(answers) != 1:
            return  # after unpairing, an old question closes quietly
        answerer = answers[0].person_id
        await uow.outbox.enqueue(
            recipient_id=answerer,
            dedupe_key=f"round:{round_id}:{answerer}:closed",
            message=RoundClosed(
                partner_name=await PersonRepository(uow.session).display_name_of(
                    other_partner(pair, answerer)
                ),
                question=self._prompt_text(target.prompt_id),
            ),
            now=now,
            priority=PRIORITY_BULK,
        )

    # --- history ----------------------------------------------------------------------

    async def history(self, person: PersonInfo, page: int, per_page: int = 5) -> HistoryPage:
        async with self._uow(read_only=True) as uow:
            rounds, total = await RoundRepository(uow.session).revealed_for_people(
                person.id, max(0, page) * per_page, per_page
            )
            entries = [
                HistoryEntry(
                    _round_id(r),
                    await _day_seen_by(uow, person.id, r),
                    self._prompt_text(r.prompt_id),
                )
                for r in rounds
            ]
        pages = max(1, -(-total // per_page))
        return HistoryPage(entries=entries, page=min(max(0, page), pages - 1), pages=pages)

    async def view_round(self, person: PersonInfo, round_id: int) -> RoundView | Refused:
        """A revealed round again, for either partner of that pair (also after unpairing)."""
        async with self._uow(read_only=True) as uow:
            target = await RoundRepository(uow.session).get(round_id)
            pair = await PairRepository(uow.session).get(target.pair_id) if target else None
            if target is None or pair is None or target.status != "revealed":
                return Refused(Refusal.STALE_BUTTON)
            if person.id not in (pair.partner_a_id, pair.partner_b_id):
                return Refused(Refusal.STALE_BUTTON)
            answers = {
                a.person_id: a for a in await AnswerRepository(uow.session).for_round(round_id)
            }
            partner_id = other_partner(pair, person.id)
            partner_name = await PersonRepository(uow.session).display_name_of(partner_id)
            day = await _day_seen_by(uow, person.id, target, pair)
        return RoundView(
            round_id=round_id,
            day_text=day,
            question=self._prompt_text(target.prompt_id),
            mine=_view(answers.get(person.id), "You"),
            theirs=_view(answers.get(partner_id), partner_name),
        )

    async def streak(self, pair_id: int) -> int:
        async with self._uow(read_only=True) as uow:
            status, streak = await RoundRepository(uow.session).latest_settled(pair_id)
        return streaks.current_streak(status, streak)

    # --- helpers ------------------------------------------------------------------------

    def _prompt_text(self, prompt_id: str) -> str:
        prompt = self._catalog.prompt(prompt_id)
        return prompt.text if prompt else ""


async def _day_seen_by(
    uow: UnitOfWork, person_id: int, target: Round, pair: Pair | None = None
) -> str:
    """The day the question came, on the reader's own calendar ("Wed 11 Mar")."""
    pair = pair or await PairRepository(uow.session).get(target.pair_id)
    fallback = pair.timezone if pair is not None else "UTC"
    zone = ZoneInfo(await PersonRepository(uow.session).zone_name_of(person_id, fallback))
    return short_date(target.created_at.astimezone(zone).date())


async def partner_clocks(uow: UnitOfWork, pair: Pair) -> tuple[tuple[time, str], tuple[time, str]]:
    """Each partner's own (daily time, zone), partner a first; the pair's zone and time
    stand in for a partner who has not set theirs (as in `claim_due_pairs`)."""
    clocks = []
    for person_id in (pair.partner_a_id, pair.partner_b_id):
        person = await PersonRepository(uow.session).get(person_id)
        at = person.prompt_time if person and person.prompt_time else pair.prompt_time
        zone = person.timezone if person and person.timezone else pair.timezone
        clocks.append((at, zone))
    return clocks[0], clocks[1]


def _zoned(clocks: tuple[tuple[time, str], ...]) -> list[schedule.PartnerClock]:
    return [schedule.PartnerClock(at, ZoneInfo(zone)) for at, zone in clocks]


def _new_answer(round_id: int, person_id: int, incoming: IncomingAnswer, now: datetime) -> Answer:
    return Answer(
        round_id=round_id, person_id=person_id, created_at=now, **_answer_values(incoming, now)
    )


def _answer_values(incoming: IncomingAnswer, now: datetime) -> dict[str, Any]:
    return {
        "kind": incoming.kind,
        "body": incoming.body,
        "file_id": incoming.file_id,
        "chat_id": incoming.chat_id,
        "message_id": incoming.message_id,
        "length": len(incoming.body or ""),
        "updated_at": now,
    }


def _answered_at(target: Round, is_partner_a: bool) -> datetime | None:
    return target.a_answered_at if is_partner_a else target.b_answered_at


def _not_open_refusal(target: Round) -> Refusal:
    return Refusal.ANSWERS_LOCKED if target.status == "revealed" else Refusal.ROUND_CLOSED


def _view(answer: Answer | None, name: str) -> AnswerView | None:
    if answer is None:
        return None
    return AnswerView(name, answer.kind, answer.body, answer.chat_id, answer.message_id)


def _pair_id(pair: Pair) -> int:
    assert pair.id is not None
    return pair.id


def _round_id(target: Round) -> int:
    assert target.id is not None
    return target.id
