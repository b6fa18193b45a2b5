"""Buttons under a reveal (reactions) and in /history (a round a row, page arrows)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.rounds.service import REACTIONS

REACTION_PREFIX = "rx:"
HISTORY_PAGE_PREFIX = "hp:"
HISTORY_ROUND_PREFIX = "hr:"


def reactions(round_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(emoji, callback_data=f"{REACTION_PREFIX}{round_id}:{index}")
                for index, emoji in enumerate(REACTIONS)
            ]
        ]
    )


def history(entries: list[tuple[int, str]], page: int, pages: int) -> InlineKeyboardMarkup:
    """One button per round (date and the start of the question), then page arrows."""
    rows = [
        [InlineKeyboardButton(label, callback_data=f"{HISTORY_ROUND_PREFIX}{round_id}")]
        for round_id, label in entries
    ]
    arrows = []
    if page > 0:
        arrows.append(
            InlineKeyboardButton("« Newer", callback_data=f"{HISTORY_PAGE_PREFIX}{page - 1}")
        )
    if page + 1 < pages:
        arrows.append(
            InlineKeyboardButton("Older »", callback_data=f"{HISTORY_PAGE_PREFIX}{page + 1}")
        )
    if arrows:
        rows.append(arrows)
    return InlineKeyboardMarkup(rows)
