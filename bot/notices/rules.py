"""Telling the partner about a shared setting: which changes are worth a notice.

A shared setting (reminders, topics, the check-in cadence) is a flat mapping of keys to
values. A notice waits a few minutes before it goes (`NOTICE_DELAY`), and changes made in
that time fold into it, so five taps on /topics in a minute become one notice describing
where they ended. A key that ends where it started drops out; a notice with nothing left
is not sent at all. So a change is told once, a repeated identical change (nothing moved)
is not told, and a later real change is told again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

NOTICE_DELAY = timedelta(minutes=3)

State = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """What the reader last knew (`before`) and what the setting is now (`after`), for
    the keys that differ."""

    before: State
    after: State


def fold(pending: Change | None, before: State, after: State) -> Change | None:
    """A change by the partner, folded into the notice still waiting (if any).

    The waiting notice's `before` wins: it is what the reader knew before any of it.
    None when nothing is left to tell."""
    old_before = pending.before if pending else {}
    old_after = pending.after if pending else {}
    return _differing({**before, **old_before}, {**old_after, **after})


def seen(pending: Change | None, state: State) -> Change | None:
    """The reader changed these keys themselves: they know their values now, so a waiting
    notice about them says nothing new. None when nothing is left to tell."""
    if pending is None:
        return None
    return _differing({**pending.before, **state}, {**pending.after, **state})


def _differing(before: State, after: State) -> Change | None:
    keys = [key for key in after if before.get(key) != after[key]]
    if not keys:
        return None
    return Change({key: before.get(key) for key in keys}, {key: after[key] for key in keys})
