"""The bot's update queue: what getUpdates serves and the webhook delivers."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from sandbox.waiting import ChangeSignal

# What Telegram sends when a bot never chose its allowed_updates (or chose []).
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    """Updates in order, with ids counting up from 1, kept until the bot confirms them.

    Telegram applies allowed_updates when an update is created, so an update of a kind the
    bot did not ask for is never queued.
    """

    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed: frozenset[str] | None = None
        self._poll_generation = 0
        self.holding_polls = 0
        self.changed = ChangeSignal()

    def __len__(self) -> int:
        return len(self._pending)

    @property
    def created(self) -> int:
        """How many updates were ever queued (the bot should handle each of them)."""
        return self._next_update_id - 1

    @property
    def pending(self) -> list[dict[str, Any]]:
        return list(self._pending)

    @property
    def allowed_updates(self) -> list[str] | None:
        return None if self._allowed is None else sorted(self._allowed)

    def set_allowed(self, kinds: Iterable[str] | None) -> None:
        """None keeps the previous choice; an empty list means Telegram's default."""
        if kinds is None:
            return
        chosen = frozenset(kinds)
        self._allowed = chosen or None

    def accepts(self, kind: str) -> bool:
        if self._allowed is None:
            return kind not in DEFAULT_EXCLUDED
        return kind in self._allowed

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue `{"update_id": n, kind: payload}`; None when the bot does not want it."""
        if not self.accepts(kind):
            return None
        # A copy: the update shows the world as it was, even if the message changes later.
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        self._pending.append(update)
        self.changed.fire()
        return update

    def push_raw(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Queue `fields` as they are, under the next update_id: any shape at all (an older
        Bot API server's, a malformed one), to see how the bot copes."""
        update = {**copy.deepcopy(fields), "update_id": self._next_update_id}
        self._next_update_id += 1
        self._pending.append(update)
        self.changed.fire()
        return update

    def confirm(self, offset: int) -> None:
        """getUpdates' offset: forget updates before it; a negative one keeps the last -offset."""
        if offset < 0:
            del self._pending[:offset]
        else:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        self.changed.fire()

    def first(self, limit: int) -> list[dict[str, Any]]:
        return self._pending[:limit]

    def remove(self, update_id: int) -> None:
        self._pending = [u for u in self._pending if u["update_id"] != update_id]
        self.changed.fire()

    def clear(self) -> None:
        self._pending.clear()
        self.changed.fire()

    # -- long polls ------------------------------------------------------------------

    def begin_poll(self) -> int:
        """A new getUpdates: Telegram ends any older one still waiting (409 Conflict)."""
        self._poll_generation += 1
        self.holding_polls += 1
        self.changed.fire()
        return self._poll_generation

    def end_poll(self) -> None:
        self.holding_polls -= 1
        self.changed.fire()

    def superseded(self, poll: int) -> bool:
        return poll != self._poll_generation
