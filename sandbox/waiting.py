"""Waiting for the sandbox's state to change, without polling sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class ChangeSignal:
    """Wakes every waiter whenever something changes; each waiter re-checks its own condition.

    A fresh `asyncio.Event` per change means a waiter that checked its condition just before
    the change still sees the set event, so no change is ever missed.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    # A timeout argument (ASYNC109): one deadline spans several waits on fresh events.
    async def wait_until(self, condition: Callable[[], bool], timeout: float | None) -> bool:  # noqa: ASYNC109
        """Return True once `condition()` holds, or False when `timeout` seconds pass first."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not condition():
            event = self._event
            if deadline is None:
                await event.wait()
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return condition()
        return True
