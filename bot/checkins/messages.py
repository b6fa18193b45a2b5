"""Renderers for the check-in messages the outbox sends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.checkins import keyboards as checkin_keyboards
from bot.checkins import texts as checkin_texts
from bot.telegram.split import split_message


def _parts(
    text: str, keyboard: InlineKeyboardMarkup | None = None
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    chunks = split_message(text)
    return [(chunk, None) for chunk in chunks[:-1]] + [(chunks[-1], keyboard)]


def _ask(p: dict[str, Any]) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    return _parts(checkin_texts.ASK, checkin_keyboards.ratings(int(p["checkin_id"])))


def _reveal(p: dict[str, Any]) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    keyboard = checkin_keyboards.reconnect_times(int(p["checkin_id"])) if p["reconnect"] else None
    return _parts(checkin_texts.reveal(p), keyboard)


CHECKIN_RENDERERS: dict[
    str, Callable[[dict[str, Any]], list[tuple[str, InlineKeyboardMarkup | None]]]
] = {
    "checkin_ask": _ask,
    "checkin_reveal": _reveal,
    "checkin_closed": lambda p: _parts(
        checkin_texts.closed(p["partner_name"], bool(p.get("answered", True)))
    ),
    "checkin_note": lambda p: _parts(
        checkin_texts.note_from_partner(p["partner_name"], str(p["note"]))
    ),
    "reconnect_scheduled": lambda p: _parts(
        checkin_texts.reconnect_scheduled_by_partner(p["partner_name"], p["when"] or "")
    ),
    "reconnect_reminder": lambda p: _parts(
        checkin_texts.reconnect_reminder(p["partner_name"], p.get("prompt"))
    ),
}
