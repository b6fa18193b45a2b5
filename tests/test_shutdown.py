"""SIGTERM: `hearth run` stops taking updates, gives back the messages it claimed but did
not send, and exits 0 within 10 s. A real process against the sandbox."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import httpx

from bot.db.engine import create_engine
from bot.db.uow import UnitOfWorkFactory
from bot.kernel.clock import SystemClock
from bot.pairing.messages import PairedWith
from sandbox import BotApiSandbox
from tests.conftest import TOKEN
from tests.ops_support import free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent


async def _ready(port: int) -> bool:
    try:
        async with httpx.AsyncClient(trust_env=False, timeout=2) as client:
            response = await client.get(f"http://127.0.0.1:{port}/readyz")
    except httpx.HTTPError:
        return False
    return response.status_code == 200


async def test_sigterm_gives_back_claimed_work_and_exits_within_10_seconds(
    sandbox: BotApiSandbox, tmp_path: Path
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'hearth.db'}"
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": sandbox.api_root,
        "DATABASE_URL": database_url,
        "PROMPTS_DIR": str(ROOT / "prompts"),
        "HTTP_PORT": str(port),
        "WEBHOOK_LISTEN": "127.0.0.1",
        "LOG_FORMAT": "json",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    engine = create_engine(database_url)
    try:
        await wait_until(lambda: _ready(port), timeout=60, what="/readyz to answer 200")
        sam = sandbox.user(4242, "Sam")
        await sam.send_command("/start")
        await sam.expect()

        # Telegram turns slow: the sender claims both messages and is stuck on the first.
        sandbox.faults.slow("sendMessage", 30)
        sends_before = sandbox.call_count("sendMessage")
        uow = UnitOfWorkFactory(engine)
        async with uow() as work:
            for index in range(2):
                await work.outbox.enqueue(
                    recipient_id=sam.id,
                    message=PairedWith("Kim"),
                    dedupe_key=f"shutdown-test:{index}",
                    now=SystemClock().now(),
                    direct=True,  # due at once, whatever the hour in Sam's zone
                )
            await work.commit()
        await wait_until(
            lambda: sandbox.call_count("sendMessage") > sends_before,
            timeout=10,
            what="a send under way",
        )

        loop = asyncio.get_running_loop()
        started = loop.time()
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
        elapsed = loop.time() - started
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    log = stderr.decode()
    assert process.returncode == 0, log
    assert elapsed < 10, f"took {elapsed:.1f} s"
    async with UnitOfWorkFactory(engine)(read_only=True) as work:
        left = await work.outbox.pending_for(sam.id)
    await engine.dispose()
    assert sorted(row.dedupe_key for row in left) == ["shutdown-test:0", "shutdown-test:1"]
    assert all(row.claimed_until is None for row in left), "given back, not left leased"

    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    messages = [entry["message"] for entry in entries]
    assert any("gave back 2 claimed outbox messages" in m for m in messages), messages
    assert TOKEN not in log
