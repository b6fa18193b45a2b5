"""The outbox sender: delivers queued messages under Telegram's limits.

Delivery is at-least-once: a message is claimed with a lease, sent, then marked sent.
A crash between the send and the mark means it goes again after the lease. Marks are
written together, one transaction for whatever was sent in the last few milliseconds
(`mark_every`), so that window is the sends in flight plus those few milliseconds' worth;
stopping writes them before it gives back the rest.

A claimed batch is sent by a small pool of workers (`concurrency`), each taking one chat
at a time and sending that chat's messages in order. A few requests in flight keep the
connection to Telegram busy; hundreds at once only make the HTTP stack slower.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.db.models import OutboxMessage
from bot.db.uow import UnitOfWorkFactory
from bot.delivery.background import finish
from bot.delivery.operations import OperationsRepository
from bot.delivery.ratelimit import SendRateLimiter
from bot.kernel.clock import Clock
from bot.kernel.metrics import Histogram

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outbound:
    """One queued message, as the gateway renders and sends it."""

    recipient_id: int
    kind: str
    params: dict[str, Any]


class RetryLater(Exception):
    """Telegram asked us to wait exactly this long (429 retry_after)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class RecipientBlocked(Exception):
    """The person blocked the bot (403): stop writing to them."""


class TransientFailure(Exception):
    """A network error or a 5xx: worth trying again after a pause."""


class PermanentFailure(Exception):
    """Telegram refused the message itself (400): sending again would not help."""


class MessageGateway(Protocol):
    async def send(self, message: Outbound) -> int | None:
        """Send and return Telegram's message id (of the last part, if split)."""
        ...

    async def close(self) -> None:
        """Let go of connections (sending again opens new ones)."""
        ...


BlockedListener = Callable[[int], Awaitable[None]]


class SharedBudget(Protocol):
    """Telegram's limits shared with other replicas (see bot/delivery/send_budget.py)."""

    async def acquire(self, chat_id: int) -> None:
        """Wait until a message to this chat may go, and take its slot."""
        ...

    async def hold(self, seconds: float) -> None:
        """Telegram said retry_after: nobody, on any replica, sends before then."""
        ...


REVEAL_KINDS = frozenset({"reveal"})


