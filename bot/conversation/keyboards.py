"""\"Where should this go?\" buttons for a message the bot holds."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

ROUTE_PREFIX = "rt:"


def route(held_id: int, choices: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """ "Where should this go?": one button a row, each a (label, option code)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"{ROUTE_PREFIX}{held_id}:{code}")]
            for label, code in choices
        ]
    )
