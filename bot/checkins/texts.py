"""What Hearth says around check-ins. Warm, never a score, never blame."""

from __future__ import annotations

from html import escape

from bot.checkins.messages import CheckInReveal, Side
from bot.telegram.texts import name

RATING_WORDS = {1: "Far apart", 2: "A bit distant", 3: "Okay", 4: "Close", 5: "Very close"}
RATING_PHRASES = {
    1: "far apart",
    2: "a bit distant",
    3: "okay",
    4: "close",
    5: "very close",
}
CADENCE_WORDS = {
    "weekly": "every week",
    "biweekly": "every two weeks",
    "monthly": "once a month",
    "off": "off",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SKIP_BUTTON = "Skip"
RECONNECT_BUTTONS = {
    "1h": "In an hour",
    "tonight": "Tonight",
    "tomorrow": "Tomorrow evening",
    "weekend": "Saturday",
}

ASK = (
    "💛 <b>Check-in</b>\n\n"
    "How connected have you felt to each other lately?\n\n"
    "Just for the two of you: your partner sees your answer only once you've both "
    "answered."
)

ADD_NOTE_BUTTON = "Add a note"


def rated(word: str, partner_name: str, revealed: bool) -> str:
    """After a rating tap: it counts already; a note is optional."""
    if revealed:
        head = (
            f"You chose: {escape(word)}. You've both checked in, so here's how you're each feeling."
        )
    else:
        head = (
            f"You chose: {escape(word)}. Thanks for checking in. You'll both see how you're "
            f"each feeling once {name(partner_name)} has checked in too."
        )
    return head + "\n\nIs there something you'd like the two of you to talk about? It's optional."


def note_started(partner_name: str, revealed: bool) -> str:
    after = (
        f"I'll pass it to {name(partner_name)} straight away."
        if revealed
        else f"{name(partner_name)} will see it with your check-in."
    )
    return f"Write your note in your next message. {after} (Any command cancels.)"


def note_skipped() -> str:
    return "No note this time. Your check-in counts all the same. 💛"


def note_saved(partner_name: str, sent_now: bool) -> str:
    if sent_now:
        return f"Your note is on its way to {name(partner_name)}. 💌"
    return f"Saved as your check-in note. {name(partner_name)} will see it with your check-in."


def note_from_partner(partner_name: str, note: str) -> str:
    return f"💛 {name(partner_name)} added a note to your check-in:\n<i>“{escape(note)}”</i>"


def _feeling(who: str, side: Side) -> str:
    rating = int(side.rating or 0)
    line = f"{who}: {RATING_WORDS[rating]} ({rating} of 5)"
    if side.note:
        line += f"\n<i>“{escape(str(side.note))}”</i>"
    return line


def reveal(message: CheckInReveal) -> str:
    """Both ratings and notes, then what follows from them."""
    parts = [
        "💛 <b>Your check-in</b>",
        _feeling("<b>You</b>", message.own)
        + "\n\n"
        + _feeling(name(message.partner_name), message.theirs),
    ]
    if message.celebrate:
        parts.append(celebration(message.prompt))
    if message.reconnect:
        parts.append(reconnect_guide(message.partner_name, message.prompt, message.reasons))
    if message.counsellor:
        parts.append(counsellor(message.support_url or "", message.support_text or ""))
    if not (message.celebrate or message.reconnect):
        parts.append(
            "Thank you both for checking in. Noticing how you feel, together, is what keeps "
            "you close."
        )
    return "\n\n".join(parts)


def celebration(prompt: str | None) -> str:
    text = "🎉 You're both feeling close. That's worth noticing and enjoying."
    if prompt:
        text += f"\n\nSomething to share with each other:\n<i>{escape(prompt)}</i>"
    return text


RECONNECT_OPENINGS = {
    "low": "It sounds like there's a little distance right now. That happens to every couple.",
    "gap": (
        "You two see the last while a little differently. That's worth a gentle "
        "conversation, with curiosity about each other's view."
    ),
    "drop": "Things feel a bit further apart than last time. That happens to every couple.",
}


def reconnect_guide(partner_name: str, prompt: str | None, reasons: list[str] | None) -> str:
    # The first reason decides the opening: a low rating is named before a gap, so a
    # partner who chose "Very close" is not told there is distance they do not feel.
    opening = RECONNECT_OPENINGS.get((reasons or ["low"])[0], RECONNECT_OPENINGS["low"])
    steps = (
        "🌱 <b>A small reconnect, together</b>\n"
        f"{opening} When you're both ready:\n"
        "1. Choose a calm time, with screens away.\n"
        "2. Each say one feeling as: “I feel … when … and I need …”.\n"
        "3. The listener reflects it back in their own words before answering.\n"
        "4. Agree on one small step for this week."
    )
    if prompt:
        steps += f"\n\nA question to start with:\n<i>{escape(prompt)}</i>"
    return steps + "\n\nWould you like a reminder? Pick a time below."


def counsellor(url: str, text: str) -> str:
    lines = [
        "🤝 These last few check-ins have felt hard. Talking it through with a couples "
        "counsellor is a strong, proactive step many couples take, not a sign that "
        "anything has failed. A counsellor can help you both be heard."
    ]
    if text:
        lines.append(escape(text))
    if url:
        lines.append(escape(url))
    return "\n".join(lines)


def closed(partner_name: str, answered: bool = True) -> str:
    if answered:
        return (
            f"This check-in has closed before {name(partner_name)} could answer. Your answer "
            "stays private. Life gets busy; there'll be another chance soon."
        )
    return (
        f"This check-in has closed. {name(partner_name)} had checked in; their answer stays "
        "private. No worries: there'll be another chance soon."
    )


def reconnect_scheduled(when: str) -> str:
    return f"Done. I'll remind you both {escape(when)}. 💛"


def reconnect_scheduled_by_partner(partner_name: str, when: str) -> str:
    return f"{name(partner_name)} picked a time for your reconnect talk: {escape(when)}. 💛"


def reconnect_reminder(partner_name: str, prompt: str | None) -> str:
    text = (
        f"🌱 It's time for your reconnect talk with {name(partner_name)}. Find a calm spot, "
        "put screens away, and take turns: “I feel … when … and I need …”."
    )
    if prompt:
        text += f"\n\nA question to start with:\n<i>{escape(prompt)}</i>"
    return text


def started() -> str:
    return "Check-in started. You'll both get it now."


def cadence(current: str, weekday: int, next_text: str | None) -> str:
    when = CADENCE_WORDS.get(current, current)
    if current == "off":
        return "Check-ins are off. Choose how often you'd like them:"
    upcoming = f" The next one is {escape(next_text)}." if next_text else ""
    return (
        f"Check-ins come {when}, on {WEEKDAYS[weekday]}s at your daily time.{upcoming}\n"
        "Change how often, or the day:"
    )


TREND_EMPTY = (
    "The picture appears once you've done at least two check-ins together. "
    "Send /checkin to do one now."
)
TREND_CAPTION_HEADER = "💛 How connected you've felt"
CHECKIN_REFUSALS = {
    "checkin_open": "A check-in is already open. Answer that one first; there's no rush.",
    "checkin_today": "You've already had a check-in today. Let's do the next one another day.",
    "checkin_closed": "That check-in has closed. There'll be another one soon.",
    "checkin_done": "You've already answered this check-in. Thank you!",
    "note_text_only": "A check-in note is words only. Write it as a message, please.",
    "rate_first": "Pick how connected you've felt first, then add your note.",
}
