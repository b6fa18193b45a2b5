"""How a pair's next question is chosen: how deep it may go, which day is a seasonal one,
and the draw itself (no repeats until every eligible prompt has been used).

Pure rules, standard library only. The fan-out gathers the facts for a whole batch in a
few aggregated queries and hands them over as `CoupleFacts`; nothing here reads anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from bot.prompts.decks import Prompt

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


# --- the daily choice ------------------------------------------------------------------


FIRST_WEEK_DAYS = 7


DEPTH_TARGET = {1: 0.40, 2: 0.35, 3: 0.25}


def cycle_used(history: Sequence[str], pool: Collection[str]) -> set[str]:
    """The prompts of `pool` used in the current cycle.

    Walking the history from the start, a cycle ends the moment every prompt in the pool
    has been used since the cycle began; the next cycle starts empty. Ids outside the pool
    (retired prompts, decks switched off) do not count. The pool is today's, so switching a
    deck on mid-cycle adds its prompts to the current cycle rather than repeating others.
    """
    members = pool if isinstance(pool, (set, frozenset)) else set(pool)
    size = len(members)
    used: set[str] = set()
    for prompt_id in history:
        if prompt_id in members:
            used.add(prompt_id)
            if len(used) == size:
                used = set()
    return used


def choose_prompt(
    pair_id: int,
    eligible: Sequence[Prompt],
    history: Sequence[str],
    pair_age_days: int,
    disabled_decks: Collection[str] = frozenset(),
    exclude: Collection[str] = frozenset(),
) -> Prompt | None:
    """The next question for a pair; the same inputs always give the same answer.

    - `eligible`: every live daily prompt in the pair's language (all decks, on or off).
    - `history`: ids of the prompts already sent to the pair, oldest first.
    - `disabled_decks`: decks the pair switched off; if that is all of them, all count as on.
    - `exclude`: ids to avoid now (the question being swapped away by /skip).

    Rules, in order:
    1. Never repeat within a cycle (see `cycle_used`). When only excluded prompts are
       left in the cycle, the next cycle opens early.
    2. Prompts sent in the last `pool // 2` days rest while others are left, so a new
       cycle starts with the prompts used least recently rather than yesterday's.
    3. In the pair's first week (`pair_age_days < 7`) only the lightest remaining depth.
    4. After that a depth is drawn, aiming at 40% depth 1, 35% depth 2, 25% depth 3,
       weighted by the cube of the share of each depth still unused in the cycle, so the
       depths run out together; depth 3 never twice in a row while another depth is left.
       (Over a whole cycle the mix is the pool's own: every prompt is used once.)
    5. Within the depth, one prompt drawn by a hash of (pair, day number) from the
       candidates in id order (so the order of `eligible` does not matter).

    The daily fan-out chooses for every pair at once: it builds a `DailyPool` once per
    set of switched-off decks and calls `choose` on it, which is the same thing.
    """
    return DailyPool(eligible, disabled_decks).choose(pair_id, history, pair_age_days, exclude)


class DailyPool:
    """What `choose_prompt` works out from the decks alone, worked out once.

    Everything here depends only on the catalogue and the switched-off decks, not on the
    pair, so the fan-out shares one pool among all pairs with the same decks switched off.
    Per pair, the work is set arithmetic on ids, which runs for every due pair.
    """

    def __init__(
        self,
        eligible: Sequence[Prompt],
        disabled_decks: Collection[str] = (),
        stages: Collection[str] = (),
    ) -> None:
        eligible = [prompt for prompt in eligible if fits_stages(prompt, stages)]
        switched_on = [prompt for prompt in eligible if prompt.deck_id not in disabled_decks]
        prompts = sorted(switched_on or eligible, key=lambda prompt: prompt.id)
        self.ids = frozenset(prompt.id for prompt in prompts)
        self._depth_of = {prompt.id: prompt.depth for prompt in eligible}
        # Each depth's prompts in id order, and their ids, lightest depth first.
        self._by_depth = {
            depth: [prompt for prompt in prompts if prompt.depth == depth]
            for depth in sorted({prompt.depth for prompt in prompts})
        }
        self._ids_by_depth = {
            depth: frozenset(prompt.id for prompt in at_depth)
            for depth, at_depth in self._by_depth.items()
        }
        self._totals = {depth: len(at_depth) for depth, at_depth in self._by_depth.items()}
        self._rest = len(self.ids) // 2

    def choose(
        self,
        pair_id: int,
        history: Sequence[str],
        pair_age_days: int,
        exclude: Collection[str] = frozenset(),
        max_depth: int = 3,
    ) -> Prompt | None:
        """`max_depth` comes from `bot.prompts.rules.max_depth`: deeper prompts wait
        (unused in the cycle) until it allows them."""
        candidates = self._candidate_ids(history, exclude)
        if candidates is None:
            left = self._totals  # a new pair: everything is a candidate
        else:
            left = {depth: len(candidates & ids) for depth, ids in self._ids_by_depth.items()}
        left = {depth: count for depth, count in left.items() if count and depth <= max_depth}
        if not left and self._totals:
            # Every prompt within the limit is used in this cycle: a rested one within the
            # limit beats a deeper one on a day meant to be light.
            candidates = self._within(max_depth, history, exclude)
            left = {depth: len(candidates & ids) for depth, ids in self._ids_by_depth.items()}
            left = {depth: count for depth, count in left.items() if count}
        if not left:
            return None
        day_number = len(history)
        if pair_age_days < FIRST_WEEK_DAYS:
            depth = min(left)
        else:
            last_depth = self._depth_of.get(history[-1]) if history else None
            depth = _draw_depth(pair_id, day_number, self._totals, left, last_depth)
        at_depth = self._by_depth[depth]
        if candidates is not None:
            at_depth = [prompt for prompt in at_depth if prompt.id in candidates]
        return at_depth[_digest(pair_id, day_number, "prompt") % len(at_depth)]

    def _within(
        self, max_depth: int, history: Sequence[str], exclude: Collection[str]
    ) -> frozenset[str]:
        """Prompts up to `max_depth` (or the lightest depth there is), least recent first."""
        depth = max(min(self._ids_by_depth), min(max_depth, max(self._ids_by_depth)))
        within = frozenset().union(
            *(ids for at, ids in self._ids_by_depth.items() if at <= depth)
        ) - frozenset(exclude)
        recent = set(history[-max(len(within) // 2, 1) :])
        return (within - recent) or within

    def _candidate_ids(
        self, history: Sequence[str], exclude: Collection[str]
    ) -> frozenset[str] | None:
        """Unused in this cycle, not excluded, and rested if any rested ones are left;
        None when that is the whole pool."""
        if not history and not exclude:
            return None
        excluded = self.ids.intersection(exclude)
        left = self.ids - cycle_used(history, self.ids) - excluded
        if not left:
            left = self.ids - excluded
        rested = left.difference(history[-self._rest :]) if self._rest else left
        return rested or left


def fits_stages(prompt: Prompt, stages: Collection[str]) -> bool:
    """A prompt with `for:` goes only to pairs in one of its stages; others go to all."""
    return not prompt.stages or any(stage in stages for stage in prompt.stages)


def choose_seasonal(
    pair_id: int,
    prompts: Sequence[Prompt],
    history: Sequence[str],
    stages: Collection[str] = (),
) -> Prompt | None:
    """An unused seasonal prompt of the day's occasion (the caller passes that occasion's
    prompts), or None when all have been used: then the usual choice applies."""
    used = set(history)
    unused = sorted(
        (p for p in prompts if p.id not in used and fits_stages(p, stages)), key=lambda p: p.id
    )
    if not unused:
        return None
    return unused[_digest(pair_id, len(history), "seasonal") % len(unused)]


def _draw_depth(
    pair_id: int,
    day_number: int,
    totals: dict[int, int],
    left: dict[int, int],
    last_depth: int | None,
) -> int:
    """A depth with prompts `left`, lightest first in the draw."""
    # The cube of the share still unused pulls a lagging depth forward quickly, so the
    # depths run out together and a cycle does not end in a run of deep days.
    weights = {
        depth: DEPTH_TARGET.get(depth, 0.1) * (count / totals[depth]) ** 3
        for depth, count in sorted(left.items())
    }
    if last_depth == 3 and any(depth != 3 for depth in weights):
        weights.pop(3, None)
    total = sum(weights.values())
    draw = _digest(pair_id, day_number, "depth") / 2**64 * total
    for depth, weight in weights.items():
        if draw < weight:
            return depth
        draw -= weight
    return max(weights)


def _digest(pair_id: int, day_number: int, salt: str) -> int:
    data = f"{pair_id}:{day_number}:{salt}".encode()
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")
