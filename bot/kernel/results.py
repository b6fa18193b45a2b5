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
    NO_OPEN_ROUND = "no_open_round"
    ALREADY_ANSWERED = "already_answered"
    ANSWERS_LOCKED = "answers_locked"
    ROUND_CLOSED = "round_closed"
    NOTHING_TO_EDIT = "nothing_to_edit"
    SKIP_AFTER_ANSWER = "skip_after_answer"
    SKIP_USED = "skip_used"
    UNKNOWN_TIME = "unknown_time"
    UNKNOWN_ZONE = "unknown_zone"
    NOT_PAUSED = "not_paused"
    CHECKIN_OPEN = "checkin_open"
    CHECKIN_TODAY = "checkin_today"
    CHECKIN_CLOSED = "checkin_closed"
    CHECKIN_DONE = "checkin_done"
    OLD_CONVERSATION = "old_conversation"
    NOTE_TEXT_ONLY = "note_text_only"
    RATE_FIRST = "rate_first"


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    partner_name: str | None = None
