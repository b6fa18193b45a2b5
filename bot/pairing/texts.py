"""What Hearth says about pairing: the welcome, invites, unpairing, /help and /status. HTML
parse mode: every piece of user text is escaped.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.kernel.words import plural
from bot.telegram.texts import COMMANDS, name

WELCOME = (
    "Hi, I'm Hearth. 🕯️\n\n"
    "I help two people stay close: each day I send you both the same question, "
    "and once you have both answered, you each see what the other wrote. "
    "A few minutes a day, just for the two of you.\n\n"
    "To begin, invite your partner."
)


INVITE_BUTTON = "Invite my partner"


ACCEPT_BUTTON = "Yes, pair us"


DECLINE_BUTTON = "Not now"


UNPAIR_BUTTON = "Yes, unpair"


KEEP_BUTTON = "No, stay paired"


def welcome_back(partner_name: str) -> str:
    return (
        f"Welcome back. You're paired with {name(partner_name)}.\n"
        "Send /help to see what you can do."
    )


def invite_created(link: str, ttl_hours: int, revoked_older: bool) -> str:
    older = "\n\nYour earlier invite link no longer works." if revoked_older else ""
    return (
        "Here is your private invite link:\n\n"
        f"{escape(link)}\n\n"
        "Send it to your partner, and only to them. When they open it and confirm, "
        "you'll be paired. The link works once and expires in "
        f"{plural(ttl_hours, 'hour', 'hours')}."
        f"{older}"
    )


def invite_preview(inviter_name: str) -> str:
    return (
        f"{name(inviter_name)} has invited you to pair on Hearth.\n\n"
        "Once you're paired, you'll both get the same question each day, and see each "
        "other's answers once you've both replied. Would you like to pair with "
        f"{name(inviter_name)}?"
    )


def paired_with(partner_name: str) -> str:
    return (
        f"You're paired with {name(partner_name)}. 💛\n\n"
        "I'll send you both a question each day. Answer in your own words; "
        "you'll see each other's answers once you've both replied."
    )


INVITE_DECLINED = (
    "No problem, nothing has changed. If you'd like to pair later, open the link again "
    "while it's still valid."
)


def unpaired_by_partner(partner_name: str) -> str:
    return (
        f"{name(partner_name)} has ended your pairing on Hearth. "
        "Your past answers stay readable to you.\n\n"
        "Take care of yourself. Whenever you'd like, you can pair again with /pair."
    )


def confirm_unpair(partner_name: str) -> str:
    return (
        f"Do you want to end your pairing with {name(partner_name)}?\n\n"
        "Daily questions will stop for both of you, and they will be told. "
        "Your past answers stay readable to each of you."
    )


def unpaired(partner_name: str) -> str:
    return (
        f"Your pairing with {name(partner_name)} has ended. They've been told.\n"
        "Whenever you're ready, you can pair again with /pair."
    )


UNPAIR_KEPT = "Good. Nothing has changed: you're still paired."


def status_paired(partner_name: str, since: datetime) -> str:
    return (
        f"You're paired with {name(partner_name)}, since {since:%d %B %Y}.\n"
        "Send /unpair if you ever want to end the pairing."
    )


HELP_HEADER = "Here's what I can do:\n"


HELP_FOOTER = (
    "\n\nI work in private chats only. Your answers are shown only to your partner, "
    "and only once you've both answered."
)


def help_text() -> str:
    lines = [f"/{command}: {description}" for command, description in COMMANDS]
    return HELP_HEADER + "\n".join(lines) + HELP_FOOTER


PRIVATE_ONLY = (
    "Hi! I work in private chats only, so each partner's words stay private. "
    "Please write to me directly. I'll leave this chat now."
)


def partner_blocked(partner_name: str) -> str:
    return (
        f"It looks like {name(partner_name)} has paused Hearth on their side, so daily "
        "questions are on hold for now. They'll start again if they come back."
    )


def partner_back(partner_name: str) -> str:
    return f"{name(partner_name)} is back on Hearth, so your daily questions start again. 💛"
