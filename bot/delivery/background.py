"""Stopping a background worker task: the outbox sender's and the inbox worker's."""

from __future__ import annotations

import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)


async def finish(task: asyncio.Task[None], grace: float, name: str) -> None:
    """Let `task` finish what it is doing for up to `grace` seconds, then cancel it.

    The caller has already told it to stop and woken it; whatever it claimed and did not
    finish is the caller's to give back afterwards."""
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=grace)
    except TimeoutError:
        task.cancel()
    except Exception:
        log.exception("%s failed while stopping", name)
    if not task.done():
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
