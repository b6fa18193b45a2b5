"""Turns queued outbox messages (a kind and plain params) into what Telegram is sent:
text parts (split at 4096 characters, never cut) and copies of partners' media."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.checkins.messages import CHECKIN_RENDERERS
from bot.notices import texts as notice_texts
from bot.pairing import texts as pairing_texts
from bot.privacy import texts as privacy_texts
from bot.rounds import keyboards as rounds_keyboards
from bot.rounds import texts as rounds_texts
from bot.rounds.question_texts import daily_question
from bot.schedule import keyboards as schedule_keyboards
from bot.schedule import texts as schedule_texts
from bot.telegram.split import split_message


@dataclass(frozen=True)
class TextPart:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class CopyPart:
    """A partner's voice note, photo or video, shown with copyMessage."""

    from_chat_id: int
    message_id: int


Part = TextPart | CopyPart
Renderer = Callable[[dict[str, Any]], list[Part]]


class UnknownKind(Exception):
    pass


def render(kind: str, params: dict[str, Any]) -> list[Part]:
    renderer = _RENDERERS.get(kind)
    if renderer is not None:
        return renderer(params)
    checkin_renderer = CHECKIN_RENDERERS.get(kind)
    if checkin_renderer is not None:
        return [TextPart(text, keyboard) for text, keyboard in checkin_renderer(params)]
    raise UnknownKind(kind)


def _text(text: str, keyboard: InlineKeyboardMarkup | None = None) -> list[Part]:
    """Split long text; the buttons go under the last part."""
    chunks = split_message(text)
    parts: list[Part] = [TextPart(chunk) for chunk in chunks[:-1]]
    parts.append(TextPart(chunks[-1], keyboard))
    return parts


def _question(p: dict[str, Any]) -> list[Part]:
    question = daily_question(p["deck_title"], p["text"])
    if p.get("swapped_by"):
        question = rounds_texts.question_swapped(p["swapped_by"]) + "\n\n" + question
    return _text(question)


def _reveal(p: dict[str, Any]) -> list[Part]:
    partner, mine = p["partner_answer"], p["own_answer"]
    closing = rounds_texts.reveal_closing(p["partner_name"], mine, p["streak"])
    keyboard = rounds_keyboards.reactions(p["round_id"])
    if partner["kind"] == "text":
        return _text(
            rounds_texts.reveal_with_text(p["question"], p["partner_name"], partner["body"])
            + "\n\n"
            + closing,
            keyboard,
        )
    parts = _text(rounds_texts.reveal_with_media(p["question"], p["partner_name"], partner["kind"]))
    parts.append(CopyPart(partner["chat_id"], partner["message_id"]))
    return parts + _text(closing, keyboard)


def _relay(p: dict[str, Any]) -> list[Part]:
    if p["kind"] == "text":
        return _text(rounds_texts.relayed_text(p["partner_name"], p["body"] or ""))
    return [
        *_text(rounds_texts.relayed_media(p["partner_name"])),
        CopyPart(p["chat_id"], p["message_id"]),
    ]


_RENDERERS: dict[str, Renderer] = {
    "paired": lambda p: _text(pairing_texts.paired_with(p["partner_name"])),
    "unpaired_by_partner": lambda p: _text(pairing_texts.unpaired_by_partner(p["partner_name"])),
    "partner_left": lambda p: _text(privacy_texts.PARTNER_LEFT),
    "question": _question,
    "zone_question": lambda p: _text(
        schedule_texts.ZONE_QUESTION, schedule_keyboards.zone_question(p["options"])
    ),
    "nudge": lambda p: _text(
        rounds_texts.nudge(p["partner_name"], p.get("question") if p.get("earlier") else None)
    ),
    "reveal": _reveal,
    "relay": _relay,
    "reaction": lambda p: _text(rounds_texts.reaction_received(p["partner_name"], p["emoji"])),
    "reminder": lambda p: _text(rounds_texts.reminder(p["question"])),
    "round_closed": lambda p: _text(rounds_texts.round_closed(p["partner_name"], p["question"])),
    "partner_blocked": lambda p: _text(pairing_texts.partner_blocked(p["partner_name"])),
    "partner_back": lambda p: _text(pairing_texts.partner_back(p["partner_name"])),
    "paused_by_partner": lambda p: _text(
        schedule_texts.paused_by_partner(p["partner_name"], p["until_text"])
    ),
    "resumed_by_partner": lambda p: _text(schedule_texts.resumed_by_partner(p["partner_name"])),
    "setting_changed": lambda p: _text(notice_texts.setting_changed(p)),
    "time_changed_by_partner": lambda p: _text(
        schedule_texts.time_changed_by_partner(p["partner_name"], p["time_text"])
    ),
}
