"""What Hearth says about each partner's time: /time, /timezone, the zone question, pauses and
reminders. HTML parse mode: every piece of user text is escaped.
"""

from __future__ import annotations

from html import escape

from bot.rounds.texts import streak_line
from bot.telegram.texts import name


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
