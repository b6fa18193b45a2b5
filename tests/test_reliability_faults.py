"""Reliability under faults: Telegram answering 429, 5xx, dropped connections and 403;
the database dropping the bot's connections (PostgreSQL) or locked by another process
(SQLite). Nothing is lost, nothing crashes, and the bot's error handler never runs."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import START, Running
from tests.helpers import QUESTION, execute, lift_send_limits, read_all, scalar
from tests.helpers import rows as read_rows
from tests.test_rounds_concurrency import pair_directly

NEXT_DAY = START.replace(hour=20) + timedelta(days=1)


class ErrorLog(logging.Handler):
    """ERROR records of the bot's update error handler (and any other bot logger)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def handler_errors() -> Iterator[ErrorLog]:
    capture = ErrorLog()
    logger = logging.getLogger("bot.telegram.chat")
    logger.addHandler(capture)
    try:
        yield capture
    finally:
        logger.removeHandler(capture)


def questions(user: Any) -> list[Any]:
    return [m for m in user.inbox if m.contains(QUESTION)]


async def next_day_questions(bot: Running, couples: list[Any]) -> None:
    """The daily tick for tomorrow; then every partner holds exactly two questions."""
    bot.clock.set(NEXT_DAY)
    await bot.hearth.tick()
    await bot.settle()
    for a, b in couples:
        for person in (a, b):
            assert len(questions(person)) == 2, person.format_transcript()
    assert await scalar(bot, "SELECT count(*) FROM outbox WHERE status <> 'sent'") == 0


# --- Telegram faults ---------------------------------------------------------------------


async def test_429_retry_after_is_honoured_and_nothing_is_lost(
    bot: Running, handler_errors: ErrorLog
) -> None:
    lift_send_limits(bot)
    couples = await pair_directly(bot, 5)
    bot.sandbox.faults.fail_next("sendMessage", 429, retry_after=1, count=1)
    began = time.monotonic()
    await next_day_questions(bot, couples)
    assert time.monotonic() - began >= 1.0, "the sender waited retry_after before sending on"
    assert bot.sandbox.stats.faults_injected == 1
    assert not handler_errors.records


async def test_5xx_and_dropped_connections_are_retried(
    bot: Running, handler_errors: ErrorLog
) -> None:
    lift_send_limits(bot)
    couples = await pair_directly(bot, 5)
    bot.sandbox.faults.fail_next("sendMessage", 502, count=2)
    bot.sandbox.faults.fail_next("sendMessage", 500, count=1)
    bot.sandbox.faults.drop_connection("sendMessage", count=2)
    await next_day_questions(bot, couples)
    assert bot.sandbox.stats.faults_injected == 3
    assert bot.sandbox.stats.connections_dropped >= 2
    assert not handler_errors.records


async def test_a_timeout_after_delivery_repeats_at_most_that_one_message(bot: Running) -> None:
    lift_send_limits(bot)
    couples = await pair_directly(bot, 3)
    bot.sandbox.faults.drop_connection("sendMessage", count=1, after_processing=True)
    bot.clock.set(NEXT_DAY)
    await bot.hearth.tick()
    await bot.settle()
    counts = [len(questions(person)) for couple in couples for person in couple]
    assert all(count >= 2 for count in counts), "nobody lost a question"
    assert sum(counts) - 2 * len(counts) <= 1, "only the one message in flight went twice"


async def test_stopping_mid_send_marks_what_went_and_gives_back_the_rest(bot: Running) -> None:
    """Marks are written in batches: stopping writes those of the messages already sent
    before it gives back the claims, so nothing sent goes again after a restart."""
    lift_send_limits(bot)
    await pair_directly(bot, 10)
    before = bot.hearth.sender.stats.sent
    bot.sandbox.faults.slow("sendMessage", 0.3)  # 16 at a time: 16 go, then 4 are cut
    bot.clock.set(NEXT_DAY)
    await bot.hearth.tick()
    await _until(lambda: bot.hearth.sender.stats.sent >= before + 5, 10)
    await bot.hearth.sender.stop(grace=0.1)
    sent = bot.hearth.sender.stats.sent - before
    assert 5 <= sent < 20, "stopped in the middle"
    statuses = dict(
        await read_rows(
            bot,
            "SELECT status, count(*) FROM outbox WHERE kind = 'question' "
            "AND created_at >= :t GROUP BY status",
            t=NEXT_DAY.replace(tzinfo=None),
        )
    )
    assert statuses == {"sent": sent, "pending": 20 - sent}


