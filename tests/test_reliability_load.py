"""Load: 5,000 pairs answering within one minute on PostgreSQL, at the service level with
real concurrency: all 10,000 answers arrive at once (well inside the minute), and every
answer is stored with exactly one reveal per round (two messages).

How long one process takes to work through them depends on the machine (one event loop,
one core); the test prints it rather than asserting it, so a busy CI runner does not fail
a correct bot."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.checkins.service import CheckInService, Support
from bot.conversation.service import ConversationService
from bot.db.engine import create_engine
from bot.db.uow import UnitOfWorkFactory
from bot.kernel.clock import FakeClock
from bot.kernel.people import PersonInfo
from bot.prompts.library import PromptCatalog, PromptSync
from bot.rounds.service import IncomingAnswer, RoundService, RoundSettings, Saved
from tests.conftest import START
from tests.reliability_bot import seed_due_pairs

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
# Every run has 1,000 pairs answer at once; the 5,000 is the heavy variant
# (`uv run pytest -m heavy`, which CI runs too).
SIZES = [
    pytest.param(1000, id="1000-pairs"),
    pytest.param(5000, id="5000-pairs", marks=pytest.mark.heavy),
]
FIRST_ID = 100_000


@pytest.mark.parametrize("pairs", SIZES)
async def test_pairs_answering_within_a_minute(database_url: str, pairs: int) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the load test is about PostgreSQL with many connections")
    engine = create_engine(database_url)
    try:
        uow = UnitOfWorkFactory(engine)
        clock = FakeClock(START)
        catalog = PromptCatalog(PROMPTS, PromptSync(uow, clock))
        await catalog.start()
        rounds = RoundService(uow, clock, catalog, RoundSettings())
        checkins = CheckInService(uow, clock, catalog, Support())
        conversation = ConversationService(uow, clock, rounds, checkins)
        await seed_due_pairs(database_url, pairs, FIRST_ID, START - timedelta(minutes=1))
        assert (await rounds.tick()).rounds_created == pairs
        clock.advance(timedelta(minutes=5))
        async with engine.connect() as connection:  # as autovacuum would after a bulk load
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("ANALYZE"))

        gate = asyncio.Semaphore(20)  # the engine's pool: 10 + 10 overflow

        async def answer(person_id: int) -> Any:
            person = PersonInfo(person_id, f"P{person_id}")
            incoming = IncomingAnswer("text", f"answer of {person_id}", None, person_id, 7)
            async with gate:
                return await conversation.handle_message(person, incoming)

        everyone = list(range(FIRST_ID, FIRST_ID + 2 * pairs))
        began = time.monotonic()
        outcomes = await asyncio.gather(*(answer(person) for person in everyone))
        elapsed = time.monotonic() - began
        print(f"\n{2 * pairs} answers stored and revealed in {elapsed:.1f}s")
        assert all(isinstance(outcome, Saved) for outcome in outcomes)
        assert sum(outcome.revealed for outcome in outcomes) == pairs

        async with engine.connect() as connection:

            async def one(sql: str) -> Any:
                return (await connection.execute(text(sql))).one()

            assert await one("SELECT count(*) FROM answer") == (2 * pairs,)
            assert await one("SELECT count(*) FROM round WHERE status = 'revealed'") == (pairs,)
            reveals = (
                await connection.execute(text("SELECT params FROM outbox WHERE kind = 'reveal'"))
            ).all()
        per_round = Counter(_params(params)["round_id"] for (params,) in reveals)
        assert len(per_round) == pairs
        assert set(per_round.values()) == {2}, "one reveal each"
    finally:
        await engine.dispose()


def _params(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
