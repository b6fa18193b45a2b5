"""Composition root: builds everything from Settings. Nothing imports this module."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from telegram.error import InvalidToken, NetworkError

from bot.admin.handlers import AdminHandlers
from bot.admin.service import StatsService
from bot.checkins import renderers as checkin_renderers
from bot.checkins.handlers import CheckInHandlers
from bot.checkins.service import CheckInService, Support
from bot.config import Settings
from bot.conversation.handlers import ConversationHandlers
from bot.conversation.service import ConversationService
from bot.db.crypto import Cipher, install_cipher
from bot.db.engine import create_engine, is_sqlite
from bot.db.models import Pair
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.delivery.gateway import TelegramGateway
from bot.delivery.inbox import Inbox
from bot.delivery.render import Renderers
from bot.delivery.send_budget import DatabaseSendBudget
from bot.delivery.sender import OutboxSender
from bot.kernel.clock import Clock, SystemClock
from bot.notices import renderers as notice_renderers
from bot.pairing import renderers as pairing_renderers
from bot.pairing.handlers import PairingHandlers
from bot.pairing.service import PairDefaults, PairingService
from bot.privacy import renderers as privacy_renderers
from bot.privacy.handlers import PrivacyHandlers
from bot.privacy.service import PrivacyService
from bot.prompts.library import PromptCatalog, PromptSync
from bot.rounds import renderers as round_renderers
from bot.rounds.handlers import RoundHandlers
from bot.rounds.reactions import ReactionService
from bot.rounds.service import RoundService, RoundSettings, TickReport
from bot.runtime.application import (
    UpdateCounter,
    build_application,
    publish_commands,
    register_handlers,
)
from bot.runtime.poison import SetAside
from bot.runtime.webhook import UpdateFeeder, register_webhook
from bot.schedule import renderers as schedule_renderers
from bot.schedule.handlers import ScheduleHandlers
from bot.schedule.service import PairSettingsService
from bot.schedule.zone_directory import load_zone_directory
from bot.schedule.zone_handlers import ZoneHandlers
from bot.topics.handlers import TopicHandlers
from bot.topics.service import TopicService
from bot.web.metrics import MetricsSources, Operations
from bot.web.server import HttpServer, WebhookEndpoint, build_app

log = logging.getLogger(__name__)


def all_renderers() -> Renderers:
    """Every feature's outbox messages, and how each reads in Telegram."""
    renderers = Renderers()
    for feature in (
        checkin_renderers,
        notice_renderers,
        pairing_renderers,
        privacy_renderers,
        round_renderers,
        schedule_renderers,
    ):
        feature.register(renderers)
    return renderers


STOP_GRACE_SECONDS = 2.0  # per stage; the whole shutdown stays well within 10 s
_ALLOWED_UPDATES = [
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
    "channel_post",
    "message_reaction",  # Telegram leaves it out unless asked for by name
]


class StartupError(Exception):
    """Start-up could not finish; the message is one line for the operator."""


