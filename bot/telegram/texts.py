"""The words every feature shares: the command menu, names, dates, refusals and kind
error replies. HTML parse mode: every piece of user text is escaped.

Tone: warm, brief, never guilt-tripping, never a score.
"""

from __future__ import annotations

from datetime import date
from html import escape

from bot.kernel.results import Refusal, Refused

BOT_NAME = "Hearth"


# (command, description) for setMyCommands and /help, in menu order.
COMMANDS: list[tuple[str, str]] = [
    ("start", "Say hello and see what Hearth does"),
    ("pair", "Invite your partner with a private link"),
    ("status", "Who you're paired with, your schedule and streak"),
    ("time", "Set the time of the daily question"),
    ("timezone", "Set your time zone"),
    ("edit", "Replace your answer before the reveal"),
    ("skip", "Swap today's question for another"),
    ("history", "Your past questions and answers"),
    ("topics", "Choose the topics of your questions"),
    ("checkin", "Check in now: how close do you feel?"),
    ("checkins", "How often check-ins come"),
    ("trend", "A picture of your check-ins over time"),
    ("pause", "Pause daily questions for a while"),
    ("resume", "Start daily questions again"),
    ("reminders", "Turn the gentle reminder on or off"),
    ("unpair", "End your pairing"),
    ("privacy", "What I keep, who sees it, how to remove it"),
    ("mydata", "Get a file with everything I keep about you"),
    ("deletemydata", "Erase your data and answers"),
    ("help", "What Hearth can do"),
]


def name(text: str) -> str:
    """A person's name, escaped and in bold."""
    return f"<b>{escape(text)}</b>"


STATUS_UNPAIRED = "You're not paired yet. Send /pair to get a private invite link for your partner."


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


NOTHING_CHANGED = "Nothing has changed."


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
    Refusal.NO_OPEN_ROUND: (
        "There's no open question right now. The next one comes at your usual time."
    ),
    Refusal.ALREADY_ANSWERED: (
        "You've already answered that question. To change your answer before the "
        "reveal, edit your message or send /edit."
    ),
    Refusal.ANSWERS_LOCKED: (
        "You've both answered this one, so the answers are settled now. "
        "To add something, reply to the reveal message and I'll pass it on."
    ),
    Refusal.ROUND_CLOSED: "That question has closed. A new one comes at your usual time.",
    Refusal.NOTHING_TO_EDIT: (
        "You haven't answered today's question yet, so there's nothing to edit. "
        "Just write your answer."
    ),
    Refusal.SKIP_AFTER_ANSWER: (
        "One of you has already answered today's question, so it stays. A new one comes tomorrow."
    ),
    Refusal.SKIP_USED: "You've already swapped today's question once. A new one comes tomorrow.",
    Refusal.NOT_PAUSED: "Your daily questions aren't paused, so there's nothing to resume.",
    Refusal.OLD_CONVERSATION: (
        "That message belongs to an earlier pairing, so I haven't passed your reply on."
    ),
}


def refusal(refused: Refused) -> str:
    if refused.reason is Refusal.UNKNOWN_TIME:
        return "I couldn't read that time. " + TIME_HELP
    if refused.reason is Refusal.UNKNOWN_ZONE:
        return "I couldn't find that place. " + ZONE_HELP
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


MEDIA_WORDS = {
    "voice": "a voice note",
    "photo": "a photo",
    "video": "a video",
    "video_note": "a video message",
    "text": "a message",
}


def short_date(day: date) -> str:
    """ "Tue 10 Mar": a date a person reads, never ISO."""
    return f"{day:%a} {day.day} {day:%b}"


TIME_HELP = (
    "What time would you like the daily question? For example: /time 21:30, /time 9pm "
    "or /time 9:15 am."
)


ZONE_HELP = (
    "Which time zone are you in? Send a city, a country or a zone name, for example: "
    "/timezone Berlin, /timezone Japan or /timezone America/New_York."
)
