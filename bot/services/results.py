"""Outcomes the services hand back to the Telegram layer: plain values, no Telegram types."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Refusal(StrEnum):
    """Why a request changed nothing. Each reason has a kind reply in the texts."""

    INVITE_UNKNOWN = "invite_unknown"
    INVITE_EXPIRED = "invite_expired"
    INVITE_USED = "invite_used"
    INVITE_REVOKED = "invite_revoked"
    OWN_INVITE = "own_invite"
    ALREADY_PAIRED = "already_paired"
    INVITER_PAIRED = "inviter_paired"
    PAIRED_CANNOT_INVITE = "paired_cannot_invite"
    NOT_PAIRED = "not_paired"
    STALE_BUTTON = "stale_button"


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    partner_name: str | None = None
