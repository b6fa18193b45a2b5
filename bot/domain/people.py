"""Plain facts about a person, as the services see them (no Telegram types)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonInfo:
    """Who sent an update: their Telegram user id (also their private chat id) and names."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name)


def display_name(first_name: str, last_name: str | None = None) -> str:
    """The name shown to a partner: the first name, which is how partners address each other."""
    name = first_name.strip() or (last_name or "").strip()
    return name or "your partner"
