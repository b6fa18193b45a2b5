"""Benchmark 3: answers end to end, beside a minimal python-telegram-bot echo bot.

    uv run python -m bench.answers                        # both engines
    uv run python -m bench.answers --engines sqlite --steady-seconds 10
    uv run python -m bench.answers --engines sqlite --profile /tmp/hearth.prof

Simulated partners answer through the sandbox (its own process, on loopback); the bot runs
as `hearth run` does (its own process, long polling, ticking, the outbox sender running)
with the sandbox's limits off and the bot's send limiter lifted. Every time is taken in the
sandbox process on one monotonic clock: an update is "offered" when it is queued for
getUpdates, and a message "arrives" when the sandbox accepts the bot's sendMessage.

Each pair has an open round. The first partner's answer gets an acknowledgement (and the
other partner a nudge); the second one's gets an acknowledgement and both partners the
reveal: five messages per pair. Two measurements, after a short warm-up:
- steady: 100 updates/s (partner A of pair i at i/50 s, partner B one second later);
  p50/p99 from the second answer offered to the later of the two reveals arriving, and
  from each answer to its acknowledgement;
- max: every answer offered at once (all first answers, then all second answers);
  updates/s = answers / (last message of the phase arrived - first answer offered).
The same two for the echo bot (bench/echo_bot.py), in the same run, on the same sandbox:
update offered -> echo arrived. Targets: max rate at least half the echo bot's, and
p99 update -> reveal under 100 ms at 100 updates/s. Afterwards the database must hold
every answer and exactly one reveal per round, and each partner must have received
exactly one reveal, holding the other partner's answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text, update
from sqlmodel import col

from bench.common import ENGINES, print_table, seed_pairs, settings_for
from bench.sandbox_proc import SandboxProcess
from bot.db.models import OutboxMessage
from bot.delivery.repository import InboxRepository

FIRST_PERSON = 10_000_000  # seed_pairs' first person id
ECHO_FIRST_USER = 50_000_000
TARGET_P99_MS = 100.0
TARGET_SHARE = 0.5
MESSAGES_PER_PAIR = 5  # two acknowledgements, one nudge, two reveals
TOKEN_RE = re.compile(r"T(\d+)_(\d+)_([ab])")
REVEAL_START = "✨"
ACK_START = "Saved."


# --- the two bots, each in a process of its own -----------------------------------------


async def _serve_hearth(database_url: str, api_root: str) -> None:
    """`hearth run` with the send limiter lifted: start, say ready, stop at EOF or "quit"."""
    from bot.app import Hearth
    from bot.delivery.ratelimit import SendRateLimiter

    hearth = Hearth(settings_for(api_root, database_url, log_level="WARNING"))
    # There is no setting for the bot's own 30/s limiter; lift it as bench.sender does.
    hearth.sender._limiter = SendRateLimiter(1e9, 1e9, chat_burst=1e9)
    await hearth.start()
    print(json.dumps({"ready": True}), flush=True)
    loop = asyncio.get_running_loop()
    while (await loop.run_in_executor(None, sys.stdin.readline)).strip() not in ("", "quit"):
        pass
    await hearth.stop()


def _serve_hearth_main(database_url: str, api_root: str, profile: str | None) -> None:
    logging.basicConfig(level=logging.WARNING)
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    try:
        asyncio.run(_serve_hearth(database_url, api_root))
    finally:
        if profiler is not None and profile:
            profiler.disable()
            profiler.dump_stats(profile)


class BotProcess:
    """A bot subprocess that prints one ready line and stops on "quit"."""

    def __init__(self, args: list[str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        stdout: IO[str] | None = self.process.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line:
            raise RuntimeError(f"{args} exited before it was ready")
        assert json.loads(line)["ready"]

    def cpu_seconds(self) -> float:
        return _cpu_seconds(self.process.pid)

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError, ValueError):
            assert self.process.stdin is not None
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- plans: who writes what, when ---------------------------------------------------------

Plan = list[tuple[float, int, str]]  # (offset seconds, user id, text)


def _pair_plan(
    phase: int, pairs: list[tuple[int, int, int]], rate: float | None, lag: float
) -> Plan:
    """Both partners of each pair answer; `rate` None means all at once (first answers,
    then second answers), else `rate` updates/s with the second answer `lag` s later."""
    plan: Plan = []
    for n, (pair_id, a, b) in enumerate(pairs):
        start = 0.0 if rate is None else n * 2 / rate
        second = 0.0 if rate is None else start + lag
        plan.append((start, a, f"T{phase}_{pair_id}_a my answer, from the first partner"))
        plan.append((second, b, f"T{phase}_{pair_id}_b and mine, from the second partner"))
    if rate is None:
        return [entry for entry in plan if entry[2].split()[0].endswith("_a")] + [
            entry for entry in plan if entry[2].split()[0].endswith("_b")
        ]
    return sorted(plan, key=lambda entry: entry[0])


def _echo_plan(phase: int, users: range, rate: float | None) -> Plan:
    return [
        (0.0 if rate is None else n / rate, user, f"E{phase}_{user} hello there, echo")
        for n, user in enumerate(users)
    ]


@dataclass
class Phase:
    name: str
    plan: Plan
    expected: int  # bot messages it should cause
    cpu_bot: float = 0.0
    cpu_sandbox: float = 0.0
    wall: float = 0.0
    played: dict[str, Any] = field(default_factory=dict)


class Driver:
    """Plays phases on the sandbox process and collects what it recorded."""

    def __init__(self, sandbox: SandboxProcess, folder: Path) -> None:
        self.sandbox = sandbox
        self.folder = folder
        self.accepted = 0  # bot messages the sandbox accepted so far, in all

    def run(self, phase: Phase, bot: BotProcess, settle: float = 0.5) -> None:
        plan_path = self.folder / f"{phase.name}.json"
        plan_path.write_text(json.dumps(phase.plan))
        cpu_bot, cpu_sandbox = bot.cpu_seconds(), _cpu_seconds(self.sandbox.pid)
        began = time.time()
        phase.played = self.sandbox.command(f"play {plan_path}")
        self.accepted += phase.expected
        timeout = 60 + len(phase.plan) / 10
        self.sandbox.command(f"wait {self.accepted} {timeout}")
        phase.wall = time.time() - began
        phase.cpu_bot = bot.cpu_seconds() - cpu_bot
        phase.cpu_sandbox = _cpu_seconds(self.sandbox.pid) - cpu_sandbox
        time.sleep(settle)  # anything unexpected still on its way
        now = self.sandbox.command("stats")["accepted"]
        if now != self.accepted:
            print(f"  {phase.name}: {now} bot messages in all, expected {self.accepted}")
        self.accepted = now

    def dump(self) -> dict[str, Any]:
        path = self.folder / "dump.json"
        self.sandbox.command(f"dump {path}")
        recorded: dict[str, Any] = json.loads(path.read_text())
        return recorded


# --- what the sandbox saw -----------------------------------------------------------------


@dataclass
class Seen:
    """Per person: when her update was offered, and what the bot sent her, in order."""

    offered: dict[int, float]
    inbox: dict[int, list[tuple[float, str]]]

    @classmethod
    def of(cls, recorded: dict[str, Any]) -> Seen:
        offered = {int(user): float(moment) for user, _message, moment in recorded["played"]}
        inbox: dict[int, list[tuple[float, str]]] = {}
        for moment, chat, _reply_to, body in recorded["accepted"]:
            inbox.setdefault(int(chat), []).append((float(moment), str(body)))
        return cls(offered, inbox)

    def first(self, user: int, starts: str) -> float | None:
        for moment, body in self.inbox.get(user, []):
            if body.startswith(starts):
                return moment
        return None

    def last_message(self, users: list[int]) -> float:
        return max((m for user in users for m, _ in self.inbox.get(user, [])), default=0.0)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Figures:
    updates: int
    rate: float  # updates/s, offered first to last message arrived
    offered_rate: float
    reply_ms: list[float]
    reveal_ms: list[float] = field(default_factory=list)
    missing: int = 0  # replies or reveals that never arrived
    cpu_bot: float = 0.0
    cpu_sandbox: float = 0.0
    cpu_ms: float = 0.0  # the bot's CPU time per update


def _echo_figures(seen: Seen, phase: Phase) -> Figures:
    users = [user for _, user, _ in phase.plan]
    replies, missing = [], 0
    for _, user, sent in phase.plan:
        arrived = seen.first(user, sent)
        if arrived is None:
            missing += 1
        else:
            replies.append((arrived - seen.offered[user]) * 1000)
    return _figures(seen, phase, users, replies, [], missing)


def _hearth_figures(seen: Seen, phase: Phase, problems: list[str]) -> Figures:
    users = [user for _, user, _ in phase.plan]
    partners: dict[int, dict[str, tuple[int, str]]] = {}
    for _, user, sent in phase.plan:
        found = TOKEN_RE.match(sent)
        assert found is not None
        partners.setdefault(int(found.group(2)), {})[found.group(3)] = (user, found.group(0))
    replies, reveals, missing = [], [], 0
    for _, user, _ in phase.plan:
        arrived = seen.first(user, ACK_START)
        if arrived is None:
            missing += 1
        else:
            replies.append((arrived - seen.offered[user]) * 1000)
    for pair_id, sides in partners.items():
        (a, token_a), (b, token_b) = sides["a"], sides["b"]
        got_a, got_b = _reveals(seen, a, token_b), _reveals(seen, b, token_a)
        if len(got_a) != 1 or len(got_b) != 1:
            problems.append(f"pair {pair_id}: {len(got_a)} and {len(got_b)} reveals")
        if not got_a or not got_b:
            missing += 1
            continue
        second_offered = max(seen.offered[a], seen.offered[b])
        reveals.append((max(got_a[0], got_b[0]) - second_offered) * 1000)
    return _figures(seen, phase, users, replies, reveals, missing)


def _reveals(seen: Seen, user: int, partner_token: str) -> list[float]:
    """Times of the reveals `user` received; each must quote her partner's answer."""
    return [
        moment
        for moment, body in InboxRepository(seen.session).get(user, [])
        if body.startswith(REVEAL_START) and partner_token in body
    ]