class _CannotListen(Exception):
    """The HTTP server could not bind WEBHOOK_LISTEN:HTTP_PORT."""


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
        self.cipher = Cipher(*settings.cipher_keys)
        install_cipher(self.engine, self.cipher)
        self.uow = UnitOfWorkFactory(self.engine)
        self.catalog = PromptCatalog(settings.prompts_dir, PromptSync(self.uow, self.clock))
        self.rounds = RoundService(
            self.uow,
            self.clock,
            self.catalog,
            RoundSettings(
                round_open_days=settings.round_open_days,
                reminder_after=timedelta(hours=settings.reminder_after_hours),
                tick_workers=1 if is_sqlite(settings.database_url) else 2,
            ),
        )
        self.checkins = CheckInService(
            self.uow,
            self.clock,
            self.catalog,
            Support(settings.support_url, settings.support_text),
        )
        self.conversation = ConversationService(self.uow, self.clock, self.rounds, self.checkins)
        self.pairing = PairingService(
            self.uow,
            self.clock,
            settings.invite_ttl_hours,
            PairDefaults(settings.default_timezone, settings.default_prompt_time),
            first_round=self._on_paired,
        )
        self.pair_settings = PairSettingsService(self.uow, self.clock, load_zone_directory())
        self.topics = TopicService(self.uow, self.catalog, self.clock)
        self.privacy = PrivacyService(self.uow, self.clock)
        self.reactions = ReactionService(self.uow, self.clock)
        self.updates = UpdateCounter()
        self.set_aside = SetAside()
        self.application = build_application(
            settings.telegram_bot_token.get_secret_value(),
            settings.bot_base_url,
            settings.bot_base_file_url,
            self.updates,
            self.set_aside,
        )
        self.webhook_mode = bool(settings.webhook_url)
        # Several replicas only exist in webhook mode on PostgreSQL: there they share one
        # send budget in the database. SQLite (one process) keeps it in memory.
        shared_budget = self.webhook_mode and not is_sqlite(settings.database_url)
        self.sender = OutboxSender(
            self.uow,
            TelegramGateway(self.application.bot, all_renderers()),
            self.clock,
            budget=DatabaseSendBudget(self.uow) if shared_budget else None,
        )
        feeder = UpdateFeeder(self.application, self.set_aside)
        self.inbox = Inbox(self.uow, self.clock, feeder.process, feeder.chat_key)
        self._ready = False
        self._accepting_updates = False
        self.operations = Operations(
            self.uow,
            self.clock,
            MetricsSources(
                updates_handled=lambda: self.updates.handled,
                sender=self.sender.stats,
                webhook_duplicates=lambda: self.inbox.duplicates,
                updates_unparseable=lambda: self.set_aside.count,
            ),
            initialised=lambda: self._ready,
        )
        self.http: HttpServer | None = None
        self.uow.on_outbox_commit(self.sender.wake)
        self.sender.on_recipient_blocked(self.pair_settings.blocked)
        register_handlers(
            self.application,
            PairingHandlers(self.pairing, self.pair_settings, settings.invite_ttl_hours),
            RoundHandlers(self.rounds, self.reactions),
            ScheduleHandlers(self.pair_settings, self.pairing, self.rounds),
            TopicHandlers(self.topics, self.pairing),
            CheckInHandlers(self.checkins),
            PrivacyHandlers(self.privacy, self.cipher.enabled),
            AdminHandlers(StatsService(self.uow, self.clock), settings.admin_user_ids),
            ConversationHandlers(self.conversation),
            ZoneHandlers(self.pair_settings),
        )

    async def start(self, *, serve_http: bool = False) -> None:
        """Load the decks, connect to Telegram, and start taking updates (long polling, or
        the webhook when WEBHOOK_URL is set), sending and ticking. The HTTP server (health,
        metrics, webhook) runs in webhook mode and whenever `serve_http` is set."""
        await self.catalog.start()
        await self.application.initialize()
        await publish_commands(self.application)
        await self.application.start()
        if serve_http or self.webhook_mode:
            await self._start_http()
        if self.webhook_mode:
            self.inbox.start()
            self._accepting_updates = True
            await register_webhook(
                self.application,
                self.settings.webhook_url,
                self.settings.webhook_secret.get_secret_value(),
                _ALLOWED_UPDATES,
            )
        else:
            assert self.application.updater is not None
            await self.application.updater.start_polling(
                poll_interval=0, timeout=30, allowed_updates=_ALLOWED_UPDATES
            )
        self.sender.start()
        if self._scheduler:
            self._start_ticking()
        self._ready = True
        log.info(
            "Hearth is running as @%s (%s)",
            self.application.bot.username,
            "webhook" if self.webhook_mode else "long polling",
        )

    async def _start_http(self) -> None:
        webhook = None
        if self.webhook_mode:
            webhook = WebhookEndpoint(
                path=urlsplit(self.settings.webhook_url).path or "/",
                secret=self.settings.webhook_secret.get_secret_value(),
                inbox=self.inbox,
                accepting=lambda: self._accepting_updates,
            )
        server = HttpServer(
            build_app(self.operations, webhook),
            self.settings.webhook_listen,
            self.settings.http_port,
        )
        try:
            await server.start()
        except OSError as error:
            raise _CannotListen(
                f"cannot listen on {self.settings.webhook_listen}:{self.settings.http_port} "
                f"(WEBHOOK_LISTEN, HTTP_PORT): {error.strerror or error}"
            ) from None
        self.http = server
        log.info("HTTP server on port %d (/healthz, /readyz, /metrics)", server.port)

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
        # Messages held for a partner's own time or for quiet hours are due by the clock,
        # not by a commit: each tick looks for them (between ticks the sender polls).
        self.sender.wake()
        return report

    async def _on_paired(self, uow: UnitOfWork, pair: Pair, now: datetime) -> None:
        """In the pairing transaction: today's question at once, and the check-in cadence."""
        await self.rounds.open_first_round(uow, pair, now)
        await self.checkins.schedule_first(uow, pair, now)
        await self.pair_settings.ask_zones(uow, pair, now)

    async def stop(self) -> None:
        """Stop taking updates, let work under way finish briefly, give back the rest.

        /readyz turns 503 and the webhook answers 503 (Telegram retries, perhaps on
        another replica); claimed updates and outbox messages not handled in time go back
        to pending at once instead of waiting for their leases to run out.
        """
        self._ready = False
        self._accepting_updates = False
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        await self.inbox.stop(STOP_GRACE_SECONDS)
        job_queue = self.application.job_queue
        if job_queue is not None and job_queue.scheduler.running:
            await job_queue.stop(wait=True)
        await self.sender.stop(STOP_GRACE_SECONDS)
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        if self.http is not None:
            await self.http.stop()
            self.http = None
        await self.engine.dispose()

    async def _start_or_explain(self, *, serve_http: bool = False) -> None:
        try:
            await self.start(serve_http=serve_http)
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
        except _CannotListen as error:
            await self.stop()
            raise StartupError(str(error)) from None

    async def run_until_stopped(self) -> None:
        """`hearth run`: serve until SIGINT or SIGTERM, then shut down cleanly."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await self._start_or_explain(serve_http=True)
        try:
            await stop.wait()
        finally:
            log.info("stopping")
            await self.stop()
