"""Pairing's buttons: invite, accept or decline, unpair or keep. Callback data is a short
code and an id or token; the server re-checks that the presser owns what it names."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.pairing import texts

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
