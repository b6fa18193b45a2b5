"""Depth that follows the couple, stages and seasonal days (issue 17): pure rules."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from bot.prompts.decks import Prompt
from bot.prompts.library import load_valid_decks
from bot.prompts.rules import (
    CoupleFacts,
    DailyPool,
    choose_seasonal,
    max_depth,
    occasion_on,
)

# The choice is tested on the first library (241 daily questions), which a 400-day run
# uses up; the shipped decks are checked by the lint tests.
PROMPTS = Path(__file__).resolve().parent / "fixtures" / "decks-v1"
DAILY = [
    prompt
    for deck in load_valid_decks(PROMPTS).decks
    if deck.kind == "daily"
    for prompt in deck.prompts
]
DEPTH = {prompt.id: prompt.depth for prompt in DAILY}
UNLOCKED = CoupleFacts(depth_two_answers=5)


def make(
    prompt_id: str, depth: int, stages: tuple[str, ...] = (), occasion: str | None = None
) -> Prompt:
    deck = prompt_id.rsplit("-", 1)[0]
    kind = "seasonal" if occasion else "daily"
    return Prompt(prompt_id, deck, f"text {prompt_id}", depth, (), kind, "en", 0, stages, occasion)


# --- the depth limit -----------------------------------------------------------------------


def test_first_two_weeks_stay_at_depth_two() -> None:
    assert max_depth(0, UNLOCKED) == 2
    assert max_depth(13, UNLOCKED) == 2
    assert max_depth(14, UNLOCKED) == 3


def test_depth_three_waits_for_five_depth_two_answers_from_both() -> None:
    assert max_depth(30, CoupleFacts(depth_two_answers=4)) == 2
    assert max_depth(30, CoupleFacts(depth_two_answers=5)) == 3


@pytest.mark.parametrize("days", [0, 1, 2, 3])
def test_three_lighter_days_after_a_low_check_in_or_a_skip(days: int) -> None:
    assert max_depth(30, CoupleFacts(5, days_since_low=days)) == 2
    assert max_depth(30, CoupleFacts(5, days_since_skip=days)) == 2


def test_the_fourth_day_may_go_deep_again() -> None:
    assert max_depth(30, CoupleFacts(5, days_since_low=4, days_since_skip=7)) == 3


# --- the choice under the limit ------------------------------------------------------------


def simulate(days: int, pair_id: int = 7, low_on: frozenset[int] = frozenset()) -> list[str]:
    """A couple answering every question; depth-2 answers count for both partners."""
    pool = DailyPool(DAILY)
    history: list[str] = []
    last_low: int | None = None
    for day in range(days):
        if day in low_on:
            last_low = day
        depth_two = sum(1 for prompt_id in history if DEPTH[prompt_id] == 2)
        facts = CoupleFacts(depth_two, None if last_low is None else day - last_low)
        prompt = pool.choose(pair_id, history, day, max_depth=max_depth(day, facts))
        assert prompt is not None
        history.append(prompt.id)
    return history


@pytest.mark.parametrize("pair_id", [1, 2, 3])
def test_400_days_no_repeat_until_all_used_and_the_depth_rules_hold(pair_id: int) -> None:
    low_on = frozenset({40, 41, 120, 300})
    history = simulate(400, pair_id, low_on)
    size = len(DAILY)
    # every cycle uses each eligible prompt once before any repeats
    for start in range(0, len(history) - size + 1, size):
        assert len(set(history[start : start + size])) == size, start
    assert len(set(history[:size])) == size
    depths = [DEPTH[prompt_id] for prompt_id in history]
    assert max(depths[:14]) <= 2
    for day in low_on:
        assert max(depths[day : day + 4]) <= 2, day  # that day and the next three
    # depth 3 only after five depth-2 days (both partners answered them)
    first_deep = depths.index(3)
    assert depths[:first_deep].count(2) >= 5
    assert first_deep >= 14
    assert Counter(depths[:size]) == Counter(DEPTH.values())


def test_skip_for_something_lighter_gives_depth_one() -> None:
    pool = DailyPool(DAILY)
    history = [prompt.id for prompt in DAILY if prompt.depth == 1][:3]
    today = pool.choose(9, history, 60)
    assert today is not None
    lighter = pool.choose(9, history, 60, exclude={today.id}, max_depth=1)
    assert lighter is not None
    assert lighter.depth == 1
    assert lighter.id != today.id


def test_when_the_light_ones_are_used_a_rested_light_one_comes_back() -> None:
    prompts = [make("d-01", 1), make("d-02", 2), make("d-03", 3)]
    pool = DailyPool(prompts)
    prompt = pool.choose(1, ["d-01", "d-02"], 60, max_depth=2)
    assert prompt is not None
    assert prompt.depth <= 2


def test_the_lightest_there_is_when_nothing_is_that_light() -> None:
    pool = DailyPool([make("d-02", 2), make("d-03", 3)])
    prompt = pool.choose(1, [], 60, max_depth=1)
    assert prompt is not None
    assert prompt.id == "d-02"


# --- stages ----------------------------------------------------------------------------------


def test_stage_prompts_go_only_to_pairs_in_that_stage() -> None:
    prompts = [make("d-01", 1), make("d-02", 1, ("long-distance",)), make("d-03", 1, ("parents",))]
    for stages, expected in [
        ((), {"d-01"}),
        (("long-distance",), {"d-01", "d-02"}),
        (("parents", "new"), {"d-01", "d-03"}),
    ]:
        assert DailyPool(prompts, (), stages).ids == expected


# --- seasonal days ---------------------------------------------------------------------------


def test_occasions() -> None:
    paired = date(2025, 6, 10)
    assert occasion_on(date(2026, 1, 1), paired) == "new-year"
    assert occasion_on(date(2026, 12, 31), paired) == "year-end"
    assert occasion_on(date(2026, 6, 10), paired) == "anniversary"
    assert occasion_on(date(2025, 6, 10), paired) is None  # the day they paired
    assert occasion_on(date(2026, 6, 11), paired) is None
    assert occasion_on(date(2027, 2, 28), date(2024, 2, 29)) == "anniversary"
    assert occasion_on(date(2026, 6, 10), None) is None


def test_seasonal_choice_is_unused_and_deterministic() -> None:
    prompts = [make(f"seasonal-0{n}", 1, occasion="new-year") for n in (1, 2, 3)]
    first = choose_seasonal(5, prompts, [])
    assert first is not None
    assert first == choose_seasonal(5, prompts, [])
    second = choose_seasonal(5, prompts, [first.id])
    assert second is not None
    assert second.id != first.id
    assert choose_seasonal(5, prompts, [p.id for p in prompts]) is None


def test_history_with_depth_facts_from_the_aggregated_rounds() -> None:
    from bot.rounds.repository import _history_with_facts

    entries = ",".join(
        [
            "2026-03-04 3 - p-2b ab",
            "2026-03-02 1 - p-2a ab",
            "2026-03-03 2 p-1 p-2c a-",  # p-1 skipped for p-2c; only one partner answered
            "2026-03-05 4 - p-1b --",
        ]
    )
    found = _history_with_facts(entries, frozenset({"p-2a", "p-2b", "p-2c"}))
    assert found.prompts == ["p-2a", "p-1", "p-2c", "p-2b", "p-1b"]
    assert found.depth_two_answers == 2  # the fewer of a's 3 and b's 2
    assert found.last_skip == date(2026, 3, 3)
