"""Updates python-telegram-bot cannot read are set aside, never retried for ever.

PTB parses a whole `getUpdates` batch at once: one update it cannot read (say a poll in
the shape of an older Bot API server, whose options lack `persistent_id`) fails the
batch, the Updater asks again from the same offset, and nobody is served again. Here the
batch is read one update at a time. An update that cannot be read costs one log line
(its id, type and the error's class: never its content, which holds people's words) and
one count, and is handed on as a bare `{"update_id": n}`: no handler matches it, and the
Updater moves its offset past it. Webhook mode reads its stored updates the same way.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import ExtBot

from bot.delivery.inbox import Unreadable
from bot.kernel.text_input import safe_json
from bot.kernel.updates import update_id_of, update_kind

log = logging.getLogger(__name__)


class UnparseableUpdate(Unreadable):
    """An update PTB cannot read; the message holds its id, type and reason only."""


class SetAside:
    """Counts (for /metrics) and logs the updates that could not be read."""

    def __init__(self) -> None:
        self.count = 0

    def record(self, payload: dict[str, Any], error: Exception) -> str:
        """Log one line and count one; returns the reason (short, with no content)."""
        self.count += 1
        reason = f"unparseable: {type(error).__name__}"
        log.warning(
            "update %s (%s) set aside: %s", update_id_of(payload), update_kind(payload), reason
        )
        return reason


def read_update(payload: dict[str, Any], bot: ExtBot[Any], set_aside: SetAside) -> Update:
    """The update PTB reads from `payload`; raises UnparseableUpdate (logged, counted)."""
    try:
        update = Update.de_json(safe_json(payload), bot)
    except Exception as error:
        raise UnparseableUpdate(set_aside.record(payload, error)) from None
    return update


def readable_batch(raw: list[Any], bot: ExtBot[Any], set_aside: SetAside) -> list[dict[str, Any]]:
    """`raw` with every string made safe and every unreadable update made bare."""
    batch = []
    for item in raw:
        payload = safe_json(item)
        if not isinstance(payload, dict) or update_id_of(payload) is None:
            continue  # nothing to confirm it by; later updates move the offset past it
        try:
            Update.de_json(payload, bot)
        except Exception as error:
            set_aside.record(payload, error)
            payload = {"update_id": payload["update_id"]}
        batch.append(payload)
    return batch


class HearthBot(ExtBot[Any]):
    """PTB's bot, except that `getUpdates` answers are read one update at a time."""

    def __init__(self, *args: Any, set_aside: SetAside, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_aside = set_aside

    async def _post(self, endpoint: str, data: Any = None, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            return readable_batch(result, self, self._set_aside)
        return result
