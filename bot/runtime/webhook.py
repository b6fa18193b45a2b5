"""Webhook mode's Telegram side: registering the webhook, and handing stored updates to
the same handlers (and the same per-chat ordering) that long polling uses."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.runtime.application import HearthApplication, _chat_key
from bot.runtime.poison import SetAside, UnparseableUpdate, read_update


class UpdateFeeder:
    """Turns a stored update (plain JSON) back into a PTB Update and processes it."""

    def __init__(self, application: HearthApplication, set_aside: SetAside) -> None:
        self._application = application
        self._set_aside = set_aside

    def chat_key(self, payload: dict[str, Any]) -> int:
        """The chat whose updates must run in order (0 for updates without a chat)."""
        try:
            return _chat_key(Update.de_json(payload, self._application.bot))
        except Exception:  # a shape PTB cannot read: handled (and refused) on its own
            return 0

    async def process(self, payload: dict[str, Any]) -> None:
        """Run the handlers to the end (through the per-chat processor, which counts it).

        Raises UnparseableUpdate (logged and counted already) for an update PTB cannot
        read: the inbox marks it failed at once, as reading it again would fail again."""
        application = self._application
        try:
            update = read_update(payload, application.bot, self._set_aside)
        except UnparseableUpdate:
            # Handed on bare, as long polling does (it is counted as handled), then failed.
            await self._run(Update(update_id=int(payload["update_id"])))
            raise
        await self._run(update)

    async def _run(self, update: Update) -> None:
        application = self._application
        await application.update_processor.process_update(
            update, application.process_update(update)
        )


async def register_webhook(
    application: HearthApplication, url: str, secret: str, allowed_updates: list[str]
) -> None:
    """Point Telegram at our URL. Every replica does it at start; it is idempotent, and
    a stopping replica leaves it in place for the others."""
    await application.bot.set_webhook(
        url=url, secret_token=secret, allowed_updates=allowed_updates, max_connections=40
    )
