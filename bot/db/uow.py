"""The unit of work: one transaction (a session) and what to do after commit.

It imports no feature: each feature builds the repositories it needs from `uow.session`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db.engine import READ_ONLY_OPTION, is_sqlite
from bot.db.outbox import OutboxRepository


class UnitOfWork:
    """`async with uow_factory() as uow:` ... `await uow.commit()`.

    Leaving the block without commit rolls back. Writing outbox rows wakes the sender
    after a successful commit, so queued messages go out at once.
    """

    def __init__(
        self,
        session: AsyncSession,
        on_outbox_commit: Callable[[], None],
        write_lock: asyncio.Lock | None = None,
    ) -> None:
        self.session = session
        self._on_outbox_commit = on_outbox_commit
        self._write_lock = write_lock
        # The outbox is the one repository the unit of work holds: writing a row arms the
        # after-commit wake-up of the sender. Features build their own repositories from
        # `session` (e.g. `RoundRepository(uow.session)`).
        self.outbox = OutboxRepository(session)

    async def commit(self) -> None:
        await self.session.commit()
        if self.outbox.wrote:
            self.outbox.wrote = False
            self._on_outbox_commit()

    async def rollback(self) -> None:
        await self.session.rollback()

    async def __aenter__(self) -> UnitOfWork:
        if self._write_lock is not None:
            await self._write_lock.acquire()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() ends any open transaction without expiring loaded rows (rollback()
        # would), so values read in the block stay readable after it.
        try:
            await self.session.close()
        finally:
            if self._write_lock is not None:
                self._write_lock.release()


class UnitOfWorkFactory:
    """Makes units of work; read-only ones skip SQLite's write lock."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._read_engine = (
            engine.execution_options(**{READ_ONLY_OPTION: True})
            if is_sqlite(str(engine.url))
            else engine
        )
        self._listeners: list[Callable[[], None]] = []
        # SQLite has one writer at a time. Writers of this process queue here, first come
        # first served, instead of each holding a connection (and its thread) while
        # SQLite's busy timeout spins; under a burst none can time out waiting, and the
        # busy timeout is left for other processes (`hearth migrate`, a backup).
        self._write_lock = asyncio.Lock() if is_sqlite(str(engine.url)) else None

    def on_outbox_commit(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in self._listeners:
            listener()

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        bind = self._read_engine if read_only else self.engine
        session = AsyncSession(bind=bind, expire_on_commit=False)
        return UnitOfWork(session, self._notify, None if read_only else self._write_lock)
