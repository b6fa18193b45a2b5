"""Telegram's own reactions: which emojis in a message_reaction update are news."""

from __future__ import annotations

from collections.abc import Sequence


def added_emojis(old: Sequence[str], new: Sequence[str]) -> list[str]:
    """The emojis in `new` that were not in `old`, in order: a reaction taken back (or
    one kept while another is taken back) adds nothing."""
    before = set(old)
    return [emoji for emoji in new if emoji not in before]