def _figures(
    seen: Seen,
    phase: Phase,
    users: list[int],
    replies: list[float],
    reveals: list[float],
    missing: int,
) -> Figures:
    first = min(seen.offered[user] for user in users)
    last_offered = max(seen.offered[user] for user in users)
    span = seen.last_message(users) - first
    return Figures(
        updates=len(users),
        rate=len(users) / span if span > 0 else float("nan"),
        offered_rate=(len(users) - 1) / (last_offered - first) if last_offered > first else 0,
        reply_ms=replies,
        reveal_ms=reveals,
        missing=missing,
        cpu_bot=phase.cpu_bot / phase.wall if phase.wall else 0.0,
        cpu_sandbox=phase.cpu_sandbox / phase.wall if phase.wall else 0.0,
        cpu_ms=phase.cpu_bot / len(users) * 1000,
    )


# --- one engine ---------------------------------------------------------------------------


async def _seed(url: str, api_root: str, count: int) -> None:
    """`count` pairs, each with today's round open; the questions count as sent already."""
    from bot.app import Hearth

    hearth = Hearth(settings_for(api_root, url), scheduler=False)
    await hearth.catalog.start()
    now = datetime.now(UTC)
    await seed_pairs(url, count, next_prompt_at=now - timedelta(minutes=1))
    await hearth.tick()
    async with hearth.uow() as uow:
        await uow.session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.kind) == "question")
            .values(status="sent", sent_at=now)
        )
        await uow.commit()
    async with hearth.uow(read_only=True) as uow:
        opened = (
            await uow.session.execute(text("SELECT count(*) FROM round WHERE status = 'open'"))
        ).scalar()
    await hearth.engine.dispose()
    if opened != count:
        raise RuntimeError(f"{opened} open rounds for {count} pairs")


