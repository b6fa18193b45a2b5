"""Outbox messages are typed: each kind is a frozen dataclass, stored as its fields' JSON.

Rows queued by the release before typed messages (plain dicts of the same keys, some
without keys added later) must still render after an upgrade; every kind's old shape is
here, written as that release wrote it.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from bot.app import all_renderers
from bot.delivery.render import CopyPart, TextPart, UnknownKind
from bot.kernel.messages import Message

ANSWER = {"kind": "text", "body": "Sourdough <3", "chat_id": 1001, "message_id": 7}
VOICE = {"kind": "voice", "body": None, "chat_id": 1002, "message_id": 8}

# kind -> (params as the previous release queued them, a fragment the reader must see)
LEGACY_ROWS: dict[str, tuple[dict[str, Any], str]] = {
    "paired": ({"partner_name": "Bob"}, "Bob"),
    "unpaired_by_partner": ({"partner_name": "Bob"}, "Bob"),
    "partner_blocked": ({"partner_name": "Bob"}, "Bob"),
    "partner_back": ({"partner_name": "Bob"}, "Bob"),
    "partner_left": ({}, ""),
    "question": (
        {"round_id": 1, "prompt_id": "p-1", "text": "What made you smile?", "deck_title": "Joy"},
        "What made you smile?",
    ),
    "zone_question": ({"options": ["Europe/Madrid", "America/Mexico_City"]}, ""),
    "nudge": ({"partner_name": "Bob", "round_id": 1}, "Bob"),
    "reveal": (
        {
            "round_id": 1,
            "question": "What made you smile?",
            "partner_name": "Bob",
            "partner_answer": VOICE,
            "own_answer": ANSWER,
            "streak": 3,
        },
        "What made you smile?",
    ),
    "relay": ({"round_id": 1, "partner_name": "Bob", **ANSWER}, "Sourdough &lt;3"),
    "reaction": ({"partner_name": "Bob", "emoji": "❤️", "round_id": 1}, "❤️"),
    "reminder": ({"round_id": 1, "question": "What made you smile?"}, "What made you smile?"),
    "round_closed": ({"partner_name": "Bob", "question": "What made you smile?"}, "Bob"),
    "paused_by_partner": ({"partner_name": "Bob", "until_text": "Mon 9 Mar"}, "Bob"),
    "resumed_by_partner": ({"partner_name": "Bob", "until_text": None}, "Bob"),
    "time_changed_by_partner": ({"partner_name": "Bob", "time_text": "08:30"}, "08:30"),
    "setting_changed": (
        {
            "setting": "topics",
            "partner_name": "Bob",
            "before": {"play": False},
            "after": {"play": True},
            "labels": {"play": "Play and lightness"},
        },
        "Play and lightness",
    ),
    "checkin_ask": ({"checkin_id": 4}, ""),
    "checkin_note": ({"checkin_id": 4, "partner_name": "Bob", "note": "Miss you"}, "Miss you"),
    "checkin_reveal": (
        {
            "checkin_id": 4,
            "partner_name": "Bob",
            "own": {"rating": 2, "note": None},
            "theirs": {"rating": 4, "note": "Long week"},
            "celebrate": False,
            "reconnect": True,
            "reasons": ["low"],
            "counsellor": False,
            "prompt": "What would a good evening look like?",
            "support_url": None,
            "support_text": None,
        },
        "Long week",
    ),
    "reconnect_scheduled": ({"partner_name": "Bob", "when": "tonight at 20:00"}, "20:00"),
    "checkin_closed": ({"partner_name": "Bob"}, "Bob"),  # `answered` came later
    "reconnect_reminder": ({"partner_name": "Bob", "prompt": None}, "Bob"),
}


def shown(parts: list[TextPart | CopyPart]) -> str:
    return "\n".join(part.text for part in parts if isinstance(part, TextPart))


def test_every_kind_the_bot_sends_has_an_old_row_here() -> None:
    assert all_renderers().kinds == set(LEGACY_ROWS)


@pytest.mark.parametrize("kind", sorted(LEGACY_ROWS))
def test_rows_queued_before_typed_messages_still_render(kind: str) -> None:
    params, fragment = LEGACY_ROWS[kind]
    parts = all_renderers().render(kind, params)
    assert parts
    assert fragment in shown(parts)


def test_a_media_reveal_copies_the_partners_message_between_its_texts() -> None:
    params, _ = LEGACY_ROWS["reveal"]
    parts = all_renderers().render("reveal", params)
    assert [type(part) for part in parts] == [TextPart, CopyPart, TextPart]
    assert parts[1] == CopyPart(1002, 8)


@pytest.mark.parametrize("kind", sorted(LEGACY_ROWS))
def test_a_message_survives_its_round_trip_through_the_outbox(kind: str) -> None:
    message_type = _type_of(kind)
    message = message_type.from_params(LEGACY_ROWS[kind][0])
    assert message_type.from_params(message.to_params()) == message
    assert {field.name for field in fields(message_type)} >= {
        key for key in LEGACY_ROWS[kind][0] if kind != "relay"
    }


def test_an_unknown_kind_is_refused_not_guessed() -> None:
    with pytest.raises(UnknownKind):
        all_renderers().render("no_such_kind", {})


def _type_of(kind: str) -> type[Message]:
    for message_type in _all_message_types(Message):
        if getattr(message_type, "kind", None) == kind:
            return message_type
    raise AssertionError(kind)


def _all_message_types(base: type[Message]) -> list[type[Message]]:
    found = []
    for sub in base.__subclasses__():
        found += [sub, *_all_message_types(sub)]
    return found
