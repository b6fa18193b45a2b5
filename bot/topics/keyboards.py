"""/topics buttons: a deck a row, then the relationship stages (multi-select)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.topics import texts
from bot.topics.service import STAGE_KEY

TOPIC_PREFIX = "tp:"


def topics(
    choices: Sequence[tuple[str, str, bool]],
    stages: Sequence[tuple[str, bool]] = (),
) -> InlineKeyboardMarkup:
    """A row per deck, then the relationship stages two to a row (multi-select)."""
    rows = [
        [
            InlineKeyboardButton(
                f"{'✅' if enabled else '▫️'} {title}",
                callback_data=f"{TOPIC_PREFIX}{deck_id}",
            )
        ]
        for deck_id, title, enabled in choices
    ]
    stage_buttons = [
        InlineKeyboardButton(
            f"{'✅' if chosen else '▫️'} {texts.STAGE_LABELS.get(stage, stage)}",
            callback_data=f"{TOPIC_PREFIX}{STAGE_KEY}{stage}",
        )
        for stage, chosen in stages
    ]
    rows += [stage_buttons[start : start + 2] for start in range(0, len(stage_buttons), 2)]
    return InlineKeyboardMarkup(rows)
