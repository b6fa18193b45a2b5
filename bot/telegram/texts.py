"""Everything Hearth says, in one place. HTML parse mode: every piece of user text is escaped.

Tone (see DESIGN.md): warm, brief, never guilt-tripping, never a score.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.services.results import Refusal, Refused

BOT_NAME = "Hearth"

# (command, description) for setMyCommands and /help, in menu order.
COMMANDS: list[tuple[str, str]] = [
    ("start", "Say hello and see what Hearth does"),
    ("pair", "Invite your partner with a private link"),
    ("status", "Who you are paired with"),
    ("unpair", "End your pairing"),
    ("help", "What Hearth can do"),
]


def name(text: str) -> str:
    """A person's name, escaped and in bold."""
    return f"<b>{escape(text)}</b>"


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
        f"you'll be paired. The link works once and expires in {ttl_hours} hours."
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


STATUS_UNPAIRED = "You're not paired yet. Send /pair to get a private invite link for your partner."

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

UNKNOWN_COMMAND = "I don't know that command. Send /help to see what I can do."
NOT_PAIRED_YET_MESSAGE = (
    "Thanks for writing. Once you're paired, I'll send you both a question each day. "
    "Send /pair to invite your partner."
)
UNSUPPORTED_MESSAGE = "I can't use that kind of message, sorry. Send /help to see what I can do."
SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on my side. Nothing you did. Please try again in a moment."
)
BUTTON_EXPIRED = "This button is no longer active."

_REFUSALS: dict[Refusal, str] = {
    Refusal.INVITE_UNKNOWN: (
        "I couldn't find that invite. Please ask your partner to send a fresh link "
        "(they can make one with /pair)."
    ),
    Refusal.INVITE_EXPIRED: (
        "This invite has expired. Please ask your partner for a new link; "
        "they can make one with /pair."
    ),
    Refusal.INVITE_USED: (
        "This invite has already been used, so the pairing it was for is complete. "
        "If you want to pair with someone, ask them for their own link, or send /pair."
    ),
    Refusal.INVITE_REVOKED: (
        "This invite link has been replaced by a newer one. Please ask your partner "
        "for their latest link."
    ),
    Refusal.OWN_INVITE: (
        "That's your own invite link. Send it to your partner, and when they open it, "
        "you'll be paired."
    ),
    Refusal.INVITER_PAIRED: (
        "The person who sent this invite is already paired, so it can't be used. "
        "If you want to pair with someone, send /pair."
    ),
    Refusal.NOT_PAIRED: STATUS_UNPAIRED,
    Refusal.STALE_BUTTON: BUTTON_EXPIRED,
}


def refusal(refused: Refused) -> str:
    if refused.reason is Refusal.ALREADY_PAIRED:
        who = name(refused.partner_name) if refused.partner_name else "someone"
        return (
            f"You're already paired with {who}, so nothing has changed. "
            "To pair with someone else, send /unpair first."
        )
    if refused.reason is Refusal.PAIRED_CANNOT_INVITE:
        who = name(refused.partner_name or "your partner")
        return (
            f"You're already paired with {who}, so there's no need for an invite. "
            "To pair with someone else, send /unpair first."
        )
    return _REFUSALS[refused.reason]