async def test_403_for_one_partner_marks_them_blocked_and_tells_the_partner_once(
    bot: Running, handler_errors: ErrorLog
) -> None:
    lift_send_limits(bot)
    couples = await pair_directly(bot, 4)
    (blocker, partner), others = couples[0], couples[1:]
    await read_all(bot, partner)
    blocker.chat.blocked = True  # silently: the bot learns it only from the 403
    bot.clock.set(NEXT_DAY)
    await bot.hearth.tick()
    await bot.settle()
    assert await scalar(bot, "SELECT blocked_at FROM person WHERE id = :id", id=blocker.id)
    told = [m for m in await read_all(bot, partner) if "paused hearth" in m.plain_text.lower()]
    assert len(told) == 1, [m.text for m in partner.inbox]
    bot.clock.set(NEXT_DAY + timedelta(days=1))
    await bot.hearth.tick()
    await bot.settle()
    later = [m for m in await read_all(bot, partner) if "paused hearth" in m.plain_text.lower()]
    assert later == [], "told once, not every day"
    sql = "SELECT count(*) FROM outbox WHERE kind = 'partner_blocked' AND recipient_id = :id"
    assert await scalar(bot, sql, id=partner.id) == 1
    for a, b in others:
        for person in (a, b):
            assert len(questions(person)) >= 2, "the other pairs are not affected"
    assert not handler_errors.records


# --- database faults -----------------------------------------------------------------------


async def test_postgres_connections_terminated_mid_run_reconnects_and_catches_up(
    bot: Running, database_url: str, handler_errors: ErrorLog
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    lift_send_limits(bot)
    couples = await pair_directly(bot, 10)
    bot.sandbox.faults.slow("sendMessage", 0.02)
    bot.clock.set(NEXT_DAY)
    await bot.hearth.tick()
    await asyncio.sleep(0.1)  # some of the questions are out, the rest are being sent
    await _terminate_backends(database_url)
    bot.sandbox.faults.clear()
    # Claims cut short by the lost connections come back once their lease runs out.
    bot.clock.advance(timedelta(minutes=3))
    await bot.hearth.tick()
    bot.hearth.sender.wake()
    await _until(lambda: all(len(questions(p)) >= 2 for c in couples for p in c), 20)
    await bot.settle()
    assert await scalar(bot, "SELECT count(*) FROM round") == 20, "one round per pair and day"
    a, b = couples[0]
    await a.send_text("still here")
    # Handled and answered before the next cut (a's questions are unread, so waiting for
    # "a next message" would not wait at all).
    await read_all(bot, a)
    await _terminate_backends(database_url)
    await b.send_text("me too")
    await bot.settle()
    assert await scalar(bot, "SELECT count(*) FROM round WHERE status = 'revealed'") == 1
    assert not handler_errors.records


async def _terminate_backends(database_url: str) -> None:
    import asyncpg

    url = make_url(database_url)
    connection = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, database="postgres"
    )
    try:
        victims = [
            row["pid"]
            for row in await connection.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                url.database,
            )
        ]
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid", victims
        )
        # pg_terminate_backend only signals: wait until those backends are really gone, so
        # what follows meets dropped connections rather than ones dying under a query.
        async with asyncio.timeout(10):
            while await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", victims
            ):
                await asyncio.sleep(0.02)
    finally:
        await connection.close()


LOCK_HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


async def test_sqlite_locked_by_another_process_waits_and_does_not_crash(
    bot: Running, database_url: str, handler_errors: ErrorLog
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("a file lock is SQLite's")
    lift_send_limits(bot)
    couples = await pair_directly(bot, 3)
    (a, b), *_ = couples
    await read_all(bot, a)
    path = make_url(database_url).database
    holder = subprocess.Popen(  # noqa: ASYNC220  (it only starts; we wait on the lock line)
        [sys.executable, "-c", LOCK_HOLDER, str(path), "2.5"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        began = time.monotonic()
        await a.send_text("an answer while the file is locked")
        bot.clock.set(NEXT_DAY)
        tick = asyncio.create_task(bot.hearth.tick())
        await a.expect(timeout=10)
        await tick
        await bot.settle()
        assert time.monotonic() - began >= 1.0, "the bot waited for the lock"
    finally:
        holder.wait(timeout=10)
    assert await scalar(bot, "SELECT count(*) FROM answer") == 1
    for person in (a, b):
        assert len(questions(person)) >= 2
    await execute(bot, "UPDATE person SET first_name = first_name")  # still writable
    assert not handler_errors.records


async def _until(condition: Any, timeout: float) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)
