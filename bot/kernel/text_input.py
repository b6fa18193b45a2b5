"""What a person types, made safe once at the edge where it comes in.

Telegram's JSON may carry any code point, including lone surrogates (`\\ud800`) that
cannot be encoded to UTF-8 for storage or sending, and NUL, which PostgreSQL text refuses.
Numbers in commands and buttons are ASCII digits only: `str.isdigit()` also accepts `²`
and `①`, which `int()` then refuses.
"""

from __future__ import annotations

import re
from typing import Any

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"
# Deeper JSON than this is not walked (nor is it anything Telegram sends).
MAX_DEPTH = 64


def safe_text(text: str) -> str:
    """`text` with lone surrogates replaced by U+FFFD and NUL removed."""
    if text.isascii():
        return text.replace("\x00", "")
    return _LONE_SURROGATE.sub(REPLACEMENT, text).replace("\x00", "")


def safe_json(value: Any, depth: int = 0) -> Any:
    """Every string (keys too) of decoded JSON made safe with `safe_text`."""
    if isinstance(value, str):
        return safe_text(value)
    if depth >= MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {safe_text(str(k)): safe_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [safe_json(item, depth + 1) for item in value]
    return value


def ascii_number(text: str, max_digits: int = 12) -> int | None:
    """The number `text` spells in ASCII digits 0-9 (at most `max_digits`), else None."""
    if not 0 < len(text) <= max_digits or not text.isascii() or not text.isdigit():
        return None
    return int(text)
