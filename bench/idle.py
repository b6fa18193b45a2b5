"""Benchmark 4: idle footprint. `hearth run` (a subprocess, long polling the sandbox in
another process) with 100,000 pairs in the database and nothing due: RSS and CPU.

    uv run python -m bench.idle                      # both engines, 30 s each
    uv run python -m bench.idle --engines sqlite --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import ENGINES, ROOT, TOKEN, fresh_database, print_table, seed_pairs
from bench.sandbox_proc import SandboxProcess

TARGET_RSS_MB = 150.0
TARGET_CPU = 0.01


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(engine: str, pairs: int, seconds: float, warmup: float) -> list[object]:
    with fresh_database(engine) as url, SandboxProcess() as sandbox:
        later = datetime.now(UTC) + timedelta(hours=12)
        asyncio.run(seed_pairs(url, pairs, next_prompt_at=later))
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": sandbox.api_root,
            "DATABASE_URL": url,
            "PROMPTS_DIR": str(ROOT / "prompts"),
            "HTTP_PORT": str(_free_port()),
            "LOG_LEVEL": "WARNING",
        }
        hearth = shutil.which("hearth") or str(Path(sys.executable).parent / "hearth")
        process = subprocess.Popen([hearth, "run"], env=env, cwd=ROOT)
        try:
            _wait_until_ready(process, int(env["HTTP_PORT"]))
            time.sleep(warmup)  # the first ticks and polls settle
            cpu_before, began = _cpu_seconds(process.pid), time.monotonic()
            peak = 0.0
            while time.monotonic() - began < seconds:
                peak = max(peak, _rss_mb(process.pid))
                time.sleep(1)
            cpu = (_cpu_seconds(process.pid) - cpu_before) / (time.monotonic() - began)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    met = peak < TARGET_RSS_MB and cpu < TARGET_CPU
    return [engine, f"{pairs:,}", f"{seconds:.0f}", f"{peak:.0f}", f"{cpu:.2%}", _verdict(met)]


def _wait_until_ready(process: subprocess.Popen[bytes], port: int) -> None:
    """Until /readyz answers 200: start-up (decks linted and synced) is not idle time."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "hearth run exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError("hearth run did not become ready in 120 s")


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5, help="seconds after ready")
    args = parser.parse_args()
    rows = []
    for engine in args.engines:
        rows.append(run(engine, args.pairs, args.seconds, args.warmup))
        print(*rows[-1], flush=True)
    print()
    print_table(["engine", "pairs", "s", "peak RSS MB", "CPU", "<150MB, <1%"], rows)


if __name__ == "__main__":
    main()
