"""Inline keyboards. Callback data stays far below Telegram's 64-byte limit: a short
code and an id or token; the server re-checks that the presser owns what it names."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.rounds import REACTIONS
from bot.services.topics import STAGE_KEY
from bot.telegram import texts

INVITE = "pair"
ACCEPT_PREFIX = "acc:"
DECLINE = "dec"
UNPAIR_PREFIX = "unp:"
KEEP_PAIR = "keep"


def invite_partner() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.INVITE_BUTTON, callback_data=INVITE)]])


def accept_invite(token: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.ACCEPT_BUTTON, callback_data=ACCEPT_PREFIX + token),
                InlineKeyboardButton(texts.DECLINE_BUTTON, callback_data=DECLINE),
            ]
        ]
    )


def confirm_unpair(pair_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.UNPAIR_BUTTON, callback_data=f"{UNPAIR_PREFIX}{pair_id}"
                ),
                InlineKeyboardButton(texts.KEEP_BUTTON, callback_data=KEEP_PAIR),
            ]
        ]
    )


REACTION_PREFIX = "rx:"
ROUTE_PREFIX = "rt:"
HISTORY_PAGE_PREFIX = "hp:"
HISTORY_ROUND_PREFIX = "hr:"
TOPIC_PREFIX = "tp:"


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


def route(held_id: int, choices: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """ "Where should this go?": one button a row, each a (label, option code)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"{ROUTE_PREFIX}{held_id}:{code}")]
            for label, code in choices
        ]
    )


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
