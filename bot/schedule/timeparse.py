"""Forgiving parsing of a time of day, as people type it into a chat.

Accepted (case and surrounding spaces do not matter):

- 24-hour clock: ``21:30``, ``21.30``, ``21 30``, ``7h30``, ``21h``, ``2130``, ``930``,
  ``21``, ``9``
- 12-hour clock: ``9pm``, ``9 pm``, ``9:15 am``, ``9.15 PM``, ``9:15a.m.``, ``12am`` (00:00),
  ``12pm`` (12:00)
- words: ``noon``, ``midday``, ``midnight``
- full-width digits and colons (``２１：３０``), as some phone keyboards type them

Rejected: hours past 23 (``24:00``, ``25:00``), minutes past 59 (``9:75``), a 12-hour hour
outside 1-12 (``13pm``, ``0am``), one-digit minutes (``9:5``), signs, and anything else.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import time

_MAX_CHARS = 32
_NAMED = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}
_MERIDIEM = r"(?:\s*(?P<half>[ap])\.?\s?(?:m\.?)?)?"
_CLOCK = re.compile(
    r"(?P<hour>[0-9]{1,2})"
    r"(?:\s*[:.]\s*(?P<minute>[0-9]{2})|\s*h\s*(?P<h_minute>[0-9]{2})?|\s+(?P<s_minute>[0-9]{2}))?"
    + _MERIDIEM,
)
_COMPACT = re.compile(r"(?P<hour>[0-9]{1,2})(?P<minute>[0-9]{2})" + _MERIDIEM)


def parse_time_of_day(text: str) -> time | None:
    """The time of day ``text`` names, with seconds 0, or None if it names none."""
    cleaned = unicodedata.normalize("NFKC", text[: _MAX_CHARS * 4]).strip().lower()
    cleaned = " ".join(cleaned.split())
    if not cleaned or len(cleaned) > _MAX_CHARS:
        return None
    if cleaned in _NAMED:
        return _NAMED[cleaned]
    match = _CLOCK.fullmatch(cleaned) or _COMPACT.fullmatch(cleaned)
    if match is None:
        return None
    groups = match.groupdict()
    hour = int(groups["hour"])
    minute_text = next(
        (groups[name] for name in ("minute", "h_minute", "s_minute") if groups.get(name)),
        None,
    )
    minute = int(minute_text) if minute_text is not None else 0
    if minute > 59:
        return None
    half = groups["half"]
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23:
        return None
    return time(hour, minute)
