"""What check-ins send through the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from bot.kernel.messages import Message


@dataclass(frozen=True)
class Side:
    """One partner's part of a check-in: the rating (1..5, None if not given) and note."""

    rating: int | None
    note: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Side:
        return cls(params.get("rating"), params.get("note"))


@dataclass(frozen=True)
class CheckInAsk(Message):
    kind = "checkin_ask"
    checkin_id: int


@dataclass(frozen=True)
class CheckInNote(Message):
    kind = "checkin_note"
    checkin_id: int
    partner_name: str
    note: str


@dataclass(frozen=True)
class CheckInReveal(Message):
    kind = "checkin_reveal"
    checkin_id: int
    partner_name: str
    own: Side
    theirs: Side
    celebrate: bool = False
    reconnect: bool = False
    reasons: list[str] = field(default_factory=list)
    counsellor: bool = False
    prompt: str | None = None
    support_url: str | None = None
    support_text: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        known = {name for name in cls.__dataclass_fields__ if name not in ("own", "theirs")}
        rest = {key: value for key, value in params.items() if key in known}
        return cls(
            own=Side.from_params(params["own"]), theirs=Side.from_params(params["theirs"]), **rest
        )


@dataclass(frozen=True)
class ReconnectScheduledByPartner(Message):
    kind = "reconnect_scheduled"
    partner_name: str
    when: str | None = None


@dataclass(frozen=True)
class CheckInClosed(Message):
    """A check-in closed with one rating or none; `answered`: whether this reader rated."""

    kind = "checkin_closed"
    partner_name: str
    answered: bool = True


@dataclass(frozen=True)
class ReconnectReminder(Message):
    kind = "reconnect_reminder"
    partner_name: str
    prompt: str | None = None
