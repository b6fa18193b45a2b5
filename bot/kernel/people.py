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


NAME_LIMIT = 256  # the width of the stored name columns


def stored_names(info: PersonInfo) -> tuple[str, str | None]:
    """First and last name as they are stored: cut to the columns, an empty last name none."""
    return info.first_name[:NAME_LIMIT], (info.last_name or None) and info.last_name[:NAME_LIMIT]


def stored_display_name(info: PersonInfo) -> str:
    """The display name as it will read back from the stored person."""
    return display_name(*stored_names(info))
