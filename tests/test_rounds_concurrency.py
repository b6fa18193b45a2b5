"""The reveal happens exactly once when both partners answer in the same instant, on SQLite
and on PostgreSQL; and a bot killed in the middle of the daily fan-out, then restarted,
loses no round and sends none twice."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from bot.app import Hearth
from bot.checkins.service import CheckInService, Support
from bot.conversation.service import ConversationService
from bot.db.engine import create_engine
from bot.db.people import PairRepository, PersonRepository
from bot.db.uow import UnitOfWorkFactory
from bot.kernel.clock import FakeClock
from bot.kernel.people import PersonInfo
from bot.pairing.service import InviteCreated, Paired
from bot.prompts.library import PromptCatalog, PromptSync
from bot.rounds.repository import RoundRepository
from bot.rounds.service import IncomingAnswer, RoundService, RoundSettings, Saved
from sandbox import BotApiSandbox
from tests.conftest import START, Running, make_settings
from tests.helpers import QUESTION, as_date, lift_send_limits, read_all, rows, scalar

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
NEXT_DAY = START.replace(hour=20) + timedelta(days=1)
PAIRS_AT_ONCE = 25  # 50 transactions in flight; the PostgreSQL pool holds 20 connections


# --- 500 pairs at the service level ----------------------------------------------------


@dataclass
class Services:
    uow: UnitOfWorkFactory
    rounds: RoundService
    clock: FakeClock
    conversation: ConversationService
    peak_connections: int = 0


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    """The round service on its own (no Telegram), counting connections used at once."""
    engine = create_engine(database_url)
    uow = UnitOfWorkFactory(engine)
    clock = FakeClock(START)
    catalog = PromptCatalog(PROMPTS, PromptSync(uow, clock))
    await catalog.start()
    rounds = RoundService(uow, clock, catalog, RoundSettings())
    checkins = CheckInService(uow, clock, catalog, Support())
    built = Services(uow, rounds, clock, ConversationService(uow, clock, rounds, checkins))
    in_use = 0

    def checked_out(*_: Any) -> None:
        nonlocal in_use
        in_use += 1
        built.peak_connections = max(built.peak_connections, in_use)

    def checked_in(*_: Any) -> None:
        nonlocal in_use
        in_use -= 1

    event.listen(engine.sync_engine, "checkout", checked_out)
    event.listen(engine.sync_engine, "checkin", checked_in)
    try:
        yield built
    finally:
        await engine.dispose()


def partners(pair_count: int, first_id: int = 10_000) -> list[tuple[PersonInfo, PersonInfo]]:
    return [
        (
            PersonInfo(first_id + 2 * n, f"A{n}"),
            PersonInfo(first_id + 2 * n + 1, f"B{n}"),
        )
        for n in range(pair_count)
    ]


async def create_pairs_with_a_round(built: Services, couples: list[tuple[PersonInfo, ...]]) -> None:
    """Pairs made straight in the database, then one tick gives each its round."""
    now = built.clock.now()
    async with built.uow() as uow:
        pair_ids = []
        for a, b in couples:
            await PersonRepository(uow.session).upsert(a, now)
            await PersonRepository(uow.session).upsert(b, now)
            pair = await PairRepository(uow.session).create(a.id, b.id, now, "UTC", time(20, 0))
            assert pair.id is not None
            pair_ids.append(pair.id)
        await RoundRepository(uow.session).set_next_prompt_at(
            [(pair_id, now) for pair_id in pair_ids]
        )
        await uow.commit()
    report = await built.rounds.tick()
    assert report.rounds_created == len(couples)


async def sql_rows(built: Services, sql: str) -> list[tuple[Any, ...]]:
    async with built.uow(read_only=True) as uow:
        return [tuple(row) for row in (await uow.session.execute(text(sql))).all()]


async def test_500_simultaneous_double_answers_reveal_exactly_500_times(
    services: Services, database_url: str
) -> None:
    couples = partners(500)
    await create_pairs_with_a_round(services, couples)

    async def answer(person: PersonInfo) -> Any:
        incoming = IncomingAnswer("text", f"answer of {person.id}", None, person.id, 1)
        return await services.conversation.handle_message(person, incoming)

    # The two partners of a pair answer in the same instant, and many pairs at once: more
    # than the pool has connections, few enough that nobody waits out the pool's timeout.
    many_at_once = asyncio.Semaphore(PAIRS_AT_ONCE)

    async def both_answer(couple: tuple[PersonInfo, PersonInfo]) -> list[Any]:
        async with many_at_once:
            return list(await asyncio.gather(*(answer(p) for p in couple)))

    per_pair = await asyncio.gather(*(both_answer(couple) for couple in couples))

    outcomes = [outcome for pair in per_pair for outcome in pair]
    assert all(isinstance(o, Saved) for o in outcomes), {type(o).__name__ for o in outcomes}
    assert all(sorted(o.revealed for o in pair) == [False, True] for pair in per_pair)
    if database_url.startswith("postgresql"):
        assert services.peak_connections >= 5, "the answers really ran side by side"

    [(revealed, rounds)] = await sql_rows(
        services, "SELECT sum(CASE WHEN status = 'revealed' THEN 1 ELSE 0 END), count(*) FROM round"
    )
    assert (revealed, rounds) == (500, 500)
    reveals = await sql_rows(
        services, "SELECT recipient_id, params FROM outbox WHERE kind = 'reveal' ORDER BY id"
    )
    assert len(reveals) == 1000
    per_round = Counter(_params(params)["round_id"] for _, params in reveals)
    assert set(per_round.values()) == {2}
    for recipient, params in reveals:
        shown = _params(params)
        assert shown["own_answer"]["body"] == f"answer of {recipient}"
        assert shown["partner_answer"]["body"].startswith("answer of ")
        assert shown["partner_answer"]["chat_id"] != recipient
    unanswered = await sql_rows(
        services,
        "SELECT count(*) FROM round r WHERE r.status = 'revealed' "
        "AND (SELECT count(*) FROM answer a WHERE a.round_id = r.id) <> 2",
    )
    assert unanswered == [(0,)], "no reveal without two answers"
    [(nudges,)] = await sql_rows(services, "SELECT count(*) FROM outbox WHERE kind = 'nudge'")
    assert nudges == 500, "the first of each pair nudged the other, the second revealed"


def _params(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


# --- the same race end to end, through the sandbox -------------------------------------


async def pair_directly(bot: Running, count: int, first_id: int = 20_000) -> list[Any]:
    """Pairs made through the pairing service (no chat needed), as sandbox users."""
    couples = []
    for a, b in partners(count, first_id):
        for person in (a, b):
            user = bot.sandbox.user(person.id, person.first_name)
            user.chat.started = True  # as if each had opened the chat with the bot
        invite = await bot.hearth.pairing.create_invite(a)
        assert isinstance(invite, InviteCreated)
        assert isinstance(await bot.hearth.pairing.accept_invite(b, invite.token), Paired)
        couples.append((bot.sandbox.user(a.id), bot.sandbox.user(b.id)))
    await bot.settle()
    return couples


async def test_20_couples_answering_at_once_through_telegram(bot: Running) -> None:
    lift_send_limits(bot)
    couples = await pair_directly(bot, 20)
    for a, b in couples:
        # Paired and the first question (and each partner's question about their zone).
        assert len(_not_zone_questions(await read_all(bot, a))) == 2
        assert len(_not_zone_questions(await read_all(bot, b))) == 1
    for a, b in couples:  # every update is queued before the bot fetches any
        await a.send_text(f"{a.first_name} <says> & smiles")
        await b.send_text(f"{b.first_name} <says> & smiles")
    await bot.settle()
    for a, b in couples:
        for reader, partner in ((a, b), (b, a)):
            messages = await read_all(bot, reader)
            reveals = [m for m in messages if m.contains("Reply to this message")]
            assert len(reveals) == 1, [m.text for m in messages]
            assert f"{partner.first_name} <says> & smiles" in reveals[0].plain_text
            assert f"{reader.first_name} <says> & smiles" in reveals[0].plain_text
    assert await scalar(bot, "SELECT count(*) FROM round WHERE status = 'revealed'") == 20
    assert await scalar(bot, "SELECT count(*) FROM outbox WHERE kind = 'reveal'") == 40


# --- killed mid-dispatch -----------------------------------------------------------------


class Killed(BaseException):
    """The process died: nothing after this point of the tick runs."""


class DyingCatalog:
    """The real catalog, until the process dies while choosing the `dies_at`-th question."""

    def __init__(self, catalog: PromptCatalog, dies_at: int) -> None:
        self._catalog = catalog
        self._left = dies_at

    def __getattr__(self, name: str) -> Any:
        return getattr(self._catalog, name)

    def choose_daily(self, *args: Any, **kwargs: Any) -> Any:
        self._left -= 1
        if self._left <= 0:
            raise Killed
        return self._catalog.choose_daily(*args, **kwargs)


async def start_hearth(sandbox: BotApiSandbox, database_url: str, clock: FakeClock) -> Hearth:
    hearth = Hearth(make_settings(sandbox.api_root, database_url), clock=clock, scheduler=False)
    await hearth.start()
    return hearth


async def test_killed_mid_dispatch_then_restarted_loses_and_repeats_nothing(
    sandbox: BotApiSandbox, database_url: str, clock: FakeClock
) -> None:
    first = await start_hearth(sandbox, database_url, clock)
    running = Running(first, sandbox, clock)
    lift_send_limits(running)
    couples = await pair_directly(running, 30)
    clock.set(NEXT_DAY)
    # The daily fan-out in batches of 8: two batches commit, the process dies in the third.
    doomed = RoundService(
        first.uow,
        clock,
        DyingCatalog(first.catalog, dies_at=20),
        RoundSettings(tick_batch=8),  # type: ignore[arg-type]
    )
    with pytest.raises(Killed):
        await doomed.tick()
    await running.settle()
    await first.stop()
    made_before = await count_rounds_on(running, NEXT_DAY.date())
    assert made_before == 16, "two whole batches, and nothing of the third"

    second = await start_hearth(sandbox, database_url, clock)
    try:
        restarted = Running(second, sandbox, clock)
        lift_send_limits(restarted)
        await second.tick()
        await second.tick()
        await restarted.settle()
        assert await count_rounds_on(restarted, NEXT_DAY.date()) == 30
        per_pair = await rows(restarted, "SELECT pair_id, count(*) FROM round GROUP BY pair_id")
        assert {count for _, count in per_pair} == {2}
        questions = await rows(
            restarted,
            "SELECT recipient_id, count(*), min(status) FROM outbox WHERE kind = 'question' "
            "GROUP BY recipient_id",
        )
        assert len(questions) == 60
        assert {(count, status) for _, count, status in questions} == {(2, "sent")}
        for a, b in couples:
            for person in (a, b):
                received = [m for m in person.inbox if m.contains(QUESTION)]
                assert len(received) == 2, f"{person.first_name}: one question a day"
    finally:
        await second.stop()


async def count_rounds_on(bot: Running, day: Any) -> int:
    found = await rows(bot, "SELECT local_date FROM round")
    return sum(1 for (local_date,) in found if as_date(local_date) == day)


async def test_sender_killed_mid_send_delivers_the_rest_after_restart(
    sandbox: BotApiSandbox, database_url: str, clock: FakeClock
) -> None:
    first = await start_hearth(sandbox, database_url, clock)
    running = Running(first, sandbox, clock)
    lift_send_limits(running)
    couples = await pair_directly(running, 10)
    clock.set(NEXT_DAY)
    sandbox.faults.slow("sendMessage", 0.05)
    await first.tick()
    people = [person for couple in couples for person in couple]
    await _wait_until(lambda: sum(len(_questions(p)) for p in people) >= 25)
    await first.stop()  # killed while sending
    in_flight = await scalar(running, "SELECT count(*) FROM outbox WHERE status = 'sending'")
    sandbox.faults.clear()

    second = await start_hearth(sandbox, database_url, clock)
    try:
        restarted = Running(second, sandbox, clock)
        lift_send_limits(restarted)
        clock.advance(timedelta(minutes=3))  # the dead sender's claims run out
        await second.tick()
        second.sender.wake()
        await restarted.settle()
        assert await scalar(restarted, "SELECT count(*) FROM round") == 20
        unsent = "SELECT count(*) FROM outbox WHERE status <> 'sent'"
        assert await scalar(restarted, unsent) == 0
        received = [len(_questions(person)) for person in people]
        assert all(count >= 2 for count in received), "nobody lost a question"
        assert sum(received) - 2 * len(people) <= in_flight, "at most the in-flight ones twice"
    finally:
        await second.stop()


def _questions(person: Any) -> list[Any]:
    return [m for m in person.inbox if m.contains(QUESTION)]


async def _wait_until(condition: Any, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def _not_zone_questions(messages: list[Any]) -> list[Any]:
    return [m for m in messages if "Where do you live?" not in m.text]
