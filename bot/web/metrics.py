"""What /readyz and /metrics report: process counters plus a look at the database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.db.uow import UnitOfWorkFactory
from bot.delivery.operations import OperationsRepository
from bot.delivery.sender import SenderStats
from bot.kernel.clock import Clock
from bot.kernel.metrics import Exposition

log = logging.getLogger(__name__)

FAILURE_REASONS = ("blocked", "failed", "deferred")


@dataclass
class MetricsSources:
    updates_handled: Callable[[], int]
    sender: SenderStats
    webhook_duplicates: Callable[[], int] = lambda: 0
    updates_unparseable: Callable[[], int] = lambda: 0


class Operations:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        sources: MetricsSources,
        initialised: Callable[[], bool],
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._sources = sources
        self._initialised = initialised

    async def ready(self) -> tuple[bool, str]:
        """(True, "ok") when the bot is initialised and the database answers."""
        if not self._initialised():
            return False, "starting or stopping"
        try:
            async with self._uow(read_only=True) as uow:
                await OperationsRepository(uow.session).ping()
        except Exception as error:
            log.warning("readiness: database unreachable: %s", type(error).__name__)
            return False, "database unreachable"
        return True, "ok"

    async def metrics(self) -> str:
        now = self._clock.now()
        async with self._uow(read_only=True) as uow:
            snapshot = await OperationsRepository(uow.session).snapshot(now)
        stats = self._sources.sender
        page = Exposition()
        page.counter(
            "hearth_updates_handled_total",
            "Telegram updates whose handlers have finished.",
            {(): self._sources.updates_handled()},
        )
        page.counter(
            "hearth_webhook_duplicates_total",
            "Webhook deliveries of an update already stored (handled once).",
            {(): self._sources.webhook_duplicates()},
        )
        page.counter(
            "hearth_updates_unparseable_total",
            "Telegram updates that could not be read, set aside (not retried).",
            {(): self._sources.updates_unparseable()},
        )
        page.counter(
            "hearth_messages_sent_total", "Outbox messages Telegram accepted.", {(): stats.sent}
        )
        reasons = sorted(set(FAILURE_REASONS) | set(stats.failed))
        page.counter(
            "hearth_messages_failed_total",
            "Outbox messages not delivered, by reason (deferred ones are retried).",
            {(("reason", reason),): stats.failed.get(reason, 0) for reason in reasons},
        )
        page.gauge(
            "hearth_outbox_depth", "Outbox messages pending or being sent.", snapshot.outbox_depth
        )
        oldest = snapshot.outbox_oldest_created_at
        page.gauge(
            "hearth_outbox_oldest_age_seconds",
            "Age of the oldest outbox message not yet sent (0 when empty).",
            max(0.0, (now - oldest).total_seconds()) if oldest else 0,
        )
        page.gauge(
            "hearth_due_pairs", "Active pairs whose daily question is due.", snapshot.due_pairs
        )
        due = snapshot.oldest_due_at
        page.gauge(
            "hearth_scheduler_lag_seconds",
            "How long the most overdue daily question has waited (0 when none is due).",
            max(0.0, (now - due).total_seconds()) if due else 0,
        )
        page.gauge(
            "hearth_inbox_depth",
            "Webhook updates stored and not yet handled.",
            snapshot.inbox_depth,
        )
        page.histogram(
            "hearth_reveal_latency_seconds",
            "From the second answer to the reveal message accepted by Telegram.",
            stats.reveal_latency,
        )
        return page.render()