async def _verify(url: str, pairs: int) -> list[str]:
    from bot.db.engine import create_engine

    engine = create_engine(url)
    queries = {
        "answers stored": ("SELECT count(*) FROM answer", 2 * pairs),
        "rounds revealed": ("SELECT count(*) FROM round WHERE status = 'revealed'", pairs),
        "reveal rows": ("SELECT count(*) FROM outbox WHERE kind = 'reveal'", 2 * pairs),
        "reveal rows sent": (
            "SELECT count(*) FROM outbox WHERE kind = 'reveal' AND status = 'sent'",
            2 * pairs,
        ),
        "rounds with other than 2 reveal rows": (
            "SELECT count(*) FROM (SELECT r.id FROM round r LEFT JOIN outbox o"
            " ON o.kind = 'reveal' AND o.dedupe_key LIKE 'round:' || r.id || ':%'"
            " GROUP BY r.id HAVING count(o.id) <> 2) AS odd",
            0,
        ),
    }
    problems = []
    try:
        async with engine.connect() as connection:
            for name, (query, expected) in queries.items():
                found = (await connection.execute(text(query))).scalar()
                if found != expected:
                    problems.append(f"{name}: {found}, expected {expected}")
    finally:
        await engine.dispose()
    return problems


@dataclass
class Sizes:
    warmup_pairs: int
    steady_seconds: float
    rate: float
    lag: float
    max_pairs: int
    echo_max: int
    echo_concurrency: int


