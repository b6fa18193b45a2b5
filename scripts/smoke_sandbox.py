"""The project's Telegram sandbox on one address, for scripts/container-smoke.sh.

    uv run python scripts/smoke_sandbox.py HOST TOKEN

Prints its API root (http://HOST:PORT) on one line, then serves until stdin closes.
HOST is the Docker bridge's address on this machine, so containers reach it and nothing
beyond this machine does. Drive it with the JSON API under /sandbox/ (sandbox/control.py).
"""

from __future__ import annotations

import asyncio
import sys

from sandbox import BotApiSandbox


async def _serve(host: str, token: str) -> None:
    async with BotApiSandbox(token=token, bot_username="HearthSmokeBot", host=host) as sandbox:
        print(sandbox.api_root, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1], sys.argv[2]))
