"""What the schedule tells a partner through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.messages import Message


@dataclass(frozen=True)
class ZoneQuestion(Message):
    """Where do you live? Asked at pairing, with the zones to pick from."""

    kind = "zone_question"
    options: list[str]


@dataclass(frozen=True)
class PausedByPartner(Message):
    kind = "paused_by_partner"
    partner_name: str
    until_text: str | None = None


@dataclass(frozen=True)
class ResumedByPartner(Message):
    kind = "resumed_by_partner"
    partner_name: str
    until_text: str | None = None


@dataclass(frozen=True)
class TimeChangedByPartner(Message):
    """No longer queued (each partner now has their own time); rows an older release
    queued still render."""

    kind = "time_changed_by_partner"
    partner_name: str
    time_text: str
