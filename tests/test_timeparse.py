"""Forgiving time-of-day parsing for /time."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.schedule.timeparse import parse_time_of_day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:30", time(21, 30)),
        ("21.30", time(21, 30)),
        ("2130", time(21, 30)),
        ("0730", time(7, 30)),
        ("930", time(9, 30)),
        ("21 30", time(21, 30)),
        ("9pm", time(21, 0)),
        ("9 pm", time(21, 0)),
        ("9PM", time(21, 0)),
        ("9 p.m.", time(21, 0)),
        ("9:15 am", time(9, 15)),
        ("9:15am", time(9, 15)),
        ("9:15a.m.", time(9, 15)),
        ("9.15 PM", time(21, 15)),
        ("12am", time(0, 0)),
        ("12:30 am", time(0, 30)),
        ("12pm", time(12, 0)),
        ("12:45pm", time(12, 45)),
        ("noon", time(12, 0)),
        ("Noon", time(12, 0)),
        ("midday", time(12, 0)),
        ("midnight", time(0, 0)),
        ("9", time(9, 0)),
        ("09", time(9, 0)),
        ("21", time(21, 0)),
        ("0", time(0, 0)),
        (" 07:05 ", time(7, 5)),
        ("7h30", time(7, 30)),
        ("21h", time(21, 0)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("２１：３０", time(21, 30)),  # full-width, as some phone keyboards type
    ],
)
def test_accepted(text: str, expected: time) -> None:
    parsed = parse_time_of_day(text)
    assert parsed == expected
    assert parsed is not None
    assert parsed.second == 0
    assert parsed.microsecond == 0
    assert parsed.tzinfo is None


@pytest.mark.parametrize(
    "text",
    [
        "25:00",
        "24:00",
        "9:75",
        "9:60",
        "13pm",
        "0am",
        "00:30 pm",
        "",
        "   ",
        "soon",
        "-1",
        "-1:00",
        "9:5",
        "12345",
        "9pmm",
        "21:30:00",
        "tomorrow at 9",
        "9 o'clock please",
        "1 2",
        "٩:٣٠",  # Arabic-Indic digits are not taken for ASCII ones
        "9" * 5000,
    ],
)
def test_rejected(text: str) -> None:
    assert parse_time_of_day(text) is None


@given(hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_property_24h_forms_round_trip(hour: int, minute: int) -> None:
    expected = time(hour, minute)
    for text in (f"{hour:02d}:{minute:02d}", f"{hour}.{minute:02d}", f"{hour:02d}{minute:02d}"):
        assert parse_time_of_day(text) == expected, text


@given(hour=st.integers(1, 12), minute=st.integers(0, 59), pm=st.booleans())
def test_property_12h_forms_round_trip(hour: int, minute: int, pm: bool) -> None:
    expected = time(hour % 12 + (12 if pm else 0), minute)
    suffix = "pm" if pm else "am"
    for text in (f"{hour}:{minute:02d}{suffix}", f"{hour}:{minute:02d} {suffix.upper()}"):
        assert parse_time_of_day(text) == expected, text


@given(text=st.text(max_size=60))
def test_property_never_raises(text: str) -> None:
    parsed = parse_time_of_day(text)
    assert parsed is None or (parsed.second == 0 and parsed.tzinfo is None)
