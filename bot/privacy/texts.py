"""Words for /privacy, /mydata and /deletemydata."""

from __future__ import annotations

PRIVACY_BODY = (
    "<b>Your privacy</b>\n\n"
    "<b>What I keep</b>\n"
    "• Your first name, last name and username as Telegram shares them, your Telegram id "
    "and your time zone.\n"
    "• Who you're paired with, and your schedule: the time of the daily question, pauses "
    "and how often check-ins come.\n"
    "• Your answers, your check-in ratings and notes, and the replies and reactions you "
    "send your partner through me.\n"
    "• The invite links you made (only a fingerprint of each link, never the link itself).\n\n"
    "<b>Who can see it</b>\n"
    "Your answers are shown only to your partner, and only once you have both answered. "
    "Check-in ratings and notes are shown only to your partner, once you have both checked "
    "in. Nobody else using Hearth sees anything of yours.\n"
    "The people who run this Hearth server can technically open its database. "
)
ENCRYPTED = (
    "Here your answers and notes are stored encrypted, so reading the database alone does "
    "not show them.\n\n"
)
NOT_ENCRYPTED = "Here answers and notes are stored unencrypted.\n\n"
PRIVACY_TAKE_AWAY = (
    "<b>Taking it with you, or away</b>\n"
    "/mydata sends you a file with everything I keep about you.\n"
    "/deletemydata erases your data and your answers. If you're paired, the pairing ends "
    "first. Your partner keeps their own answers; yours show as removed."
)


def privacy(encrypted: bool) -> str:
    return PRIVACY_BODY + (ENCRYPTED if encrypted else NOT_ENCRYPTED) + PRIVACY_TAKE_AWAY


MYDATA_CAPTION = (
    "Here is everything I keep about you. Your partner's answers are their own words, so "
    "they're not in it."
)
MYDATA_NOTHING = "I don't keep anything about you yet."

CONFIRM_DELETE = (
    "Erase your data?\n\n"
    "This ends your pairing if you have one (your partner will be told, kindly), and "
    "erases your answers, check-in ratings and notes, your invites and your details. "
    "Your partner keeps their own answers. This can't be undone."
)
DELETE_BUTTON = "Erase my data"
KEEP_BUTTON = "Keep it"
DELETED = (
    "Done. Your data and answers are erased. 🕯️\n\n"
    "Thank you for the time you spent here. If you ever want to come back, send /start."
)
DELETE_KEPT = "Nothing was erased."
PARTNER_LEFT = (
    "Your partner has left Hearth and erased their data, so your pairing has ended. "
    "Your own answers are still here for you in /history.\n\n"
    "Take good care. If you'd like to pair again one day, send /pair."
)
