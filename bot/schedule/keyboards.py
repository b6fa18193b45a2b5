"""The zone question at pairing: common zones as buttons, and \"share my location\"."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.schedule import texts

ZONE_PREFIX = "tz:"
ZONE_LOCATION = "loc"


def zone_question(options: Sequence[str]) -> InlineKeyboardMarkup:
    """The zones to pick from at pairing, two a row, and "share my location"."""
    buttons = [
        InlineKeyboardButton(zone.replace("_", " "), callback_data=f"{ZONE_PREFIX}{zone}")
        for zone in options
        if len(ZONE_PREFIX + zone) <= 64
    ]
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    location = InlineKeyboardButton(
        texts.SHARE_LOCATION_BUTTON, callback_data=f"{ZONE_PREFIX}{ZONE_LOCATION}"
    )
    return InlineKeyboardMarkup([*rows, [location]])
