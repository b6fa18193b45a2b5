"""Composition root: builds everything from Settings. Nothing imports this module."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.uow import UnitOfWorkFactory
from bot.domain.clock import Clock, SystemClock
from bot.services.outbox import OutboxSender
from bot.services.pairing import PairingService
from bot.telegram.gateway import TelegramGateway
from bot.telegram.handlers import PairingHandlers
from bot.telegram.runtime import (
    UpdateCounter,
    build_application,
    publish_commands,
    register_handlers,
)

log = logging.getLogger(__name__)


class Hearth:
    """The running bot: database, services, outbox sender and the Telegram application."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.engine = create_engine(settings.database_url)
        self.uow = UnitOfWorkFactory(self.engine)
        self.pairing = PairingService(self.uow, self.clock, settings.invite_ttl_hours)
        self.application = build_application(
            settings.telegram_bot_token.get_secret_value(),
            settings.bot_base_url,
            settings.bot_base_file_url,
        )
        self.sender = OutboxSender(self.uow, TelegramGateway(self.application.bot), self.clock)
        self.uow.on_outbox_commit(self.sender.wake)
        self.sender.on_recipient_blocked(self._recipient_blocked)
        self.updates = UpdateCounter()
        register_handlers(
            self.application,
            PairingHandlers(self.pairing, settings.invite_ttl_hours),
            self.updates,
        )
        self._sender_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect to Telegram, publish the command menu and start polling and sending."""
        await self.application.initialize()
        await publish_commands(self.application)
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            poll_interval=0, timeout=30, allowed_updates=_ALLOWED_UPDATES
        )
        self._sender_task = asyncio.create_task(self.sender.run_forever(), name="outbox")
        self.sender.wake()
        log.info("Hearth is running as @%s", self.application.bot.username)

    async def stop(self) -> None:
        if self._sender_task is not None:
            self._sender_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender_task
            self._sender_task = None
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        await self.engine.dispose()

    async def run_until_stopped(self) -> None:
        """`hearth run`: serve until SIGINT or SIGTERM, then shut down cleanly."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await self.start()
        try:
            await stop.wait()
        finally:
            log.info("stopping")
            await self.stop()

    async def _recipient_blocked(self, person_id: int) -> None:
        await self.pairing.mark_blocked_by_id(person_id)


_ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "channel_post"]
