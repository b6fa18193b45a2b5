"""Where an incoming message goes: one pure rule, decided from a snapshot of what is open.

The order (the first that applies decides):
1. A reply to one of the bot's messages: to a question (or its reminder or nudge) answers
   that question; to a reveal (or a relayed message or reaction) goes to the partner; to a
   check-in adds a note to it.
2. A step the person started with a button or command and can see ("Add a note", /edit),
   while it has not expired.
3. Today's open question for that person (the pair's newest round, if their slot is empty).
When a plain message could as well be a check-in note (the person rated an open check-in
and was offered a note), the bot asks with buttons instead of choosing. With nothing open,
it offers to send the message to the partner. It never files a message under an older
round without a reply to that round's question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# A step started with a button lasts this long; any command ends it sooner.
STEP_LIFETIME = timedelta(minutes=10)


class RepliedKind(StrEnum):
    """What the message the person replied to was, by the bot message's role."""

    QUESTION = "question"  # a daily question, its reminder, or the partner's nudge
    CONVERSATION = "conversation"  # a reveal, a relayed message or a relayed reaction
    CHECKIN = "checkin"  # a check-in ask or reveal


class StepKind(StrEnum):
    NOTE = "note"  # "Add a note": the next text is the note for a check-in
    EDIT = "edit"  # /edit: the next message replaces an answer


@dataclass(frozen=True)
class RepliedTo:
    kind: RepliedKind
    target_id: int | None  # the round or check-in the bot's message belongs to


@dataclass(frozen=True)
class Step:
    kind: StepKind
    target_id: int
    expires_at: datetime | None  # None: started before steps expired; treated as expired


@dataclass(frozen=True)
class Snapshot:
    """What is open for this person when the message arrives."""

    now: datetime
    is_text: bool
    replied_to: RepliedTo | None = None
    step: Step | None = None
    open_round_id: int | None = None  # the pair's newest round, open, this person's slot empty
    answered_round_id: int | None = None  # the newest round, open, answered by this person
    note_checkin_id: int | None = None  # an open check-in this person rated, note not given


# --- destinations ---------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRound:
    round_id: int
    by_reply: bool = False


@dataclass(frozen=True)
class ReplaceAnswer:
    round_id: int


@dataclass(frozen=True)
class NoteCheckIn:
    checkin_id: int


@dataclass(frozen=True)
class ToPartner:
    round_id: int | None  # the round the reply was under, for reply routing on the other side


@dataclass(frozen=True)
class AskWhere:
    """Two or more places are plausible: keep the message and ask with buttons."""

    options: tuple[AnswerRound | ReplaceAnswer | NoteCheckIn | ToPartner, ...]


Destination = AnswerRound | ReplaceAnswer | NoteCheckIn | ToPartner | AskWhere


def destination(snapshot: Snapshot) -> Destination:
    """The one place this message goes (or the question to ask)."""
    by_reply = _by_reply(snapshot.replied_to)
    if by_reply is not None:
        return by_reply
    step = active_step(snapshot.step, snapshot.now)
    if step is not None and (step.kind is StepKind.EDIT or snapshot.is_text):
        if step.kind is StepKind.EDIT:
            return ReplaceAnswer(step.target_id)
        return NoteCheckIn(step.target_id)
    return _by_what_is_open(snapshot)


def active_step(step: Step | None, now: datetime) -> Step | None:
    if step is None or step.expires_at is None or step.expires_at <= now:
        return None
    return step


def _by_reply(replied_to: RepliedTo | None) -> Destination | None:
    if replied_to is None or replied_to.target_id is None:
        return None
    if replied_to.kind is RepliedKind.QUESTION:
        return AnswerRound(replied_to.target_id, by_reply=True)
    if replied_to.kind is RepliedKind.CONVERSATION:
        return ToPartner(replied_to.target_id)
    return NoteCheckIn(replied_to.target_id)


def _by_what_is_open(snapshot: Snapshot) -> Destination:
    note = (
        NoteCheckIn(snapshot.note_checkin_id)
        if snapshot.is_text and snapshot.note_checkin_id is not None
        else None
    )
    if snapshot.open_round_id is not None:
        answer = AnswerRound(snapshot.open_round_id)
        return answer if note is None else AskWhere((answer, note))
    options: list[AnswerRound | ReplaceAnswer | NoteCheckIn | ToPartner] = []
    if note is not None:
        options.append(note)
    if snapshot.answered_round_id is not None:
        options.append(ReplaceAnswer(snapshot.answered_round_id))
    options.append(ToPartner(None))
    return AskWhere(tuple(options))
