"""Webhook mode: POST each update to the bot's URL, as Telegram does."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

import httpx

from sandbox.faults import SandboxStats
from sandbox.updates import UpdateQueue

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)


class WebhookDelivery:
    """Delivers queued updates one at a time, in order, while a webhook is set.

    An answer other than 2xx (or no answer) is retried a few times with a short, doubling
    backoff. Telegram keeps trying for much longer; the sandbox then drops the update and
    reports the failure in getWebhookInfo, so a test sees it instead of hanging.
    """

    def __init__(
        self,
        updates: UpdateQueue,
        stats: SandboxStats,
        *,
        attempts: int = 4,
        first_backoff: float = 0.05,
    ) -> None:
        self._updates = updates
        self._stats = stats
        self._attempts = attempts
        self._first_backoff = first_backoff
        self.url: str | None = None
        self.secret_token: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def active(self) -> bool:
        return self.url is not None

    def set(self, url: str, secret_token: str | None, max_connections: int) -> None:
        self.url, self.secret_token, self.max_connections = url, secret_token, max_connections
        self.last_error_date = self.last_error_message = None
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._deliver_forever(), name="sandbox-webhook")
        self._updates.changed.fire()  # a getUpdates still waiting must now give way

    async def delete(self) -> None:
        self.url = self.secret_token = None
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.url is not None:
            info.update(max_connections=self.max_connections, ip_address="127.0.0.1")
            allowed = self._updates.allowed_updates
            if allowed is not None:
                info["allowed_updates"] = allowed
        if self.last_error_date is not None:
            info.update(
                last_error_date=self.last_error_date, last_error_message=self.last_error_message
            )
        return info

    async def _deliver_forever(self) -> None:
        # trust_env=False: a proxy from the environment must never see loopback traffic.
        async with httpx.AsyncClient(trust_env=False, timeout=10.0) as client:
            while True:
                await self._updates.changed.wait_until(lambda: len(self._updates) > 0, None)
                update = self._updates.first(1)[0]
                delivered = await self._deliver(client, update)
                self._updates.remove(update["update_id"])
                if delivered:
                    self._stats.webhook_deliveries += 1
                else:
                    self._stats.webhook_failures += 1

    async def _deliver(self, client: httpx.AsyncClient, update: dict[str, Any]) -> bool:
        backoff = self._first_backoff
        for attempt in range(1, self._attempts + 1):
            problem = await self._post(client, update)
            if problem is None:
                return True
            log.warning("webhook delivery attempt %d failed: %s", attempt, problem)
            self.last_error_message = problem
            self.last_error_date = int(time.time())
            if attempt < self._attempts:
                await asyncio.sleep(backoff)
                backoff *= 2
        return False

    async def _post(self, client: httpx.AsyncClient, update: dict[str, Any]) -> str | None:
        """None when the bot took the update, else Telegram's words for what went wrong."""
        if self.url is None:
            return "Webhook was deleted"
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers[SECRET_HEADER] = self.secret_token
        # ASCII JSON, as Telegram sends: a lone surrogate travels escaped.
        body = json.dumps(update, separators=(",", ":")).encode("ascii")
        try:
            response = await client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"Connection failed: {exc.__class__.__name__}"
        if 200 <= response.status_code < 300:
            return None
        return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
