"""Buttons around check-ins. Callback data: a short code and ids; the server checks that
the presser is a partner of the check-in the id names."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.checkins.texts import (
    ADD_NOTE_BUTTON,
    RATING_WORDS,
    RECONNECT_BUTTONS,
    SKIP_BUTTON,
    WEEKDAYS,
)

RATE_PREFIX = "ci:"
SKIP_PREFIX = "cs:"
NOTE_PREFIX = "cn:"
RECONNECT_PREFIX = "rc:"
CADENCE_PREFIX = "cc:"
WEEKDAY_PREFIX = "cw:"
CADENCES = (
    ("weekly", "Weekly"),
    ("biweekly", "Every 2 weeks"),
    ("monthly", "Monthly"),
    ("off", "Off"),
)


def ratings(checkin_id: int) -> InlineKeyboardMarkup:
    """One rating a row, labelled with words as well as the number."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{rating} · {word}", callback_data=f"{RATE_PREFIX}{checkin_id}:{rating}"
                )
            ]
            for rating, word in sorted(RATING_WORDS.items(), reverse=True)
        ]
    )


def note_choice(checkin_id: int) -> InlineKeyboardMarkup:
    """The optional note after a rating: neither button is needed for the rating to count."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(ADD_NOTE_BUTTON, callback_data=f"{NOTE_PREFIX}{checkin_id}"),
                InlineKeyboardButton(SKIP_BUTTON, callback_data=f"{SKIP_PREFIX}{checkin_id}"),
            ]
        ]
    )


def reconnect_times(checkin_id: int) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(label, callback_data=f"{RECONNECT_PREFIX}{checkin_id}:{option}")
        for option, label in RECONNECT_BUTTONS.items()
    ]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def cadence(current: str, weekday: int) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                ("✅ " if value == current else "") + label,
                callback_data=f"{CADENCE_PREFIX}{value}",
            )
            for value, label in CADENCES
        ]
    ]
    days = [
        InlineKeyboardButton(
            ("✅ " if index == weekday else "") + day[:3],
            callback_data=f"{WEEKDAY_PREFIX}{index}",
        )
        for index, day in enumerate(WEEKDAYS)
    ]
    return InlineKeyboardMarkup([*rows, days[:4], days[4:]])
