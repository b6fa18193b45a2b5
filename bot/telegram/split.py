"""Split long messages at Telegram's 4096-character limit, never cutting a word or a tag.

Hearth's HTML uses only simple inline tags that never span a blank line, so splitting
at paragraph, then line, then word boundaries keeps every part well-formed.
"""

from __future__ import annotations

import re

TELEGRAM_LIMIT = 4096
_ENTITY = re.compile(r"&[#a-zA-Z0-9]+;$")


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts of at most `limit` characters whose concatenation keeps every word."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _best_cut(rest, limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not parts:
        parts.append(rest)
    return parts


def _best_cut(text: str, limit: int) -> int:
    window = text[:limit]
    for separator in ("\n\n", "\n", " "):
        position = window.rfind(separator)
        if position > limit // 3:
            return position + len(separator)
    return _cut_outside_entity(window, limit)


def _cut_outside_entity(window: str, limit: int) -> int:
    """A word longer than the limit: cut it, but never inside `&amp;` and friends."""
    ampersand = window.rfind("&", max(0, limit - 10))
    if ampersand != -1 and ";" not in window[ampersand:]:
        return ampersand
    return limit
