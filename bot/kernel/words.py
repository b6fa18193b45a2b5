"""Small wording rules shared by every text (plain functions until translations come)."""

from __future__ import annotations

from datetime import date


def plural(count: int, one: str, many: str) -> str:
    """`count` with the right form of its noun: "1 new pair", "3 new pairs"."""
    return f"{count} {one if count == 1 else many}"


def short_date(day: date) -> str:
    """A day as people read it: "Wed 11 Mar" (English names, whatever the system locale)."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
