"""Crash: the bot, a process of its own, is SIGKILLed in the middle of delivering the
daily questions and restarted. Every pair gets its question, no round is created twice,
and Telegram sees at most the messages that were in flight at the kill twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.db.engine import create_engine
from sandbox import BotApiSandbox
from tests.reliability_bot import seed_due_pairs

FIRST_ID = 50_000
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Every run kills a bot delivering 300 pairs' questions; the issue's 2,000 is the heavy
# variant (`uv run pytest -m heavy`, which CI runs too).
SIZES = [
    pytest.param(300, id="300-pairs"),
    pytest.param(2000, id="2000-pairs", marks=pytest.mark.heavy),
]


async def start_bot(database_url: str, sandbox: BotApiSandbox) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.reliability_bot",
        database_url,
        sandbox.api_root,
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    return process


def questions_in(sandbox: BotApiSandbox, chat_id: int) -> int:
    return sum(1 for m in sandbox.messages_in(chat_id) if "Today's question" in m.text)


@pytest.mark.parametrize("pairs", SIZES)
async def test_sigkill_mid_delivery_then_restart_loses_and_repeats_nothing(
    sandbox: BotApiSandbox, database_url: str, pairs: int
) -> None:
    people = range(FIRST_ID, FIRST_ID + 2 * pairs)
    for person in people:
        sandbox.user(person, f"P{person}").chat.started = True
    now = datetime.now(UTC).replace(microsecond=0)
    await seed_due_pairs(database_url, pairs, FIRST_ID, now - timedelta(minutes=1))

    first = await start_bot(database_url, sandbox)
    try:
        async with asyncio.timeout(180):
            while sandbox.stats.messages_accepted < pairs // 2:
                await asyncio.sleep(0.005)
        first.send_signal(signal.SIGKILL)
    finally:
        if first.returncode is None:
            first.kill()
        await first.wait()
    accepted_at_kill = sandbox.stats.messages_accepted

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            in_flight = (
                await connection.execute(
                    text("SELECT count(*) FROM outbox WHERE status = 'sending'")
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    assert accepted_at_kill < 2 * pairs, "killed in the middle, not after"

    second = await start_bot(database_url, sandbox)
    try:
        async with asyncio.timeout(240):
            while sandbox.stats.messages_accepted < 2 * pairs:
                await asyncio.sleep(0.1)
            engine = create_engine(database_url)
            try:
                while True:
                    async with engine.connect() as connection:
                        left = (
                            await connection.execute(
                                text("SELECT count(*) FROM outbox WHERE status <> 'sent'")
                            )
                        ).scalar_one()
                        rounds = (
                            await connection.execute(
                                text("SELECT count(*), count(DISTINCT pair_id) FROM round")
                            )
                        ).one()
                    if left == 0:
                        break
                    await asyncio.sleep(0.2)
            finally:
                await engine.dispose()
    finally:
        second.send_signal(signal.SIGKILL)
        await second.wait()

    assert tuple(rounds) == (pairs, pairs), "one round per pair, none created twice"
    received = [questions_in(sandbox, person) for person in people]
    assert min(received) >= 1, "every partner got the question"
    duplicates = sum(received) - len(received)
    assert duplicates <= in_flight, (duplicates, in_flight)