def run(engine: str, sizes: Sizes, profile: str | None) -> list[dict[str, Any]]:
    from bench.common import fresh_database

    steady_pairs = int(sizes.steady_seconds * sizes.rate / 2)
    total_pairs = sizes.warmup_pairs + steady_pairs + sizes.max_pairs
    with (
        fresh_database(engine) as url,
        SandboxProcess() as sandbox,
        tempfile.TemporaryDirectory(prefix="hearth-bench3-") as folder,
    ):
        sandbox.command("nolimits")
        driver = Driver(sandbox, Path(folder))

        # The echo bot first: the framework's ceiling on this machine, right now.
        warmup_users = int(sizes.rate)
        steady_users = int(sizes.steady_seconds * sizes.rate)
        echo_users = warmup_users + steady_users + sizes.echo_max
        sandbox.command(f"users {ECHO_FIRST_USER} {echo_users}")
        users = iter(range(ECHO_FIRST_USER, ECHO_FIRST_USER + echo_users))
        echo_phases = [
            Phase("echo-warmup", _echo_plan(0, _take(users, warmup_users), sizes.rate), 0),
            Phase("echo-steady", _echo_plan(1, _take(users, steady_users), sizes.rate), 0),
            Phase("echo-max", _echo_plan(2, _take(users, sizes.echo_max), None), 0),
        ]
        echo = BotProcess(["-m", "bench.echo_bot", sandbox.api_root, str(sizes.echo_concurrency)])
        try:
            sandbox.command("poller")
            for phase in echo_phases:
                phase.expected = len(phase.plan)
                driver.run(phase, echo)
        finally:
            echo.close()

        asyncio.run(_seed(url, sandbox.api_root, total_pairs))
        sandbox.command(f"users {FIRST_PERSON} {2 * total_pairs}")
        pairs = iter(
            (n + 1, FIRST_PERSON + 2 * n, FIRST_PERSON + 2 * n + 1) for n in range(total_pairs)
        )
        hearth_phases = [
            Phase(
                "warmup",
                _pair_plan(0, _take_pairs(pairs, sizes.warmup_pairs), sizes.rate, sizes.lag),
                sizes.warmup_pairs * MESSAGES_PER_PAIR,
            ),
            Phase(
                "steady",
                _pair_plan(1, _take_pairs(pairs, steady_pairs), sizes.rate, sizes.lag),
                steady_pairs * MESSAGES_PER_PAIR,
            ),
            Phase(
                "max",
                _pair_plan(2, _take_pairs(pairs, sizes.max_pairs), None, sizes.lag),
                sizes.max_pairs * MESSAGES_PER_PAIR,
            ),
        ]
        args = ["-m", "bench.answers", "--serve-hearth", url, sandbox.api_root]
        hearth = BotProcess([*args, "--profile", profile] if profile else args)
        try:
            sandbox.command("poller")
            for phase in hearth_phases:
                driver.run(phase, hearth)
        finally:
            hearth.close()
        seen = Seen.of(driver.dump())
        problems = asyncio.run(_verify(url, total_pairs))

    echo_steady, echo_max = (_echo_figures(seen, phase) for phase in echo_phases[1:])
    steady, most = (_hearth_figures(seen, phase, problems) for phase in hearth_phases[1:])
    for problem in problems[:10]:
        print(f"  {engine}: {problem}")
    return [
        _row(engine, "echo bot", echo_steady, echo_max, None, []),
        _row(engine, "hearth", steady, most, echo_max.rate, problems),
    ]


