"""What the daily rounds send through the outbox: the question, the nudge, the reveal,
relays, reactions, the reminder and the closing word."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Self

from bot.kernel.messages import Message


@dataclass(frozen=True)
class SharedAnswer:
    """A partner's answer as the reveal or a relay shows it: text, or media to copy."""

    kind: str  # text, voice, photo, video, video_note, or removed (erased by its author)
    body: str | None = None
    chat_id: int = 0  # where media is copied from (a text needs neither)
    message_id: int = 0

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SharedAnswer:
        return cls(
            params["kind"],
            params.get("body"),
            params.get("chat_id", 0),
            params.get("message_id", 0),
        )


@dataclass(frozen=True)
class Question(Message):
    kind = "question"
    round_id: int
    prompt_id: str
    text: str
    deck_title: str
    swapped_by: str | None = None  # the partner who swapped it with /skip


@dataclass(frozen=True)
class Nudge(Message):
    """An answer is waiting, without its content; for an earlier question, which one."""

    kind = "nudge"
    partner_name: str
    round_id: int
    question: str | None = None
    earlier: bool = False


@dataclass(frozen=True)
class Reveal(Message):
    kind = "reveal"
    round_id: int
    question: str
    partner_name: str
    partner_answer: SharedAnswer
    own_answer: SharedAnswer
    streak: int

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        return cls(
            round_id=params["round_id"],
            question=params["question"],
            partner_name=params["partner_name"],
            partner_answer=SharedAnswer.from_params(params["partner_answer"]),
            own_answer=SharedAnswer.from_params(params["own_answer"]),
            streak=params["streak"],
        )


@dataclass(frozen=True)
class Relay(Message):
    """Something said after the reveal, passed on. Stored flat (the answer's fields beside
    round_id and partner_name), as rows have always been."""

    kind = "relay"
    round_id: int
    partner_name: str
    answer: SharedAnswer

    def to_params(self) -> dict[str, Any]:
        return {"round_id": self.round_id, "partner_name": self.partner_name} | asdict(self.answer)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        return cls(params["round_id"], params["partner_name"], SharedAnswer.from_params(params))


@dataclass(frozen=True)
class Reaction(Message):
    kind = "reaction"
    partner_name: str
    emoji: str
    round_id: int


@dataclass(frozen=True)
class Reminder(Message):
    kind = "reminder"
    round_id: int
    question: str


@dataclass(frozen=True)
class RoundClosed(Message):
    kind = "round_closed"
    partner_name: str
    question: str
