"""How many SQL statements an answer costs, counted with a SQLAlchemy event listener on
both engines. Each answer is one transaction; these ceilings are today's counts, so a
change that adds a round trip to the hottest path fails here and has to say why."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.checkins.service import CheckInService, Support
from bot.conversation.service import ConversationService
from bot.db.engine import create_engine
from bot.db.people import PairRepository, PersonRepository
from bot.db.uow import UnitOfWorkFactory
from bot.kernel.clock import FakeClock
from bot.kernel.people import PersonInfo
from bot.prompts.library import PromptCatalog, PromptSync
from bot.rounds.repository import RoundRepository
from bot.rounds.service import IncomingAnswer, RoundService, RoundSettings, Saved

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
FIRST_ANSWER_CEILING = 13  # issue 14's target is 5
REVEALING_ANSWER_CEILING = 15
ALICE, BOB = PersonInfo(1, "Alice"), PersonInfo(2, "Bob")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    built = create_engine(database_url)
    yield built
    await built.dispose()


async def _conversation_with_a_round(engine: AsyncEngine) -> ConversationService:
    uow = UnitOfWorkFactory(engine)
    clock = FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    catalog = PromptCatalog(PROMPTS, PromptSync(uow, clock))
    await catalog.start()
    rounds = RoundService(uow, clock, catalog, RoundSettings())
    async with uow() as work:
        for person in (ALICE, BOB):
            await PersonRepository(work.session).upsert(person, clock.now())
        pair = await PairRepository(work.session).create(1, 2, clock.now(), "UTC", time(12, 0))
        assert pair.id is not None
        await RoundRepository(work.session).set_next_prompt_at([(pair.id, clock.now())])
        await work.commit()
    assert (await rounds.tick()).rounds_created == 1
    return ConversationService(uow, clock, rounds, CheckInService(uow, clock, catalog, Support()))


async def test_an_answer_is_one_transaction_with_few_statements(engine: AsyncEngine) -> None:
    conversation = await _conversation_with_a_round(engine)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]).split()[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    first = await conversation.handle_message(ALICE, IncomingAnswer("text", "Mine", None, 1, 10))
    first_count, statements[:] = _counted(statements), []
    second = await conversation.handle_message(BOB, IncomingAnswer("text", "Yours", None, 2, 11))
    second_count = _counted(statements)
    assert isinstance(first, Saved)
    assert isinstance(second, Saved)
    assert second.revealed
    assert first_count <= FIRST_ANSWER_CEILING, first_count
    assert second_count <= REVEALING_ANSWER_CEILING, second_count


def _counted(statements: list[str]) -> int:
    """Statements sent, not counting BEGIN (SQLite's BEGIN IMMEDIATE goes as a statement;
    PostgreSQL's transaction start does not)."""
    assert statements.count("BEGIN") <= 1, "one transaction"
    return sum(1 for statement in statements if statement != "BEGIN")
