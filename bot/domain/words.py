"""Small wording rules shared by every text (plain functions until translations come)."""

from __future__ import annotations


def plural(count: int, one: str, many: str) -> str:
    """`count` with the right form of its noun: "1 new pair", "3 new pairs"."""
    return f"{count} {one if count == 1 else many}"
