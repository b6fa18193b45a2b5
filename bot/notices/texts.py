"""What a partner reads when the other changed a shared setting (see
bot/notices/service.py). Each notice names who changed what, and how to change
it back."""

from __future__ import annotations

from html import escape
from typing import Any

from bot.checkins.texts import CADENCE_WORDS, WEEKDAYS
from bot.notices.messages import SettingChanged
from bot.telegram.texts import name


def setting_changed(notice: SettingChanged) -> str:
    who = name(notice.partner_name)
    if notice.setting == "reminders":
        return _reminders(who, bool(notice.after["enabled"]))
    if notice.setting == "topics":
        return _topics(who, notice.after, notice.labels)
    return _cadence(who, notice.after)


def _reminders(who: str, enabled: bool) -> str:
    if enabled:
        return (
            f"{who} turned reminders on for you both: one gentle nudge when a question is "
            "still waiting. /reminders off stops them."
        )
    return f"{who} turned reminders off for you both. /reminders on brings them back."


def _topics(who: str, after: dict[str, Any], labels: dict[str, str]) -> str:
    switched = [
        f"“{escape(labels.get(deck_id, deck_id))}” is now {'on' if on else 'off'}"
        for deck_id, on in after.items()
    ]
    return (
        f"{who} changed the topics your daily questions come from: "
        f"{', '.join(switched)}. /topics shows them all."
    )


def _cadence(who: str, after: dict[str, Any]) -> str:
    cadence = after.get("cadence")
    if cadence == "off":
        return f"{who} turned check-ins off for you both. /checkins brings them back."
    parts = []
    if cadence is not None:
        parts.append(CADENCE_WORDS.get(str(cadence), str(cadence)))
    if after.get("weekday") is not None:
        parts.append(f"on {WEEKDAYS[int(after['weekday'])]}s")
    return f"{who} changed your check-ins: they now come {', '.join(parts)}. /checkins changes it."
