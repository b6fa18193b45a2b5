"""Benchmark 2: outbox sender throughput, against the sandbox running in its own process.

    uv run python -m bench.sender                     # both engines, both modes
    uv run python -m bench.sender --engines sqlite --messages 5000

Mode "unlimited": the sandbox's rate limits off and the bot's own limiter lifted; how many
messages/s the outbox delivers. Mode "telegram": the sandbox enforces 30/s overall and
1/s per chat (answering 429 beyond that) and the bot runs its normal limiter; the
sustained rate as a share of 30/s, and how many 429s the sandbox had to send.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from sqlalchemy import text

from bench.common import ENGINES, START, fresh_database, print_table, seed_pairs, settings_for
from bench.sandbox_proc import SandboxProcess
from bot.delivery.ratelimit import SendRateLimiter

FIRST_PERSON = 10_000_000  # seed_pairs' first person id


async def _deliver(url: str, api_root: str, pairs: int, *, unlimited: bool) -> dict[str, float]:
    from bot.app import Hearth
    from bot.kernel.clock import FakeClock

    hearth = Hearth(settings_for(api_root, url), FakeClock(START), scheduler=False)
    await hearth.catalog.start()
    await seed_pairs(url, pairs, next_prompt_at=START)
    await hearth.tick()  # 2 question messages per pair in the outbox
    await hearth.application.initialize()
    if unlimited:
        hearth.sender._limiter = SendRateLimiter(1e9, 1e9, chat_burst=1e9, global_burst=1e9)
    began = time.perf_counter()
    sent = await hearth.sender.drain()
    seconds = time.perf_counter() - began
    await hearth.sender.stop()
    async with hearth.uow(read_only=True) as uow:
        left = (
            await uow.session.execute(text("SELECT count(*) FROM outbox WHERE status <> 'sent'"))
        ).scalar()
    await hearth.application.shutdown()
    await hearth.engine.dispose()
    return {"sent": sent, "seconds": seconds, "left": left or 0}


def run(engine: str, mode: str, messages: int) -> list[object]:
    with fresh_database(engine) as url, SandboxProcess() as sandbox:
        sandbox.command("nolimits" if mode == "unlimited" else "limits")
        sandbox.command(f"users {FIRST_PERSON} {messages}")
        result = asyncio.run(
            _deliver(url, sandbox.api_root, messages // 2, unlimited=mode == "unlimited")
        )
        stats = sandbox.command("stats")
    sent, seconds = result["sent"], result["seconds"]
    rate = sent / seconds
    if mode == "unlimited":
        verdict = "met" if rate >= 1000 else "NOT met"
        share = "-"
    else:
        # Sustained: whole seconds between the first and the last accepted message.
        span = (stats["last"] - stats["first"]) or 1.0
        rate = (stats["accepted"] - 1) / span
        share = f"{rate / 30:.1%}"
        verdict = "met" if rate / 30 >= 0.95 and stats["too_many_requests"] == 0 else "NOT met"
    return [
        engine,
        mode,
        f"{int(sent):,}",
        f"{seconds:.1f}",
        f"{rate:,.0f}",
        share,
        stats["too_many_requests"],
        int(result["left"]),
        verdict,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--messages", type=int, default=4_000, help="unlimited mode")
    parser.add_argument("--limited-messages", type=int, default=900, help="30/s mode")
    parser.add_argument("--modes", nargs="+", default=["unlimited", "telegram"])
    args = parser.parse_args()
    rows = []
    for engine in args.engines:
        for mode in args.modes:
            count = args.messages if mode == "unlimited" else args.limited_messages
            rows.append(run(engine, mode, count))
            print(*rows[-1], flush=True)
    print()
    print_table(
        ["engine", "mode", "sent", "s", "msg/s", "of 30/s", "429s", "unsent", "target"], rows
    )


if __name__ == "__main__":
    main()
