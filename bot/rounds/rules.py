"""Pure rules of the daily rounds: streaks, and which Telegram reactions are news.

Streaks: how many questions in a row a pair has answered together.
The rule: the streak counts consecutive revealed rounds. A day with no question (a
pause, a partner who blocked the bot, a moved daily time) has no round, so it neither
breaks the streak nor extends it: a pause freezes it. A question that closed unanswered
ends it. Because it counts questions, not calendar days, the texts say "questions in a
row", which stays true across a pause.
"""

from __future__ import annotations

from collections.abc import Sequence

REVEALED = "revealed"


def streak_after(previous_status: str | None, previous_streak: int) -> int:
    """The streak of a round revealed now, given the pair's round before it."""
    return previous_streak + 1 if previous_status == REVEALED else 1


def current_streak(latest_settled_status: str | None, streak: int) -> int:
    """The streak to show today, from the newest round that is no longer open (an open
    question has not broken anything yet)."""
    return streak if latest_settled_status == REVEALED else 0


def added_emojis(old: Sequence[str], new: Sequence[str]) -> list[str]:
    """The emojis in `new` that were not in `old`, in order: a reaction taken back (or
    one kept while another is taken back) adds nothing."""
    before = set(old)
    return [emoji for emoji in new if emoji not in before]
