"""How deep a pair's next question may go, and which day is a seasonal one.

Pure rules, standard library only. The fan-out gathers the facts for a whole batch in a
few aggregated queries and hands them over as `CoupleFacts`; nothing here reads anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The first two weeks stay at depth 1 and 2.
EARLY_DAYS = 14
# Depth 3 opens once each partner has answered this many depth-2 questions.
DEPTH_TWO_ANSWERS_TO_UNLOCK = 5
# After a low check-in or a /skip, that day and the next this many stay at depth <= 2.
LIGHTER_DAYS = 3
# A check-in rating at or below this is low (ratings run 1 to 5).
LOW_RATING = 2
# What /skip's "something lighter" goes up to.
SKIP_DEPTH = 1


@dataclass(frozen=True)
class CoupleFacts:
    """What the depth rule needs to know about a pair, beyond its question history.

    - `depth_two_answers`: the fewer of the two partners' answered depth-2 questions.
    - `days_since_low`: days since the pair's latest low check-in (a rating <= 2 by either
      partner in its latest revealed or closed check-in), None if none.
    - `days_since_skip`: days since the pair last used /skip, None if never.
    """

    depth_two_answers: int = 0
    days_since_low: int | None = None
    days_since_skip: int | None = None


def max_depth(pair_age_days: int, facts: CoupleFacts) -> int:
    """The deepest question the pair may get today (1..3)."""
    if pair_age_days < EARLY_DAYS:
        return 2
    if facts.depth_two_answers < DEPTH_TWO_ANSWERS_TO_UNLOCK:
        return 2
    if _recent(facts.days_since_low) or _recent(facts.days_since_skip):
        return 2
    return 3


def _recent(days: int | None) -> bool:
    return days is not None and 0 <= days <= LIGHTER_DAYS


# --- seasonal days ---------------------------------------------------------------------------


def occasion_on(local_date: date, paired_on: date | None) -> str | None:
    """The occasion of a pair's local date: `new-year`, `year-end`, `anniversary` or None.

    The anniversary is the date of pairing, from the first year on; a pairing on 29
    February has it on 28 February in other years. New Year and year-end win over an
    anniversary on the same day (one question a day; the pair gets theirs next year).
    """
    if (local_date.month, local_date.day) == (1, 1):
        return "new-year"
    if (local_date.month, local_date.day) == (12, 31):
        return "year-end"
    if paired_on is None or local_date.year <= paired_on.year:
        return None
    today = (local_date.month, local_date.day)
    return "anniversary" if today == _anniversary_in(local_date.year, paired_on) else None


def _anniversary_in(year: int, paired_on: date) -> tuple[int, int]:
    try:
        day = date(year, paired_on.month, paired_on.day)
    except ValueError:  # 29 February in a common year
        day = date(year, 2, 28)
    return day.month, day.day
