"""The parts of a sandbox that its HTTP server, Bot API methods and people share."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from sandbox.faults import Faults, RateLimiter, SandboxStats
from sandbox.state import World
from sandbox.webhook import WebhookDelivery


@dataclass
class SandboxCore:
    token: str
    world: World
    webhook: WebhookDelivery
    strict_html: bool = True
    faults: Faults = field(default_factory=Faults)
    stats: SandboxStats = field(default_factory=SandboxStats)
    limiter: RateLimiter | None = None
    closing: asyncio.Event = field(default_factory=asyncio.Event)

    def close(self) -> None:
        """Ends every waiting request now: long polls answer [] and delays stop."""
        self.closing.set()
        self.world.updates.changed.fire()

    async def pause(self, seconds: float) -> None:
        """Sleep for an injected delay, cut short when the sandbox stops."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.closing.wait(), seconds)
