"""One Telegram send budget for every replica (PostgreSQL, webhook mode).

Each replica alone would allow itself about 30 messages a second; two would then send 60.
The rates and bursts are the in-process limiter's (bot/delivery/ratelimit.py), which explains
why they sit a little under Telegram's.
Instead every send takes a slot from rows in the database (GCRA: a "theoretical arrival
time" a scope, moved on by one interval per message): one row for all chats together and
one row per chat. The slot's instant comes from the database clock, so replicas' clocks
need not agree. Waiting happens outside the transaction; a slot taken by a replica that
then dies is only a short pause for the others.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bot.db.uow import UnitOfWorkFactory
from bot.delivery.ratelimit import CHAT_BURST, GLOBAL_BURST, GLOBAL_PER_SECOND, PER_CHAT_PER_SECOND
from bot.delivery.repository import SendBudgetRepository

log = logging.getLogger(__name__)

ALL_CHATS = "all"


class DatabaseSendBudget:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        *,
        global_per_second: float = GLOBAL_PER_SECOND,
        global_burst: float = GLOBAL_BURST,
        per_chat_per_second: float = PER_CHAT_PER_SECOND,
        chat_burst: float = CHAT_BURST,
        prune_every: int = 1000,
    ) -> None:
        self._uow = uow
        self._global_interval = 1 / global_per_second
        self._global_tolerance = max(0.0, global_burst - 1) * self._global_interval
        self._chat_interval = 1 / per_chat_per_second
        self._chat_tolerance = max(0.0, chat_burst - 1) * self._chat_interval
        self._prune_every = prune_every
        self._taken = 0

    async def acquire(self, chat_id: int) -> None:
        async with self._uow() as uow:
            now = await SendBudgetRepository(uow.session).now()
            chat_slot, _ = await SendBudgetRepository(uow.session).reserve(
                f"chat:{chat_id}", now, self._chat_interval, self._chat_tolerance
            )
            # The global slot is taken at or after the chat's, so it is not wasted while
            # this chat's own limit makes the message wait.
            global_slot, locked_at = await SendBudgetRepository(uow.session).reserve(
                ALL_CHATS, max(now, chat_slot), self._global_interval, self._global_tolerance
            )
            reserved = time.monotonic()
            await uow.commit()
        self._taken += 1
        if self._taken % self._prune_every == 0:
            await self._prune(now)
        # Wait for the slot by the database clock, less the time the commit took.
        delay = max(chat_slot, global_slot) - locked_at - (time.monotonic() - reserved)
        if delay > 0:
            await asyncio.sleep(delay)

    async def hold(self, seconds: float) -> None:
        async with self._uow() as uow:
            now = await SendBudgetRepository(uow.session).now()
            await SendBudgetRepository(uow.session).hold_until(ALL_CHATS, now + seconds)
            await uow.commit()
        log.warning("Telegram asked every sender to wait %.1f s", seconds)
        await asyncio.sleep(seconds)

    async def _prune(self, now: float) -> None:
        """Per-chat rows whose slot is long past carry no information: drop them."""
        async with self._uow() as uow:
            await SendBudgetRepository(uow.session).prune(now - 60, keep=ALL_CHATS)
            await uow.commit()
