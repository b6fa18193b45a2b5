"""Composition root: builds everything from Settings. Nothing imports this module."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import datetime, timedelta

from telegram.error import InvalidToken, NetworkError

from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.models import Pair
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.clock import Clock, SystemClock
from bot.services.checkins import CheckInService, Support
from bot.services.outbox import OutboxSender
from bot.services.pair_settings import PairSettingsService
from bot.services.pairing import PairDefaults, PairingService
from bot.services.prompt_library import PromptCatalog, PromptSync
from bot.services.rounds import RoundService, RoundSettings, TickReport
from bot.services.topics import TopicService
from bot.services.zone_directory import load_zone_directory
from bot.telegram.checkin_handlers import CheckInHandlers
from bot.telegram.gateway import TelegramGateway
from bot.telegram.handlers import PairingHandlers
from bot.telegram.round_handlers import RoundHandlers
from bot.telegram.runtime import (
    UpdateCounter,
    build_application,
    publish_commands,
    register_handlers,
)

log = logging.getLogger(__name__)

_ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "channel_post"]


class StartupError(Exception):
    """Start-up could not finish; the message is one line for the operator."""


class Hearth:
    """The running bot: database, services, outbox sender and the Telegram application.

    `scheduler=False` leaves the tick to the caller (tests and the demo move an injected
    clock and call `tick()` themselves instead of waiting for a timer).
    """

    def __init__(
        self, settings: Settings, clock: Clock | None = None, *, scheduler: bool = True
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self._scheduler = scheduler
        self.engine = create_engine(settings.database_url)
        self.uow = UnitOfWorkFactory(self.engine)
        self.catalog = PromptCatalog(settings.prompts_dir, PromptSync(self.uow, self.clock))
        self.rounds = RoundService(
            self.uow,
            self.clock,
            self.catalog,
            RoundSettings(
                round_open_days=settings.round_open_days,
                reminder_after=timedelta(hours=settings.reminder_after_hours),
            ),
        )
        self.checkins = CheckInService(
            self.uow,
            self.clock,
            self.catalog,
            Support(settings.support_url, settings.support_text),
        )
        self.pairing = PairingService(
            self.uow,
            self.clock,
            settings.invite_ttl_hours,
            PairDefaults(settings.default_timezone, settings.default_prompt_time),
            first_round=self._on_paired,
        )
        self.pair_settings = PairSettingsService(self.uow, self.clock, load_zone_directory())
        self.topics = TopicService(self.uow, self.catalog)
        self.updates = UpdateCounter()
        self.application = build_application(
            settings.telegram_bot_token.get_secret_value(),
            settings.bot_base_url,
            settings.bot_base_file_url,
            self.updates,
        )
        self.sender = OutboxSender(self.uow, TelegramGateway(self.application.bot), self.clock)
        self.uow.on_outbox_commit(self.sender.wake)
        self.sender.on_recipient_blocked(self.pair_settings.blocked)
        register_handlers(
            self.application,
            PairingHandlers(self.pairing, self.pair_settings, settings.invite_ttl_hours),
            RoundHandlers(self.rounds, self.pair_settings, self.topics, self.pairing),
            CheckInHandlers(self.checkins),
        )
        self._sender_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Load the decks, connect to Telegram, and start polling, sending and ticking."""
        await self.catalog.start()
        await self.application.initialize()
        await publish_commands(self.application)
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            poll_interval=0, timeout=30, allowed_updates=_ALLOWED_UPDATES
        )
        self._sender_task = asyncio.create_task(self.sender.run_forever(), name="outbox")
        self.sender.wake()
        if self._scheduler:
            self._start_ticking()
        log.info("Hearth is running as @%s", self.application.bot.username)

    def _start_ticking(self) -> None:
        job_queue = self.application.job_queue
        assert job_queue is not None
        job_queue.run_repeating(
            self._tick_job,
            interval=self.settings.tick_seconds,
            first=0,
            name="tick",
            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )

    async def _tick_job(self, _context: object) -> None:
        try:
            await self.tick()
        except Exception:
            log.exception("scheduler tick failed; the next tick will retry")

    async def tick(self) -> TickReport:
        """Pick up prompt edits; create due rounds and check-ins; remind; close old ones."""
        await self.catalog.reload_if_changed()
        report = await self.rounds.tick()
        await self.checkins.tick()
        return report

    async def _on_paired(self, uow: UnitOfWork, pair: Pair, now: datetime) -> None:
        """In the pairing transaction: today's question at once, and the check-in cadence."""
        await self.rounds.open_first_round(uow, pair, now)
        await self.checkins.schedule_first(uow, pair, now)

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

    async def _start_or_explain(self) -> None:
        try:
            await self.start()
        except InvalidToken:
            await self.engine.dispose()
            raise StartupError(
                "Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather"
            ) from None
        except NetworkError as error:
            await self.engine.dispose()
            raise StartupError(
                f"could not reach the Bot API at {self.settings.telegram_api_url}: {error.message}"
            ) from None

    async def run_until_stopped(self) -> None:
        """`hearth run`: serve until SIGINT or SIGTERM, then shut down cleanly."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await self._start_or_explain()
        try:
            await stop.wait()
        finally:
            log.info("stopping")
            await self.stop()
