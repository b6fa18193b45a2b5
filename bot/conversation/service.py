"""Every incoming message goes to one place: the rule in `bot.conversation.rules` decides
from a snapshot read here, and this service carries it out in the same transaction (an
answer, a replacement, a check-in note, a message for the partner), or keeps the message
and asks with buttons when two places are plausible."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.checkins.repository import CheckInRepository
from bot.checkins.service import CheckInService, NoteSaved
from bot.conversation.repository import HeldMessageRepository
from bot.conversation.rules import (
    AnswerRound,
    AskWhere,
    Destination,
    NoteCheckIn,
    ReplaceAnswer,
    RepliedKind,
    RepliedTo,
    Snapshot,
    Step,
    StepKind,
    ToPartner,
    destination,
)
from bot.db.models import Pair, Round
from bot.db.people import PairRepository, PersonRepository, person_and_pair
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.kernel.clock import Clock
from bot.kernel.people import PersonInfo
from bot.kernel.results import Refusal, Refused
from bot.kernel.text_input import ascii_number
from bot.rounds.repository import RoundRepository
from bot.rounds.service import IncomingAnswer, Relayed, RoundService, Saved

# The bot's messages by what a reply to them means.
REPLIED_KINDS = {
    "question": RepliedKind.QUESTION,
    "reminder": RepliedKind.QUESTION,
    "nudge": RepliedKind.QUESTION,
    "reveal": RepliedKind.CONVERSATION,
    "relay": RepliedKind.CONVERSATION,
    "reaction": RepliedKind.CONVERSATION,
    "checkin_ask": RepliedKind.CHECKIN,
    "checkin_reveal": RepliedKind.CHECKIN,
    "checkin_note": RepliedKind.CHECKIN,
}
HELD_FOR = timedelta(days=1)  # an unanswered "where should this go?" is forgotten after

Option = AnswerRound | ReplaceAnswer | NoteCheckIn | ToPartner


@dataclass(frozen=True)
class Asked:
    """The message is kept; the person picks where it goes."""

    held_id: int
    options: tuple[Option, ...]
    partner_name: str


@dataclass(frozen=True)
class Dropped:
    """The person chose to keep a held message to themselves."""


Outcome = Saved | Relayed | NoteSaved | Asked | Dropped | Refused


class ConversationService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        rounds: RoundService,
        checkins: CheckInService,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._rounds = rounds
        self._checkins = checkins

    async def handle_message(self, person: PersonInfo, incoming: IncomingAnswer) -> Outcome:
        """A message a partner wrote: wherever the rule says, in one transaction."""
        now = self._clock.now()
        async with self._uow() as uow:
            pair = await person_and_pair(uow.session, person, now)
            if pair is None:
                await uow.commit()
                return Refused(Refusal.NOT_PAIRED)
            snapshot = await self._snapshot(uow, pair, person, incoming, now)
            outcome = await self._deliver(uow, pair, person, incoming, destination(snapshot), now)
            await uow.commit()
        return outcome

    async def choose(self, person: PersonInfo, held_id: int, choice: str) -> Outcome:
        """A button under "where should this go?": the kept message goes there now. A
        second tap finds nothing kept and changes nothing."""
        option = parse_option(choice)
        now = self._clock.now()
        async with self._uow() as uow:
            held = await HeldMessageRepository(uow.session).take(held_id, person.id)
            pair = await PairRepository(uow.session).active_pair_of(person.id)
            if held is None or pair is None or held.pair_id != pair.id:
                return Refused(Refusal.STALE_BUTTON)
            if option is None:
                await uow.commit()
                return Dropped()
            incoming = _incoming_of(held.payload)
            outcome = await self._deliver(uow, pair, person, incoming, option, now)
            await uow.commit()
        return outcome

    async def end_steps(self, person_id: int) -> None:
        """A command ends any step the person had started (a note, an edit)."""
        async with self._uow() as uow:
            await PersonRepository(uow.session).end_steps(person_id)
            await uow.commit()

    async def _snapshot(
        self,
        uow: UnitOfWork,
        pair: Pair,
        person: PersonInfo,
        incoming: IncomingAnswer,
        now: datetime,
    ) -> Snapshot:
        is_a = pair.partner_a_id == person.id
        latest = await self._latest_received(uow, pair, person.id, now)
        mine = None if latest is None else (latest.a_answered_at if is_a else latest.b_answered_at)
        is_open = latest is not None and latest.status == "open"
        return Snapshot(
            now=now,
            is_text=incoming.kind == "text",
            replied_to=await self._replied_to(uow, person.id, incoming.reply_to_message_id),
            step=await self._step(uow, person.id),
            open_round_id=latest.id if latest is not None and is_open and mine is None else None,
            answered_round_id=latest.id if latest is not None and is_open and mine else None,
            note_checkin_id=(
                await self._note_checkin(uow, pair, is_a) if incoming.kind == "text" else None
            ),
        )

    async def _latest_received(
        self, uow: UnitOfWork, pair: Pair, person_id: int, now: datetime
    ) -> Round | None:
        """The newest round whose question has reached this person. Each partner gets the
        pair's question at their own time, so the newest round may not have reached the
        later partner yet: until it does, their "today's question" is the one before."""
        latest = await RoundRepository(uow.session).latest(_pair_id(pair))
        if latest is None or latest.id is None:
            return latest
        due = await uow.outbox.question_due(latest.id, person_id)
        if due is None or due <= now:
            return latest
        return await RoundRepository(uow.session).previous(_pair_id(pair), latest.local_date)

    async def _replied_to(
        self, uow: UnitOfWork, person_id: int, message_id: int | None
    ) -> RepliedTo | None:
        if message_id is None:
            return None
        sent = await uow.outbox.sent_message(person_id, message_id)
        kind = REPLIED_KINDS.get(sent.kind) if sent is not None else None
        if sent is None or kind is None:
            return None
        key = "checkin_id" if kind is RepliedKind.CHECKIN else "round_id"
        target = sent.params.get(key)
        return RepliedTo(kind, int(target) if target is not None else None)

    async def _step(self, uow: UnitOfWork, person_id: int) -> Step | None:
        row = await PersonRepository(uow.session).get(person_id)
        if row is None:
            return None
        if row.checkin_note_id is not None:
            return Step(StepKind.NOTE, row.checkin_note_id, row.step_expires_at)
        if row.editing_round_id is not None:
            return Step(StepKind.EDIT, row.editing_round_id, row.step_expires_at)
        return None

    async def _note_checkin(self, uow: UnitOfWork, pair: Pair, is_a: bool) -> int | None:
        """An open check-in this person rated and was offered a note for (not skipped)."""
        checkin = await CheckInRepository(uow.session).open_for(_pair_id(pair))
        if checkin is None:
            return None
        rated = checkin.a_done_at if is_a else checkin.b_done_at
        note = checkin.a_note if is_a else checkin.b_note
        return checkin.id if rated is not None and note is None else None

    async def _deliver(
        self,
        uow: UnitOfWork,
        pair: Pair,
        person: PersonInfo,
        incoming: IncomingAnswer,
        where: Destination,
        now: datetime,
    ) -> Outcome:
        if isinstance(where, AnswerRound):
            return await self._rounds.answer_round(
                uow, pair, person, where.round_id, incoming, now, by_reply=where.by_reply
            )
        if isinstance(where, ReplaceAnswer):
            return await self._rounds.replace_answer(
                uow, pair, person, where.round_id, incoming, now
            )
        if isinstance(where, NoteCheckIn):
            if incoming.kind != "text":
                return Refused(Refusal.NOTE_TEXT_ONLY)
            return await self._checkins.add_note(
                uow, pair, person, where.checkin_id, incoming.body, now
            )
        if isinstance(where, ToPartner):
            return await self._rounds.relay(uow, pair, person, where.round_id, incoming, now)
        return await self._ask(uow, pair, person, incoming, where, now)

    async def _ask(
        self,
        uow: UnitOfWork,
        pair: Pair,
        person: PersonInfo,
        incoming: IncomingAnswer,
        where: AskWhere,
        now: datetime,
    ) -> Asked:
        await HeldMessageRepository(uow.session).prune(now - HELD_FOR)
        held_id = await HeldMessageRepository(uow.session).hold(
            person.id, _pair_id(pair), _payload_of(incoming), now
        )
        partner = pair.partner_b_id if pair.partner_a_id == person.id else pair.partner_a_id
        return Asked(
            held_id, where.options, await PersonRepository(uow.session).display_name_of(partner)
        )


# --- button codes: what each "where should this go?" button stands for ----------------


def option_code(option: Option) -> str:
    """A short code for callback data (Telegram allows 64 bytes)."""
    if isinstance(option, AnswerRound):
        return f"a{option.round_id}"
    if isinstance(option, ReplaceAnswer):
        return f"e{option.round_id}"
    if isinstance(option, NoteCheckIn):
        return f"n{option.checkin_id}"
    return "p" if option.round_id is None else f"p{option.round_id}"


DROP_CODE = "x"


def parse_option(code: str) -> Option | None:
    """The option a code names; None for "keep it to myself" and for anything malformed
    (a malformed code then changes nothing but the held message)."""
    head, digits = code[:1], code[1:]
    number = ascii_number(digits) if digits else None
    if digits and number is None:
        return None
    if head == "p":
        return ToPartner(number)
    if number is None:
        return None
    if head == "a":
        return AnswerRound(number, by_reply=True)
    if head == "e":
        return ReplaceAnswer(number)
    if head == "n":
        return NoteCheckIn(number)
    return None


def _payload_of(incoming: IncomingAnswer) -> dict[str, Any]:
    return {
        "kind": incoming.kind,
        "body": incoming.body,
        "file_id": incoming.file_id,
        "chat_id": incoming.chat_id,
        "message_id": incoming.message_id,
    }


def _incoming_of(payload: dict[str, Any]) -> IncomingAnswer:
    return IncomingAnswer(
        kind=str(payload["kind"]),
        body=payload.get("body"),
        file_id=payload.get("file_id"),
        chat_id=int(payload["chat_id"]),
        message_id=int(payload["message_id"]),
    )


def _pair_id(pair: Pair) -> int:
    assert pair.id is not None
    return pair.id
