"""What privacy tells a partner through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.messages import Message


@dataclass(frozen=True)
class PartnerLeft(Message):
    """The partner erased their data (and so left the pair)."""

    kind = "partner_left"
