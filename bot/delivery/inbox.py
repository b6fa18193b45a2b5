"""The webhook inbox: an update is stored before Telegram gets its 200, then handled.

`store` runs in the webhook request: one INSERT ... ON CONFLICT DO NOTHING keyed by
update_id, so a retried delivery is stored once. A worker (on every replica) claims
stored updates with FOR UPDATE SKIP LOCKED, at most one per chat at a time and in
update_id order, hands each to the handlers and marks it done. A crash after the 200
loses nothing: the claim's lease runs out and the update is handled then.

An update that cannot be read, or whose handling fails `max_attempts` times, is marked
failed with its kind and reason (never its content): it is not retried, no longer holds
its chat's later updates, stays listed by `hearth inbox failed` for a day and is then
pruned with the handled ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.db.models import InboxUpdate
from bot.db.uow import UnitOfWorkFactory
from bot.delivery.background import finish
from bot.delivery.repository import InboxRepository
from bot.kernel.clock import Clock
from bot.kernel.text_input import safe_json
from bot.kernel.updates import update_kind

log = logging.getLogger(__name__)

Processor = Callable[[dict[str, Any]], Awaitable[None]]
ChatKey = Callable[[dict[str, Any]], int]


class NotAnUpdate(ValueError):
    """The body is not a JSON object with an integer update_id."""


class Unreadable(ValueError):
    """Raised by the processor for an update it cannot read (reading again would fail
    again); the message is the reason, with no content, and it was logged already."""


class Inbox:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        process: Processor,
        chat_key: ChatKey,
        *,
        batch_size: int = 50,
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 3,
        poll_seconds: float = 1.0,
        keep_for: timedelta = timedelta(days=1),
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._process = process
        self._chat_key = chat_key
        self._batch_size = batch_size
        self._lease = lease
        self._max_attempts = max_attempts
        self._poll_seconds = poll_seconds
        self._keep_for = keep_for
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._claimed: set[int] = set()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._rounds = 0
        self.stored = 0
        self.duplicates = 0

    async def store(self, payload: object) -> bool:
        """Store one update; False if it was there already. Raises NotAnUpdate."""
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
            raise NotAnUpdate("not a Telegram update")
        update_id = int(payload["update_id"])
        safe: dict[str, Any] = safe_json(payload)  # the edge where webhook text comes in
        async with self._uow() as uow:
            added = await InboxRepository(uow.session).add(
                update_id, self._chat_key(safe), safe, self._clock.now()
            )
            await uow.commit()
        if added:
            self.stored += 1
            self.wake()
        else:
            self.duplicates += 1
        return added

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run_forever(), name="inbox")
        self.wake()

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def stop(self, grace: float = 3.0) -> int:
        """Stop claiming; let updates under way finish for up to `grace` seconds; give
        back the rest. Returns how many went back."""
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            self._wake.set()
            await finish(task, grace, "inbox worker")
        claimed, self._claimed = set(self._claimed), set()
        if not claimed:
            return 0
        async with self._uow() as uow:
            released = await InboxRepository(uow.session).release(claimed)
            await uow.commit()
        log.info("gave back %d claimed updates", released)
        return released

    async def _run_forever(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.drain()
                await self._maybe_prune()
            except Exception:
                log.exception("inbox drain failed; will retry")
            if not self._wake.is_set():
                self._idle.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_seconds)

    async def drain(self) -> int:
        """Handle everything claimable now; returns how many updates were handled."""
        handled = 0
        while not self._stopping:
            batch = await self._claim()
            if not batch:
                return handled
            await asyncio.gather(*(self._handle(row) for row in batch))
            handled += len(batch)
        return handled

    async def _claim(self) -> list[InboxUpdate]:
        now = self._clock.now()
        async with self._uow() as uow:
            rows = await InboxRepository(uow.session).claim(
                now, now + self._lease, self._batch_size
            )
            await uow.commit()
        self._claimed.update(row.update_id for row in rows)
        return rows

    async def _handle(self, row: InboxUpdate) -> None:
        reason = await self._attempt(row)
        async with self._uow() as uow:
            now = self._clock.now()
            if reason is None:
                await InboxRepository(uow.session).finish([row.update_id], "done", now)
            elif reason.retry:
                await InboxRepository(uow.session).release([row.update_id])
            else:
                await InboxRepository(uow.session).fail(
                    row.update_id, update_kind(row.payload), reason.text, now
                )
            await uow.commit()
        self._claimed.discard(row.update_id)
        self.wake()  # the chat's next update (or this one, again) may be claimable now

    async def _attempt(self, row: InboxUpdate) -> _Failure | None:
        """None when handled; else why not, and whether to try again."""
        if row.attempts > self._max_attempts:  # claimed again and again by crashed workers
            log.error("update %s given up after %d attempts", row.update_id, row.attempts - 1)
            return _Failure(f"given up after {row.attempts - 1} attempts", retry=False)
        try:
            await self._process(dict(row.payload))
        except Unreadable as error:
            return _Failure(str(error)[:120], retry=False)  # logged by the processor
        except Exception as error:
            # Never the payload: it holds people's words.
            text = f"handling raised {type(error).__name__}"
            retry = row.attempts < self._max_attempts
            log.error("update %s: %s%s", row.update_id, text, "; will retry" if retry else "")
            return _Failure(text, retry=retry)
        return None

    async def _maybe_prune(self) -> None:
        self._rounds += 1
        if self._rounds % 600 != 1:
            return
        async with self._uow() as uow:
            await InboxRepository(uow.session).prune(self._clock.now() - self._keep_for)
            await uow.commit()


@dataclass(frozen=True)
class _Failure:
    text: str
    retry: bool
