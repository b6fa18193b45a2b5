"""The sandbox in a process of its own, so it does not share the bot's event loop.

    python -m bench.sandbox_proc        # prints {"api_root": ...}, then obeys stdin lines

Commands, one per line, each answered with one JSON line: `limits` (enforce Telegram's
30/s overall and 1/s per chat), `nolimits`, `users FIRST COUNT` (people who
have started the bot), `stats`, `quit`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from typing import Any

from bench.common import TOKEN
from bot.sandbox import BotApiSandbox


async def _serve() -> None:
    async with BotApiSandbox(token=TOKEN, bot_username="HearthBenchBot") as sandbox:
        print(json.dumps({"api_root": sandbox.api_root}), flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            answer: dict[str, Any] = {"ok": True}
            if line in ("", "quit"):
                print(json.dumps(answer), flush=True)
                return
            if line == "limits":
                sandbox.enforce_rate_limits(30.0, 1.0, burst=1)
            elif line.startswith("users "):
                first, count = (int(part) for part in line.split()[1:3])
                for user_id in range(first, first + count):
                    sandbox.user(user_id, f"P{user_id}").chat.started = True
            elif line == "nolimits":
                sandbox.disable_rate_limits()
            elif line == "stats":
                stats = sandbox.stats
                times = [t for t, _ in stats.accepted]
                answer = {
                    "accepted": stats.messages_accepted,
                    "too_many_requests": stats.too_many_requests,
                    "first": times[0] if times else None,
                    "last": times[-1] if times else None,
                    "per_second": stats.accepted_per_second(),
                }
            print(json.dumps(answer), flush=True)


class SandboxProcess:
    """Start and drive `python -m bench.sandbox_proc` from a benchmark."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.sandbox_proc"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.api_root: str = self._read()["api_root"]

    def _read(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        answer: dict[str, Any] = json.loads(self._process.stdout.readline())
        return answer

    def command(self, line: str) -> dict[str, Any]:
        assert self._process.stdin is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        return self._read()

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError, ValueError):
            self.command("quit")
        self._process.wait(timeout=10)

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


if __name__ == "__main__":
    asyncio.run(_serve())
