"""The sandbox in a process of its own, so it does not share the bot's event loop.

    python -m bench.sandbox_proc        # prints {"api_root": ...}, then obeys stdin lines

Commands, one per line, each answered with one JSON line: `limits` (enforce Telegram's
30/s overall and 1/s per chat), `nolimits`, `users FIRST COUNT` (people who
have started the bot), `stats`, `quit`.

For end-to-end timing (bench.answers), all on this process's monotonic clock:
`poller` (wait until the bot is long polling), `play PATH` (PATH holds a JSON list of
[offset seconds, user id, text]: each person writes her text at its offset from now; the
time each update is queued for getUpdates is recorded), `wait COUNT SECONDS` (until the
sandbox has accepted COUNT bot messages in all), `dump PATH` (writes every played update
and every accepted bot message, with their times, to PATH as JSON).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import TOKEN
from sandbox import BotApiSandbox


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
            elif line == "poller":
                await sandbox.wait_for_poller(timeout=60)
            elif line.startswith("play "):
                answer = await _play(sandbox, Path(line.split(maxsplit=1)[1]))
            elif line.startswith("wait "):
                count, seconds = line.split()[1:3]
                answer = await _wait_accepted(sandbox, int(count), float(seconds))
            elif line.startswith("dump "):
                _dump(sandbox, Path(line.split(maxsplit=1)[1]))
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


# Every update `play` queued: (user id, message id, monotonic time it was queued).
_played: list[tuple[int, int, float]] = []


async def _play(sandbox: BotApiSandbox, plan_path: Path) -> dict[str, Any]:
    """Each person writes her text at its offset; returns how late the worst one was."""
    plan: list[tuple[float, int, str]] = json.loads(await asyncio.to_thread(plan_path.read_text))
    loop = asyncio.get_running_loop()
    began = loop.time()
    worst_late = 0.0
    for count, (offset, user_id, text) in enumerate(plan):
        delay = began + offset - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif count % 50 == 0:
            await asyncio.sleep(0)  # a backlog: let the server answer in between
        worst_late = max(worst_late, -delay)
        message = await sandbox.user(user_id).send_text(text)
        _played.append((user_id, int(message["message_id"]), time.monotonic()))
    return {"played": len(plan), "seconds": loop.time() - began, "worst_late": worst_late}


async def _wait_accepted(sandbox: BotApiSandbox, count: int, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while sandbox.stats.messages_accepted < count and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return {"accepted": sandbox.stats.messages_accepted}


def _dump(sandbox: BotApiSandbox, path: Path) -> None:
    """Played updates and accepted bot messages: [time, chat, replied-to id, plain text]."""
    inboxes: dict[int, list[Any]] = {}
    seen: defaultdict[int, int] = defaultdict(int)
    accepted = []
    # The sandbox records each accepted message's time in order; each chat's messages
    # are stored in the same order, so the n-th time for a chat is its n-th message.
    for moment, chat_id in sandbox.stats.accepted:
        inbox = inboxes.get(chat_id)
        if inbox is None:
            inbox = inboxes[chat_id] = sandbox.messages_in(chat_id)
        message = inbox[seen[chat_id]]
        seen[chat_id] += 1
        accepted.append([moment, chat_id, message.reply_to_message_id, message.plain_text])
    path.write_text(json.dumps({"played": _played, "accepted": accepted}))


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

    @property
    def pid(self) -> int:
        return self._process.pid

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
