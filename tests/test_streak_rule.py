"""The streak rule (bot/rounds/rules.py): consecutive revealed rounds; a day without a
question (a pause) neither breaks nor extends it; a question closed unanswered ends it."""

from __future__ import annotations

from bot.rounds.rules import current_streak, streak_after
from bot.rounds.texts import streak_line


def play(days: list[str]) -> list[int]:
    """Each day: "revealed", "closed", or "paused" (no round that day). The streak
    shown after each day."""
    last: tuple[str | None, int] = (None, 0)
    shown = []
    for day in days:
        if day == "revealed":
            last = ("revealed", streak_after(*last))
        elif day == "closed":
            last = ("closed", 0)
        shown.append(current_streak(*last))
    return shown


def test_a_pause_freezes_the_streak() -> None:
    assert play(["revealed", "revealed", "paused", "paused", "revealed"]) == [1, 2, 2, 2, 3]


def test_an_unanswered_question_ends_it() -> None:
    assert play(["revealed", "revealed", "closed", "revealed"]) == [1, 2, 0, 1]


def test_the_text_counts_questions_so_it_stays_true_across_a_pause() -> None:
    assert streak_line(6).startswith("🔥 6 questions in a row answered together.")
    assert "days" not in streak_line(6)
