"""What pairing tells a partner through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.messages import Message


@dataclass(frozen=True)
class PairedWith(Message):
    kind = "paired"
    partner_name: str


@dataclass(frozen=True)
class UnpairedByPartner(Message):
    kind = "unpaired_by_partner"
    partner_name: str


@dataclass(frozen=True)
class PartnerBlocked(Message):
    """The partner blocked the bot: daily questions pause until they are back."""

    kind = "partner_blocked"
    partner_name: str


@dataclass(frozen=True)
class PartnerBack(Message):
    kind = "partner_back"
    partner_name: str
