"""Check-in rules: what follows from two ratings, and when the next check-in is due.

Ratings answer "how connected have you felt to each other lately?" from 1 to 5. They are
never framed as a score: they only decide which kind of support to offer next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.kernel import schedule

RATINGS = (1, 2, 3, 4, 5)
LOW = 2  # "at 2 or below"
BIG_GAP = 2
BIG_DROP = 2
LOW_STREAK_FOR_COUNSEL = 3
CLOSES_AFTER_HOURS = 48


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    OFF = "off"


class Reason(StrEnum):
    """Why a reconnect is offered. Kept for wording and tests; never shown as a verdict."""

    LOW = "low"
    GAP = "gap"
    DROP = "drop"


@dataclass(frozen=True)
class Ratings:
    a: int
    b: int

    @property
    def lowest(self) -> int:
        return min(self.a, self.b)


@dataclass(frozen=True)
class FollowUp:
    celebrate: bool
    reconnect_reasons: tuple[Reason, ...]
    suggest_counsellor: bool

    @property
    def reconnect(self) -> bool:
        return bool(self.reconnect_reasons)

    @property
    def label(self) -> str:
        parts = ["celebrate"] if self.celebrate else []
        parts += ["reconnect"] if self.reconnect else []
        parts += ["counsellor"] if self.suggest_counsellor else []
        return "+".join(parts) or "none"


def follow_up(current: Ratings, earlier: Sequence[Ratings]) -> FollowUp:
    """What follows a revealed check-in. `earlier` is the pair's previous revealed
    check-ins, newest first."""
    reasons: list[Reason] = []
    if current.lowest <= LOW:
        reasons.append(Reason.LOW)
    if abs(current.a - current.b) >= BIG_GAP:
        reasons.append(Reason.GAP)
    if earlier and _dropped(earlier[0], current):
        reasons.append(Reason.DROP)
    recent = [current, *earlier[: LOW_STREAK_FOR_COUNSEL - 1]]
    counsel = len(recent) == LOW_STREAK_FOR_COUNSEL and all(r.lowest <= LOW for r in recent)
    celebrate = current.a >= 4 and current.b >= 4 and not reasons
    return FollowUp(celebrate, tuple(reasons), counsel)


def _dropped(previous: Ratings, current: Ratings) -> bool:
    return previous.a - current.a >= BIG_DROP or previous.b - current.b >= BIG_DROP


def next_checkin(
    after: datetime, cadence: Cadence, weekday: int, at: time, zone: ZoneInfo
) -> datetime | None:
    """When the next scheduled check-in is due (None when check-ins are off)."""
    if cadence is Cadence.OFF:
        return None
    if cadence is Cadence.MONTHLY:
        return schedule.next_monthly(after, weekday, at, zone)
    weeks = 2 if cadence is Cadence.BIWEEKLY else 1
    return schedule.next_weekly(after, weekday, at, zone, every_weeks=weeks)


def first_checkin(
    after: datetime, cadence: Cadence, weekday: int, at: time, zone: ZoneInfo
) -> datetime | None:
    """The first check-in after pairing or after changing the cadence: the coming
    weekday (or the month's first one), whatever the spacing after it."""
    if cadence is Cadence.OFF:
        return None
    if cadence is Cadence.MONTHLY:
        return schedule.next_monthly(after, weekday, at, zone)
    return schedule.next_weekly(after, weekday, at, zone, every_weeks=1)
