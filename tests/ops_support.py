"""Helpers for the operations tests: free ports, a bot in webhook mode, HTTP calls."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from bot.app import Hearth
from bot.kernel.clock import FakeClock
from sandbox import BotApiSandbox
from tests.conftest import Running, make_settings

SECRET = "webhook-Secret_42"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/telegram/updates"


@asynccontextmanager
async def webhook_bot(
    sandbox: BotApiSandbox,
    database_url: str,
    clock: FakeClock,
    *,
    port: int | None = None,
    register_url: str | None = None,
    **overrides: Any,
) -> AsyncIterator[Running]:
    """A bot in webhook mode on its own port. `register_url` is the URL it registers with
    Telegram (a load balancer's, say); by default its own."""
    port = port or free_port()
    settings = make_settings(
        sandbox.api_root,
        database_url,
        webhook_url=register_url or webhook_url(port),
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        http_port=port,
        **overrides,
    )
    hearth = Hearth(settings, clock=clock, scheduler=False)
    await hearth.start()
    try:
        yield Running(hearth, sandbox, clock)
    finally:
        await hearth.stop()


def http_base(hearth: Hearth) -> str:
    assert hearth.http is not None
    return f"http://127.0.0.1:{hearth.http.port}"


async def http_get(hearth: Hearth, path: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        return await client.get(http_base(hearth) + path)


async def post_update(
    hearth: Hearth, update: dict[str, Any], secret: str | None = SECRET, path: str | None = None
) -> httpx.Response:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        return await client.post(
            http_base(hearth) + (path or "/telegram/updates"), json=update, headers=headers
        )


def command_update(update_id: int, user_id: int, first_name: str, command: str) -> dict[str, Any]:
    """A private-chat command as Telegram delivers it."""
    person = {"id": user_id, "is_bot": False, "first_name": first_name}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_770_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": first_name},
            "from": person,
            "text": command,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


async def wait_until(condition: Any, timeout: float = 10.0, what: str = "condition") -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
