"""Invite tokens: random, URL-safe, single-use, expiring, stored only as a hash.

A token travels in a deep link (`?start=<token>`), where Telegram allows at most 64
characters of A-Za-z0-9_- , and in callback data (64 bytes), so it stays short.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

TOKEN_BYTES = 24  # 192 bits of randomness, 32 characters once encoded
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The only form in which a token is stored: a leaked table cannot be replayed."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def looks_like_token(payload: str) -> bool:
    return bool(TOKEN_PATTERN.match(payload))


class InviteStatus(StrEnum):
    OPEN = "open"
    USED = "used"
    REVOKED = "revoked"


class InviteProblem(StrEnum):
    """Why an invite cannot be accepted. Each has its own kind reply."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    OWN_INVITE = "own_invite"
    ALREADY_PAIRED = "already_paired"
    INVITER_PAIRED = "inviter_paired"


@dataclass(frozen=True)
class InviteFacts:
    """What the rule needs to know about an invite and the two people involved."""

    status: InviteStatus
    expires_at: datetime
    inviter_id: int
    inviter_is_paired: bool


def expiry_for(created_at: datetime, ttl_hours: int) -> datetime:
    return created_at + timedelta(hours=ttl_hours)


def invite_problem(
    facts: InviteFacts | None, invitee_id: int, invitee_is_paired: bool, now: datetime
) -> InviteProblem | None:
    """The first reason this person may not accept this invite, or None if they may."""
    if facts is None:
        return InviteProblem.UNKNOWN
    if facts.inviter_id == invitee_id:
        return InviteProblem.OWN_INVITE
    if invitee_is_paired:
        # Checked before the invite's state so a partner re-opening their own link is
        # told they are already paired, not that the link is used.
        return InviteProblem.ALREADY_PAIRED
    if facts.status is InviteStatus.USED:
        # A used invite means the pair it made is complete: a third person is told so.
        return InviteProblem.USED
    if facts.status is InviteStatus.REVOKED:
        return InviteProblem.REVOKED
    if now >= facts.expires_at:
        return InviteProblem.EXPIRED
    if facts.inviter_is_paired:
        return InviteProblem.INVITER_PAIRED
    return None