def _take(users: Any, count: int) -> range:
    chosen = [next(users) for _ in range(count)]
    return range(chosen[0], chosen[-1] + 1) if chosen else range(0)


def _take_pairs(pairs: Any, count: int) -> list[tuple[int, int, int]]:
    return [next(pairs) for _ in range(count)]


def _row(
    engine: str,
    bot: str,
    steady: Figures,
    most: Figures,
    echo_rate: float | None,
    problems: list[str],
) -> dict[str, Any]:
    latency = steady.reveal_ms if echo_rate is not None else steady.reply_ms
    p99 = _percentile(latency, 0.99)
    missing = steady.missing + most.missing
    if echo_rate is None:
        share, verdict = "-", "-"
    else:
        met = most.rate >= TARGET_SHARE * echo_rate and p99 < TARGET_P99_MS
        share = f"{most.rate / echo_rate:.0%}"
        verdict = "met" if met and not problems and not missing else "NOT met"
    return {
        "engine": engine,
        "bot": bot,
        "max upd/s": f"{most.rate:,.0f}",
        "of echo": share,
        "bot CPU": f"{most.cpu_bot:.0%}",
        "CPU ms/upd": f"{most.cpu_ms:.1f}",
        "sandbox CPU": f"{most.cpu_sandbox:.0%}",
        "offered/s": f"{steady.offered_rate:.0f}",
        "reply p50": f"{_percentile(steady.reply_ms, 0.5):.1f}",
        "reply p99": f"{_percentile(steady.reply_ms, 0.99):.1f}",
        "reveal p50": (
            f"{_percentile(steady.reveal_ms, 0.5):.1f}" if echo_rate is not None else "-"
        ),
        "reveal p99": f"{p99:.1f}" if echo_rate is not None else "-",
        "reveal max": (
            f"{max(steady.reveal_ms, default=float('nan')):.0f}" if echo_rate is not None else "-"
        ),
        "checks": "-" if echo_rate is None else ("ok" if not problems and not missing else "FAIL"),
        "target": verdict,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--rate", type=float, default=100, help="steady updates/s")
    parser.add_argument("--steady-seconds", type=float, default=15)
    parser.add_argument("--lag", type=float, default=1.0, help="s between the two answers")
    parser.add_argument("--warmup-pairs", type=int, default=50)
    parser.add_argument("--max-pairs", type=int, default=1_000, help="max: 2 updates each")
    parser.add_argument("--echo-max", type=int, default=3_000, help="max: echo updates")
    parser.add_argument(
        "--echo-concurrency", type=int, default=1, help="updates at once (1: PTB's default)"
    )
    parser.add_argument("--profile", help="cProfile the bot process into this file")
    parser.add_argument("--serve-hearth", nargs=2, metavar=("DATABASE_URL", "API_ROOT"))
    args = parser.parse_args()
    if args.serve_hearth:
        database_url, api_root = args.serve_hearth
        _serve_hearth_main(database_url, api_root, args.profile)
        return
    sizes = Sizes(
        args.warmup_pairs,
        args.steady_seconds,
        args.rate,
        args.lag,
        args.max_pairs,
        args.echo_max,
        args.echo_concurrency,
    )
    rows = []
    for engine in args.engines:
        for row in run(engine, sizes, args.profile):
            rows.append(row)
            print(*row.values(), flush=True)
    print()
    headers = list(rows[0])
    print_table(headers, [[row[key] for key in headers] for row in rows])
    print(
        f"\nsteady: {args.rate:g} updates/s for {args.steady_seconds:g} s; reply = update offered"
        " -> echo / acknowledgement arrived; reveal = second answer offered -> both reveals"
        " arrived (ms). max: updates offered at once; CPU shares are of one core."
    )


if __name__ == "__main__":
    main()