@dataclass
class SenderStats:
    sent: int = 0
    failed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Seconds from the reveal (the second answer; its outbox row is written in that
    # transaction) to the reveal message accepted by Telegram.
    reveal_latency: Histogram = field(default_factory=Histogram)


class OutboxSender:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: MessageGateway,
        clock: Clock,
        limiter: SendRateLimiter | None = None,
        *,
        budget: SharedBudget | None = None,
        batch_size: int = 200,
        concurrency: int = 16,
        mark_every: float = 0.02,
        lease: timedelta = timedelta(minutes=2),
        max_in_process_retries: int = 4,
        backoff_seconds: float = 0.5,
        poll_seconds: float = 1.0,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._limiter = limiter or SendRateLimiter()
        self._budget = budget
        self._claimed: set[int] = set()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._batch_size = batch_size
        self._concurrency = max(1, concurrency)
        self._mark_every = mark_every
        # Sent and not yet marked in the database: (row id, Telegram's id, when). The rows
        # stay in `_claimed` until their mark is written.
        self._unmarked: list[tuple[int, int | None, datetime]] = []
        self._mark_lock = asyncio.Lock()
        self._lease = lease
        self._max_retries = max_in_process_retries
        self._backoff = backoff_seconds
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._blocked_listeners: list[BlockedListener] = []
        self._idle = asyncio.Event()
        self._idle.set()
        self.stats = SenderStats()

    def on_recipient_blocked(self, listener: BlockedListener) -> None:
        self._blocked_listeners.append(listener)

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    async def run_forever(self) -> None:
        """Drain whenever woken, and every poll interval for deferred retries."""
        while not self._stopping:
            self._wake.clear()
            try:
                await self.drain()
            except Exception:
                log.exception("outbox drain failed; will retry")
            if not self._wake.is_set():
                self._idle.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_seconds)

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self.run_forever(), name="outbox")
        self.wake()

    async def stop(self, grace: float = 3.0) -> int:
        """Stop claiming; let sends under way finish for up to `grace` seconds; then give
        back whatever this process claimed and did not send. Returns how many went back."""
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            self._wake.set()
            await finish(task, grace, "outbox sender")
        try:
            return await self.release_claims()
        finally:
            await self._gateway.close()

    async def release_claims(self) -> int:
        """Give back what this process claimed and did not send (marking the sent first)."""
        await self._write_marks()
        claimed, self._claimed = set(self._claimed), set()
        if not claimed:
            return 0
        async with self._uow() as uow:
            released = await OperationsRepository(uow.session).release_outbox(claimed)
            await uow.commit()
        if released:
            log.info("gave back %d claimed outbox messages", released)
        return released

    async def wait_idle(self) -> None:
        """Until everything woken so far has been handled (tests and the demo use it)."""
        await self._idle.wait()

    async def drain(self) -> int:
        """Send everything due now; returns how many were sent (and marked)."""
        sent = 0
        done = asyncio.Event()
        marker = asyncio.create_task(self._mark_while_sending(done), name="outbox-marks")
        try:
            while not self._stopping:
                batch = await self._claim()
                if not batch:
                    break
                sent += await self._send_batch(batch)
        finally:
            done.set()
            # Not cancelled: a transaction cut off halfway would leave its rows unmarked.
            await asyncio.shield(marker)
            await self._write_marks()
        return sent

    async def _mark_while_sending(self, done: asyncio.Event) -> None:
        """Every `mark_every` seconds, one transaction marks everything sent since."""
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout=self._mark_every)
            try:
                await self._write_marks()
            except Exception:
                log.exception("could not mark sent outbox messages; will try again")

    async def _claim(self) -> list[OutboxMessage]:
        # Sent rows are still "sending" until marked; once their lease is over (a clock
        # moved on, in tests) a claim would take them again, so marks go first.
        await self._write_marks()
        now = self._clock.now()
        async with self._uow() as uow:
            rows = await uow.outbox.claim_due(now, now + self._lease, self._batch_size)
            await uow.commit()
        self._claimed.update(row.id for row in rows if row.id is not None)
        return rows

    async def _send_batch(self, batch: list[OutboxMessage]) -> int:
        # Rows come best first; a chat's place is that of its first row.
        by_chat: dict[int, list[OutboxMessage]] = {}
        for row in batch:
            by_chat.setdefault(row.recipient_id, []).append(row)
        chats = deque(by_chat.values())

        async def worker() -> int:
            # Chats in parallel, each chat's messages in order (a split reveal stays so).
            sent = 0
            while chats and not self._stopping:
                sent += await self._send_chat(chats.popleft())
            return sent

        # A worker that fails (the database gone, say) stops the others: the drain fails
        # as a whole and the sender tries again later.
        async with asyncio.TaskGroup() as group:
            workers = [
                group.create_task(worker()) for _ in range(min(self._concurrency, len(chats)))
            ]
        return sum(task.result() for task in workers)

    async def _send_chat(self, rows: list[OutboxMessage]) -> int:
        sent = 0
        for index, row in enumerate(rows):
            if self._stopping:
                break  # the rest is given back by stop()
            outcome = await self._deliver(row)
            if outcome == "sent":
                sent += 1
            elif outcome == "blocked":
                await self._give_up_on_chat(rows[index + 1 :], "blocked")
                break
        return sent

    async def _deliver(self, row: OutboxMessage) -> str:
        assert row.id is not None
        message = Outbound(row.recipient_id, row.kind, dict(row.params))
        for attempt in range(self._max_retries + 1):
            await self._wait_for_budget(row.recipient_id)
            try:
                telegram_id = await self._gateway.send(message)
            except RetryLater as retry:
                if self._budget is not None:
                    await self._budget.hold(retry.seconds)
                else:
                    self._limiter.pause_until(time.monotonic() + retry.seconds)
                continue
            except RecipientBlocked:
                await self._mark_blocked(row)
                return "blocked"
            except TransientFailure as error:
                if attempt < self._max_retries:
                    await asyncio.sleep(self._backoff * 2**attempt)
                    continue
                await self._defer(row, str(error))
                return "deferred"
            except PermanentFailure as error:
                await self._fail(row, "failed", str(error))
                return "failed"
            self._mark_sent(row, telegram_id)
            return "sent"
        await self._defer(row, "rate limited")
        return "deferred"

    async def _wait_for_budget(self, chat_id: int) -> None:
        if self._budget is not None:
            await self._budget.acquire(chat_id)
            return
        while (delay := self._limiter.wait_time(chat_id, time.monotonic())) > 0:
            await asyncio.sleep(delay)
        self._limiter.take(chat_id, time.monotonic())

    def _mark_sent(self, row: OutboxMessage, telegram_id: int | None) -> None:
        """Counted now; written to the database with the next marks (`_write_marks`)."""
        assert row.id is not None
        now = self._clock.now()
        self._unmarked.append((row.id, telegram_id, now))
        self.stats.sent += 1
        if row.kind in REVEAL_KINDS:
            self.stats.reveal_latency.observe((now - row.created_at).total_seconds())

    async def _write_marks(self) -> None:
        """Mark everything sent so far as sent, in one transaction."""
        async with self._mark_lock:
            marks, self._unmarked = self._unmarked, []
            if not marks:
                return
            try:
                async with self._uow() as uow:
                    await uow.outbox.mark_sent(marks)
                    await uow.commit()
            except BaseException:
                self._unmarked[:0] = marks  # still sent: the next write tries again
                raise
            self._claimed.difference_update(message_id for message_id, _, _ in marks)

    async def _defer(self, row: OutboxMessage, error: str) -> None:
        assert row.id is not None
        retry_at = self._clock.now() + timedelta(seconds=30)
        async with self._uow() as uow:
            await uow.outbox.release_for_retry(row.id, retry_at, error)
            await uow.commit()
        self._claimed.discard(row.id)
        self.stats.failed["deferred"] += 1
        log.warning("message %s deferred after repeated failures: %s", row.id, error)

    async def _fail(self, row: OutboxMessage, status: str, error: str) -> None:
        assert row.id is not None
        async with self._uow() as uow:
            await uow.outbox.mark_failed(row.id, status, error)
            await uow.commit()
        self._claimed.discard(row.id)
        self.stats.failed[status] += 1
        log.error("message %s (%s) refused by Telegram: %s", row.id, row.kind, error)

    async def _mark_blocked(self, row: OutboxMessage) -> None:
        await self._fail(row, "blocked", "recipient blocked the bot")
        for listener in self._blocked_listeners:
            await listener(row.recipient_id)

    async def _give_up_on_chat(self, rows: list[OutboxMessage], status: str) -> None:
        for row in rows:
            await self._fail(row, status, "recipient blocked the bot")
