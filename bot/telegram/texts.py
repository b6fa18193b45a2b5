"""Everything Hearth says, in one place. HTML parse mode: every piece of user text is escaped.

Tone: warm, brief, never guilt-tripping, never a score.
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from bot.kernel.results import Refusal, Refused
from bot.kernel.words import plural

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


# --- daily rounds ---------------------------------------------------------------------

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


def saved(
    partner_name: str,
    question: str,
    *,
    replaced: bool,
    earlier_date: date | None = None,
    revealed: bool = False,
) -> str:
    """The acknowledgement always names the question the answer went to."""
    head = "Updated." if replaced else "Saved."
    when = f" the question from {short_date(earlier_date)}" if earlier_date else ""
    after = (
        "You've both answered, so here are your answers. ✨"
        if revealed
        else f"You'll both see each other's answers once {name(partner_name)} has answered."
    )
    return f"{head} Your answer to{when}:\n<i>{escape(question)}</i>\n\n{after}"


def nudge(partner_name: str, earlier_question: str | None = None) -> str:
    if earlier_question:
        return (
            f"{name(partner_name)} has answered an earlier question:\n"
            f"<i>{escape(earlier_question)}</i>\n\n"
            "Reply to this message to answer it and see theirs."
        )
    return f"{name(partner_name)} has answered today's question; answer to see theirs."


# --- where a message goes, when two places are plausible ------------------------------

ROUTE_ANSWER = "My answer to today's question"
ROUTE_REPLACE = "Replace my answer"
ROUTE_NOTE = "A note for the check-in"
ROUTE_DROP = "Keep it to myself"


def route_to_partner(partner_name: str) -> str:
    return f"Send it to {partner_name}"


def ask_where(partner_name: str, *, only_partner: bool, answered: bool) -> str:
    if only_partner:
        return (
            "There's no open question right now. "
            f"Would you like me to send this to {name(partner_name)}?"
        )
    if answered:
        return "You've already answered today's question. Where should this message go?"
    return "Where should this message go?"


DROPPED = "Okay, I've kept it to yourself. Nothing was sent."


def reveal_with_text(question: str, partner_name: str, body: str | None) -> str:
    return (
        "✨ <b>You've both answered.</b>\n\n"
        f"<i>{escape(question)}</i>\n\n"
        f"{name(partner_name)}:\n{escape(body or '')}"
    )


def reveal_with_media(question: str, partner_name: str, kind: str) -> str:
    return (
        "✨ <b>You've both answered.</b>\n\n"
        f"<i>{escape(question)}</i>\n\n"
        f"{name(partner_name)} answered with {MEDIA_WORDS.get(kind, 'a message')}:"
    )


def reveal_closing(partner_name: str, own: dict[str, object], streak: int) -> str:
    if own.get("kind") == "text":
        mine = f"<b>You</b>:\n{escape(str(own.get('body') or ''))}"
    else:
        mine = f"<b>You</b> answered with {MEDIA_WORDS.get(str(own.get('kind')), 'a message')}."
    celebration = f"\n\n{streak_line(streak)}" if streak >= 2 else ""
    return (
        f"{mine}{celebration}\n\n"
        f"Reply to this message to tell {name(partner_name)} something, or send a reaction."
    )


def streak_line(streak: int) -> str:
    # Questions, not days: a pause freezes the streak (bot/rounds/rules.py).
    line = f"🔥 {plural(streak, 'question', 'questions')} in a row answered together."
    if streak >= 30:
        return f"{line} What a habit you've built."
    if streak >= 7:
        return f"{line} Lovely."
    return line


def relayed_text(partner_name: str, body: str) -> str:
    return f"💬 {name(partner_name)} replied:\n{escape(body)}"


def relayed_media(partner_name: str) -> str:
    return f"💬 {name(partner_name)} replied:"


def relay_sent(partner_name: str) -> str:
    return f"Sent to {name(partner_name)}. 💌"


def reaction_received(partner_name: str, emoji: str) -> str:
    return f"{name(partner_name)} reacted {emoji} to your answer."


def reaction_sent(partner_name: str, emoji: str, already_sent: bool = False) -> str:
    if already_sent:
        return f"You've already sent {emoji} to {partner_name}"
    return f"Sent {emoji} to {partner_name}"


def reminder(question: str) -> str:
    return (
        "A gentle reminder: today's question is waiting for you, whenever you have a moment.\n\n"
        f"<i>{escape(question)}</i>"
    )


def round_closed(partner_name: str, question: str) -> str:
    return (
        f"This question has closed before {name(partner_name)} answered: "
        f"<i>{escape(question)}</i>\n\n"
        "Your answer stays private; it won't be shown. Busy weeks happen. "
        "A new question comes tomorrow."
    )


def edit_started(question: str) -> str:
    return (
        f"Send your new answer to <i>{escape(question)}</i> and it will replace the old one. "
        "(Within ten minutes; any command cancels.)"
    )


def question_swapped(partner_name: str) -> str:
    return f"{name(partner_name)} swapped today's question for a different one:"


def skipped(question: str) -> str:
    return (
        "Here's a different question for today. Your partner gets it too.\n\n"
        f"<i>{escape(question)}</i>"
    )


def partner_blocked(partner_name: str) -> str:
    return (
        f"It looks like {name(partner_name)} has paused Hearth on their side, so daily "
        "questions are on hold for now. They'll start again if they come back."
    )


def partner_back(partner_name: str) -> str:
    return f"{name(partner_name)} is back on Hearth, so your daily questions start again. 💛"


def paused_by_partner(partner_name: str, until_text: str | None) -> str:
    until = f" until {escape(until_text)}" if until_text else " for now"
    return (
        f"{name(partner_name)} has paused your daily questions{until}. "
        "Send /resume whenever you're both ready."
    )


def resumed_by_partner(partner_name: str) -> str:
    return f"{name(partner_name)} has resumed your daily questions. 💛"


def time_changed_by_partner(partner_name: str, time_text: str) -> str:
    return f"{name(partner_name)} moved your daily question to {escape(time_text)} your time."


def time_set(time_text: str, zone: str, zone_known: bool) -> str:
    """My own time; only mine changes, so nobody else is told."""
    if not zone_known:
        return (
            f"Done. Your daily question now comes at {escape(time_text)} {escape(zone)} "
            f"({escape(zone)}). {ZONE_UNKNOWN}"
        )
    return f"Done. Your daily question now comes at {escape(time_text)} your time ({escape(zone)})."


ZONE_UNKNOWN = (
    "I don't know where you live yet, so that time is in UTC: send /timezone and your "
    "city (for example /timezone Berlin) and I'll use your own clock."
)


TIME_HELP = (
    "What time would you like the daily question? For example: /time 21:30, /time 9pm "
    "or /time 9:15 am."
)
ZONE_HELP = (
    "Which time zone are you in? Send a city, a country or a zone name, for example: "
    "/timezone Berlin, /timezone Japan or /timezone America/New_York."
)


ZONE_QUESTION = (
    "Where do you live? Each of you gets the daily question at your own time, on your own "
    "clock, so I need your time zone. Tap yours, share your location, or send /timezone "
    "and your city (for example /timezone Berlin). Until then I count in UTC."
)
SHARE_LOCATION_BUTTON = "📍 Share my location"
ZONE_LOCATION_ASK = (
    "Tap <b>📍 Share my location</b> below. I only use it to find your time zone and don't keep it."
)
ZONE_NOT_FOUND_AT_LOCATION = (
    "I couldn't find a time zone for that place. Send /timezone and your city instead, "
    "for example /timezone Berlin."
)


def zone_set(zone_now: str, question_time: str | None) -> str:
    when = (
        f" Your daily question comes at {escape(question_time)} your time." if question_time else ""
    )
    return f"Got it: {escape(zone_now)}.{when}"


def zone_choices(candidates: list[str], ambiguous: bool) -> str:
    options = "\n".join(f"/timezone {escape(zone)}" for zone in candidates)
    if ambiguous:
        return f"Which one do you mean?\n{options}"
    return f"I couldn't find that place. Did you mean one of these?\n{options}"


def paused(until_text: str | None) -> str:
    until = f" until {escape(until_text)}" if until_text else " until you send /resume"
    return (
        f"Paused{until}. No questions or reminders for either of you. Your partner has been told."
    )


PAUSE_HELP = "Send /pause to pause until you /resume, or /pause 7 to pause for 7 days (up to 60)."


def resumed(next_text: str) -> str:
    return f"Welcome back. Your next question comes {escape(next_text)}."


def reminders_set(enabled: bool) -> str:
    if enabled:
        return (
            "Reminders are on: one gentle nudge if a question is still waiting after a few hours."
        )
    return "Reminders are off. Questions still arrive each day."


REMINDERS_HELP = "Send /reminders on or /reminders off."


def history_header(page: int, pages: int) -> str:
    return f"Your past questions (page {page + 1} of {pages}). Tap one to see both answers again."


HISTORY_EMPTY = "Nothing here yet. Once you've both answered a question, it appears here."


def history_round_text(question: str, day_text: str) -> str:
    return f"🗓️ {escape(day_text)}\n<i>{escape(question)}</i>"


def history_answer(who: str, kind: str, body: str | None) -> str:
    if kind == "removed":
        return history_missing(who)
    if kind == "text":
        return f"{name(who)}:\n{escape(body or '')}"
    return f"{name(who)} answered with {MEDIA_WORDS.get(kind, 'a message')}:"


def history_missing(who: str) -> str:
    # Only an erased person's answer is removed (/deletemydata); their name went with it.
    return "Your former partner's answer was removed at their request."


def status_schedule(
    time_text: str,
    zone: str,
    paused_now: bool,
    until: str | None,
    streak: int,
    reminders: bool,
    zone_known: bool = True,
) -> str:
    """`time_text` is the reader's own time; "your time" only once they said their zone."""
    whose = "your time" if zone_known else escape(zone)
    lines = [f"Daily question: {escape(time_text)} {whose} ({escape(zone)})."]
    if not zone_known:
        lines.append(ZONE_UNKNOWN)
    if paused_now:
        lines.append(
            f"Paused{' until ' + escape(until) if until else ''}. Send /resume to restart."
        )
    if not reminders:
        lines.append("Reminders are off.")
    if streak >= 2:
        lines.append(streak_line(streak))
    return "\n".join(lines)


TOPICS_HEADER = (
    "Choose the topics your daily questions come from. Tap one to switch it on or off; "
    "it changes for both of you. (If every topic is off, I'll use them all.)\n\n"
    "The last buttons say where you are as a couple, so some questions fit you better. "
    "Pick any that apply, or none (not said)."
)
TOPIC_ON = "Topic on"
TOPIC_OFF = "Topic off"
# The relationship stages of /topics (bot.prompts.decks.STAGES).
STAGE_LABELS = {
    "new": "New together",
    "long-distance": "Long-distance",
    "living-together": "Living together",
    "parents": "Parents",
}
