"""Input made safe at the edge (bot.kernel.text_input), property-based over Unicode:
numbers are ASCII digits only, and no text a person can type fails to encode."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.kernel.text_input import ascii_number, safe_json, safe_text

every_char = st.one_of(  # lone surrogates (Cs) and NUL as often as anything else
    st.characters(), st.characters(categories=["Cs"]), st.just("\x00")
)


@given(st.text(every_char))
def test_safe_text_always_encodes_and_keeps_everything_else(text: str) -> None:
    safe = safe_text(text)
    safe.encode("utf-8")  # never raises
    assert "\x00" not in safe
    assert len(safe) == len(text) - text.count("\x00")
    assert safe_text(safe) == safe


@given(st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=4))
def test_only_ascii_digits_are_numbers(digits: str) -> None:
    number = ascii_number(digits)
    if digits.isascii():
        assert number == int(digits)
    else:
        assert number is None


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_ascii_numbers_read_back(value: int) -> None:
    assert ascii_number(str(value)) == value
    assert ascii_number(str(value), max_digits=len(str(value)) - 1) is None


def test_junk_is_not_a_number() -> None:
    for junk in ("", "-1", "+1", " 1", "1.0", "²", "①", "٣", "𝟙", "1_000", "0x1"):
        assert ascii_number(junk) is None, junk


@given(
    st.recursive(
        st.text(every_char),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(every_char), inner),
        max_leaves=10,
    )
)
def test_safe_json_makes_every_string_safe(value: object) -> None:
    json.dumps(safe_json(value), ensure_ascii=False).encode("utf-8")
