"""Benchmark 1: the daily fan-out. N pairs all due in the same minute; one tick must
create every round and queue both question messages.

    uv run python -m bench.fanout                    # 1k, 10k, 100k on SQLite and PostgreSQL
    uv run python -m bench.fanout --sizes 1000 --engines sqlite
    uv run python -m bench.fanout --sizes 10000 --history-days 60   # pairs with a past

Each size runs in two fresh subprocesses: one seeds the database with bulk SQL, the other
runs the tick alone, so its peak RSS (ru_maxrss) is the tick's own footprint.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time

from sqlalchemy import text

from bench.common import (
    ENGINES,
    START,
    fresh_database,
    peak_rss_mb,
    print_table,
    seed_pairs,
    settings_for,
)

TARGET_SECONDS = 10.0
TARGET_RSS_MB = 300.0


async def _seed(url: str, size: int, history_days: int) -> None:
    from bot.app import Hearth
    from bot.kernel.clock import FakeClock

    hearth = Hearth(settings_for("http://127.0.0.1:9", url), FakeClock(START), scheduler=False)
    await hearth.catalog.start()  # syncs the prompt decks into the database
    await hearth.engine.dispose()
    await seed_pairs(url, size, next_prompt_at=START, history_days=history_days)


async def _tick(url: str, size: int) -> dict[str, float]:
    from bot.app import Hearth
    from bot.kernel.clock import FakeClock

    hearth = Hearth(settings_for("http://127.0.0.1:9", url), FakeClock(START), scheduler=False)
    await hearth.catalog.start()
    began = time.perf_counter()
    report = await hearth.tick()
    seconds = time.perf_counter() - began
    async with hearth.uow(read_only=True) as uow:
        rounds = (
            await uow.session.execute(text("SELECT count(*) FROM round WHERE status = 'open'"))
        ).scalar()
        queued = (await uow.session.execute(text("SELECT count(*) FROM outbox"))).scalar()
    await hearth.engine.dispose()
    assert report.rounds_created == size == rounds, (report, rounds)
    assert queued == 2 * size, queued
    return {"seconds": seconds, "rss_mb": peak_rss_mb(), "rounds": rounds, "messages": queued}


def _child(argv: list[str]) -> None:
    step, url, size = argv[0], argv[1], int(argv[2])
    if step == "seed":
        asyncio.run(_seed(url, size, int(argv[3])))
    else:
        print(json.dumps(asyncio.run(_tick(url, size))))


def run_one(engine: str, size: int, history_days: int) -> dict[str, float]:
    with fresh_database(engine) as url:
        here = [sys.executable, "-m", "bench.fanout", "--child"]
        subprocess.run([*here, "seed", url, str(size), str(history_days)], check=True)
        out = subprocess.run(
            [*here, "tick", url, str(size)], check=True, capture_output=True, text=True
        ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument(
        "--history-days",
        type=int,
        default=0,
        help="past rounds per pair (0: new pairs, as the targets are stated)",
    )
    args = parser.parse_args()
    rows = []
    for engine in args.engines:
        seconds: dict[int, float] = {}
        for size in args.sizes:
            r = run_one(engine, size, args.history_days)
            seconds[size] = r["seconds"]
            rows.append(
                [
                    engine,
                    f"{size:,}",
                    f"{r['seconds']:.2f}",
                    f"{size / r['seconds']:,.0f}",
                    f"{r['rss_mb']:.0f}",
                    "met" if r["rss_mb"] < TARGET_RSS_MB else "NOT met",
                    "met" if size < 100_000 or r["seconds"] < TARGET_SECONDS else "NOT met",
                ]
            )
            print(*rows[-1], flush=True)
        if 10_000 in seconds and 100_000 in seconds:
            print(f"{engine}: 100k/10k time ratio = {seconds[100_000] / seconds[10_000]:.1f}")
    print()
    print_table(
        ["engine", "pairs", "tick s", "pairs/s", "peak RSS MB", "RSS<300MB", "100k<10s"], rows
    )


if __name__ == "__main__":
    main()
