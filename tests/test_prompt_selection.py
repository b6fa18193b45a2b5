"""Choosing a pair's daily question: no repeats within a cycle, lighter first, topics honoured."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Collection, Sequence
from pathlib import Path

import pytest

from bot.prompts.decks import Prompt
from bot.prompts.library import load_valid_decks
from bot.prompts.rules import choose_prompt, cycle_used

# The choice is tested on the first library (241 daily questions), which a 400-day run
# uses up; the shipped decks are checked by the lint tests.
PROMPTS = Path(__file__).resolve().parent / "fixtures" / "decks-v1"
DAILY = [
    prompt
    for deck in load_valid_decks(PROMPTS).decks
    if deck.kind == "daily"
    for prompt in deck.prompts
]
BY_ID = {prompt.id: prompt for prompt in DAILY}


def simulate(
    pair_id: int,
    prompts: Sequence[Prompt],
    days: int,
    disabled: Collection[str] = frozenset(),
    history: list[str] | None = None,
    first_day: int = 0,
) -> list[str]:
    history = [] if history is None else history
    for day in range(first_day, first_day + days):
        prompt = choose_prompt(pair_id, prompts, history, day, disabled)
        assert prompt is not None
        history.append(prompt.id)
    return history


def make(prompt_id: str, deck_id: str, depth: int) -> Prompt:
    return Prompt(prompt_id, deck_id, f"Question {prompt_id}?", depth, (), "daily", "en")


@pytest.mark.parametrize("pair_id", [1, 2, 77, 10_001])
def test_no_repeat_until_every_prompt_was_used(pair_id: int) -> None:
    history = simulate(pair_id, DAILY, 400)
    cycle = len(DAILY)
    first, second = history[:cycle], history[cycle:]
    assert len(set(first)) == cycle, "a repeat inside the first cycle"
    assert set(first) == set(BY_ID)
    assert len(set(second)) == len(second), "a repeat inside the second cycle"
    # Between two uses of the same prompt at least half a cycle passes.
    last_seen: dict[str, int] = {}
    for day, prompt_id in enumerate(history):
        if prompt_id in last_seen:
            assert day - last_seen[prompt_id] >= cycle // 2
        last_seen[prompt_id] = day


def test_first_week_is_light_then_deeper_prompts_mix_in() -> None:
    for pair_id in range(1, 21):
        depths = [BY_ID[prompt_id].depth for prompt_id in simulate(pair_id, DAILY, 120)]
        assert depths[:7] == [1] * 7
        later = Counter(depths[7:])
        assert later[2] > 0
        assert later[3] > 0
        for previous, current in itertools.pairwise(depths):
            assert not (previous == 3 and current == 3), "two deep days in a row"
    # Over many pairs, the mix after the first week is near 40/35/25.
    mix: Counter[int] = Counter()
    for pair_id in range(1, 41):
        mix.update(BY_ID[prompt_id].depth for prompt_id in simulate(pair_id, DAILY, 67)[7:])
    total = sum(mix.values())
    assert mix[1] / total == pytest.approx(0.40, abs=0.07)
    assert mix[2] / total == pytest.approx(0.35, abs=0.07)
    assert mix[3] / total == pytest.approx(0.25, abs=0.07)


@pytest.mark.parametrize("pair_id", [3, 14])
def test_never_two_deep_days_in_a_row_even_at_the_end_of_a_cycle(pair_id: int) -> None:
    depths = [BY_ID[prompt_id].depth for prompt_id in simulate(pair_id, DAILY, 2 * len(DAILY))]
    for previous, current in itertools.pairwise(depths):
        assert not (previous == 3 and current == 3)


def test_first_week_falls_back_to_the_lightest_left() -> None:
    prompts = [make(f"a-{n}", "a", 1) for n in range(3)]
    prompts += [make(f"b-{n}", "b", 2) for n in range(5)]
    prompts += [make(f"c-{n}", "c", 3) for n in range(5)]
    history = simulate(5, prompts, 7)
    assert [prompt_id[0] for prompt_id in history] == ["a"] * 3 + ["b"] * 4


def test_deep_prompts_can_repeat_depth_only_when_nothing_else_is_left() -> None:
    prompts = [make("light", "a", 1)] + [make(f"deep-{n}", "a", 3) for n in range(4)]
    history = simulate(3, prompts, 5, first_day=30)
    assert sorted(history) == sorted(prompt.id for prompt in prompts)


def test_switched_off_decks_are_never_chosen() -> None:
    off = {"trust", "hard-to-say", "family-and-upbringing"}
    history = simulate(9, DAILY, 300, disabled=off)
    assert not {BY_ID[prompt_id].deck_id for prompt_id in history} & off
    on = [prompt for prompt in DAILY if prompt.deck_id not in off]
    assert len(set(history[: len(on)])) == len(on)


def test_all_decks_off_means_all_on() -> None:
    every_deck = {prompt.deck_id for prompt in DAILY}
    history = simulate(4, DAILY, 30, disabled=every_deck)
    assert history == simulate(4, DAILY, 30)


def test_switching_a_deck_on_mid_cycle_adds_its_prompts_without_repeats() -> None:
    off = {"trust"}
    history = simulate(12, DAILY, 100, disabled=off)
    simulate(12, DAILY, len(DAILY) - 100, history=history, first_day=100)
    first_cycle = history[: len(DAILY)]
    assert len(set(first_cycle)) == len(DAILY)


def test_the_same_pair_and_history_give_the_same_prompt() -> None:
    assert simulate(21, DAILY, 60) == simulate(21, DAILY, 60)
    assert simulate(21, DAILY, 60) != simulate(22, DAILY, 60)
    history = simulate(21, DAILY, 20)
    shuffled = list(reversed(DAILY))
    assert choose_prompt(21, DAILY, history, 20) == choose_prompt(21, shuffled, history, 20)


def test_exclude_swaps_for_another_unused_prompt() -> None:
    history = simulate(8, DAILY, 30)
    today = choose_prompt(8, DAILY, history, 30)
    assert today is not None
    swapped = choose_prompt(8, DAILY, [*history, today.id], 30, exclude={today.id})
    assert swapped is not None
    assert swapped.id != today.id
    assert swapped.id not in history


def test_exclude_at_the_end_of_a_cycle_opens_the_next_one() -> None:
    prompts = [make(f"a-{n}", "a", 1) for n in range(4)]
    history = simulate(2, prompts, 3)
    [last] = {prompt.id for prompt in prompts} - set(history)
    swapped = choose_prompt(2, prompts, history, 3, exclude={last})
    assert swapped is not None
    assert swapped.id != last
    assert choose_prompt(2, prompts[:1], [], 0, exclude={"a-0"}) is None
    assert choose_prompt(2, [], [], 0) is None


def test_retired_prompts_in_the_history_do_not_count() -> None:
    prompts = [make(f"a-{n}", "a", 1) for n in range(3)]
    history = ["gone-1", "a-0", "gone-2"]
    assert cycle_used(history, {prompt.id for prompt in prompts}) == {"a-0"}
    chosen = choose_prompt(1, prompts, history, 3)
    assert chosen is not None
    assert chosen.id != "a-0"


@pytest.mark.parametrize("pair_id", range(1, 9))
def test_a_new_cycle_starts_with_prompts_that_have_rested(pair_id: int) -> None:
    prompts = [make(f"a-{n:02}", "a", 1) for n in range(10)]
    history = simulate(pair_id, prompts, 10)
    assert cycle_used(history, {prompt.id for prompt in prompts}) == set()
    simulate(pair_id, prompts, 20, history=history, first_day=10)
    assert history[10] in history[:5]  # yesterday's prompt does not come straight back
    for day in range(10, 30):
        assert history[day] not in history[day - 5 : day]
    assert len(set(history[10:20])) == 10
    assert len(set(history[20:30])) == 10
