"""The meaning lint: near-duplicates in other words, and menu-style questions.

Tuned on the first decks (tests/fixtures/decks-v1, a copy made before the v2 content) and
the near-duplicates a careful read found in them (issue 17).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bot.prompts.library import load_folder
from bot.prompts.meaning import (
    MeaningItem,
    content_words,
    menu_options,
    near_duplicates,
    stem,
)

DECKS_V1 = Path(__file__).resolve().parent / "fixtures" / "decks-v1"

# Each line a group that asks the same thing; every pair inside a group counts.
KNOWN_GROUPS = """
repair-after-conflict-03 repair-after-conflict-10
repair-after-conflict-01 repair-after-conflict-05
quality-time-07 emotional-safety-04
hard-to-say-15 emotional-safety-13
emotional-safety-10 emotional-safety-15 feeling-supported-08
appreciation-07 feeling-supported-06 trust-01
feeling-supported-01 feeling-supported-02 checkin-13
feeling-supported-13 hard-days-12
feeling-supported-10 hard-to-say-03
inner-world-03 hard-days-03
play-and-lightness-06 quality-time-11
trust-08 feeling-supported-11 moments-of-closeness-07
quality-time-10 reconnect-03
appreciation-10 appreciation-13
play-and-lightness-08 play-and-lightness-12
checkin-02 checkin-08
checkin-07 checkin-15
checkin-01 checkin-05 checkin-20
checkin-10 reconnect-02
"""


def known_pairs() -> set[frozenset[str]]:
    return {
        frozenset(pair)
        for line in KNOWN_GROUPS.split("\n")
        for pair in itertools.combinations(line.split(), 2)
    }


def flagged_pairs() -> set[frozenset[str]]:
    result = load_folder(DECKS_V1)
    items = [
        MeaningItem(prompt.id, prompt.text, prompt.kind)
        for deck in result.decks
        for prompt in deck.prompts
    ]
    return {frozenset((a.key, b.key)) for a, b, _ in near_duplicates(items)}  # type: ignore[misc]


def recall() -> float:
    known = known_pairs()
    return len(known & flagged_pairs()) / len(known)


def test_known_pairs_are_29() -> None:
    assert len(known_pairs()) == 29


def test_finds_a_third_of_the_known_pairs_today() -> None:
    # Where the check stands (11 of 29 at threshold 0.6); it must not slip back.
    assert recall() >= 11 / 29


@pytest.mark.xfail(reason="word overlap finds 11 of 29; 80% needs more than words", strict=True)
def test_finds_most_known_pairs() -> None:
    assert recall() >= 0.8


def test_the_lint_reports_both_places() -> None:
    result = load_folder(DECKS_V1)
    found = [issue.render() for issue in result.warnings if "in other words" in issue.message]
    assert any("repair-after-conflict.yaml:" in line for line in found)
    for line in found:
        # file:line of the later one first, then the earlier one in brackets
        assert line.count(".yaml:") == 2, line


def test_stemming_and_ideas() -> None:
    assert stem("listening") == "listen"
    assert stem("feelings") == "feel"
    assert content_words("After an argument?") == content_words("after a disagreement")
    assert "you" not in content_words("What do you need?")


def test_rewording_is_caught_and_different_topics_are_not() -> None:
    same = [
        MeaningItem(1, "What helps you cool down after an argument?"),
        MeaningItem(2, "After a disagreement, what helps you calm down?"),
        MeaningItem(3, "Which childhood game would you love to play again?"),
    ]
    pairs = [(a.key, b.key) for a, b, _ in near_duplicates(same)]
    assert pairs == [(1, 2)]


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("How do you relax: reading, walking, or cooking?", 3),
        ("What helps more: advice, company, distraction or simply being heard?", 4),
        ("Do you prefer tea or coffee?", 0),  # two options: the yes/no rule's job
        ("What is a small comfort: a favourite food, a walk, a song?", 0),  # examples, no "or"
        ("What would you like more of, and why?", 0),
        ("What language, dialect or hometown shaped you, and how?", 0),  # nouns mid-question
        ("What smell, sound or taste takes you straight back to being young?", 0),
        ("How would you like to mark today, however simply, near or far?", 0),  # an aside
        ("What do you miss most, the food, the music, the streets or the people?", 4),
    ],
)
def test_menu_options(text: str, options: int) -> None:
    assert menu_options(text) == options
