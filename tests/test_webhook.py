"""Webhook mode: the secret is required, an update is stored before it is acknowledged,
a retried update is handled once, and a crash after the acknowledgement loses nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot.app import Hearth
from bot.db.models import InboxUpdate
from bot.delivery.repository import InboxRepository
from bot.kernel.clock import FakeClock
from sandbox import BotApiSandbox
from tests.conftest import Running
from tests.helpers import as_instant, find, pair_couple, read_all, rows, scalar
from tests.ops_support import (
    SECRET,
    command_update,
    free_port,
    http_get,
    post_update,
    wait_until,
    webhook_bot,
    webhook_url,
)


@pytest.fixture
async def hook(
    sandbox: BotApiSandbox, database_url: str, clock: FakeClock
) -> AsyncIterator[Running]:
    async with webhook_bot(sandbox, database_url, clock) as running:
        yield running


async def inbox_rows(bot: Running) -> list[tuple[object, ...]]:
    return await rows(bot, "SELECT update_id, status FROM inbox ORDER BY update_id")


async def send_through_sandbox(bot: Running, user_id: int, name: str, command: str) -> int:
    """The person sends a command; the sandbox posts it to the webhook. Its update_id."""
    await bot.sandbox.user(user_id, name).send_command(command)
    await bot.sandbox.wait_until_delivered()
    return int(await scalar(bot, "SELECT max(update_id) FROM inbox"))


async def stored_payload(bot: Running, update_id: int) -> dict[str, Any]:
    async with bot.hearth.uow(read_only=True) as uow:
        row = await uow.session.get(InboxUpdate, update_id)
        assert row is not None
        return dict(row.payload)


async def test_registers_the_webhook_with_its_secret_and_pairs_a_couple(hook: Running) -> None:
    hearth, sandbox = hook.hearth, hook.sandbox
    assert hearth.http is not None
    assert sandbox.webhook_url == webhook_url(hearth.http.port)
    assert sandbox.call_count("setWebhook") == 1
    assert (
        sandbox.calls[[name for name, _ in sandbox.calls].index("setWebhook")][1]["secret_token"]
        == SECRET
    )
    assert sandbox.call_count("getUpdates") == 0

    set_webhook = sandbox.calls[[name for name, _ in sandbox.calls].index("setWebhook")][1]
    assert "message_reaction" in str(set_webhook["allowed_updates"])

    couple = await pair_couple(hook)
    assert couple.pair_id > 0
    # Telegram's own reaction on the reveal arrives through the webhook too.
    await couple.a.send_text("Mine")
    await couple.b.send_text("Yours")
    await hook.settle()
    reveal = find(await read_all(hook, couple.a), "Reply to this message")
    await read_all(hook, couple.b)
    await couple.a.react(reveal.message_id, "❤")
    await couple.b.expect(contains="<b>Alice</b> reacted ❤")
    await hook.settle()
    stored = await inbox_rows(hook)
    assert len(stored) == sandbox.update_count
    assert {status for _, status in stored} == {"done"}
    assert sandbox.stats.webhook_failures == 0


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
async def test_requests_without_the_right_secret_are_refused_and_not_stored(
    hook: Running, secret: str | None
) -> None:
    hook.sandbox.user(7001, "Mallory")
    response = await post_update(hook.hearth, command_update(500, 7001, "Mallory", "/help"), secret)
    assert response.status_code == 401
    assert await inbox_rows(hook) == []
    assert hook.sandbox.messages_in(7001) == []


async def test_a_retried_update_is_handled_once(hook: Running) -> None:
    """Telegram delivers again when it missed our 200: the copy is acknowledged, not
    handled again (before and after the first one is handled)."""
    await hook.hearth.inbox.stop()
    update_id = await send_through_sandbox(hook, 7002, "Nora", "/help")
    update = await stored_payload(hook, update_id)
    again = await post_update(hook.hearth, update)
    assert again.status_code == 200
    hook.hearth.inbox.start()
    await wait_until(lambda: _all_done(hook), what="the update")
    third = await post_update(hook.hearth, update)
    assert third.status_code == 200
    await hook.hearth.inbox.wait_idle()
    await hook.settle()
    assert hook.hearth.updates.handled == 1
    assert len(hook.sandbox.messages_in(7002)) == 1
    assert await inbox_rows(hook) == [(update_id, "done")]
    metrics = (await http_get(hook.hearth, "/metrics")).text
    assert "hearth_webhook_duplicates_total 2" in metrics


async def test_malformed_bodies_are_refused(hook: Running) -> None:
    response = await post_update(hook.hearth, {"no": "update_id"})
    assert response.status_code == 400
    assert await inbox_rows(hook) == []


async def test_an_update_is_stored_before_the_acknowledgement(hook: Running) -> None:
    """With the worker stopped, the 200 comes back and the update is already in the
    inbox; a store that fails answers 500, so Telegram delivers it again."""
    await hook.hearth.inbox.stop()
    update_id = await send_through_sandbox(hook, 7003, "Olga", "/help")
    assert hook.sandbox.stats.webhook_deliveries == 1, "acknowledged"
    assert await inbox_rows(hook) == [(update_id, "pending")]
    assert hook.sandbox.messages_in(7003) == []

    async def broken_store(_payload: object) -> bool:
        raise ConnectionError("database went away")

    real_store = hook.hearth.inbox.store
    hook.hearth.inbox.store = broken_store  # type: ignore[method-assign]
    try:
        response = await post_update(hook.hearth, command_update(10**6, 7003, "Olga", "/help"))
    finally:
        hook.hearth.inbox.store = real_store  # type: ignore[method-assign]
    assert response.status_code == 500

    hook.hearth.inbox.start()
    await wait_until(lambda: len(hook.sandbox.messages_in(7003)) == 1, what="the reply")
    await wait_until(lambda: _all_done(hook), what="the stored update to be marked done", timeout=5)


async def _outbox_drained(bot: Running) -> bool:
    pending = await scalar(
        bot, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')"
    )
    return int(pending) == 0


def naive(instant: datetime) -> datetime:
    """PostgreSQL keeps UTC instants without a zone (see bot/db/types.py)."""
    return instant.replace(tzinfo=None)


async def _all_done(bot: Running) -> bool:
    return {status for _, status in await inbox_rows(bot)} == {"done"}


async def test_a_crash_after_the_acknowledgement_loses_nothing(
    sandbox: BotApiSandbox, database_url: str, clock: FakeClock
) -> None:
    """Replica one stores an update and dies mid-way (its claim is left behind); a new
    process takes the claim over when its lease runs out and handles it once."""
    async with webhook_bot(sandbox, database_url, clock) as first:
        await first.hearth.inbox.stop()
        await send_through_sandbox(first, 7004, "Pia", "/help")
        # As if the worker had claimed it and the process was killed (no release).
        async with first.hearth.uow() as uow:
            await uow.session.execute(
                update(InboxUpdate).values(
                    status="processing",
                    claimed_until=clock.now() + timedelta(minutes=2),
                    attempts=1,
                )
            )
            await uow.commit()
    assert sandbox.messages_in(7004) == []

    async with webhook_bot(sandbox, database_url, clock) as second:
        await second.hearth.inbox.wait_idle()
        assert sandbox.messages_in(7004) == [], "the lease has not run out yet"
        clock.advance(timedelta(minutes=3))
        second.hearth.inbox.wake()
        await wait_until(lambda: len(sandbox.messages_in(7004)) == 1, what="the reply")
        await wait_until(lambda: _all_done(second), what="done", timeout=5)
        assert await scalar(second, "SELECT attempts FROM inbox") == 2


async def test_one_chats_updates_run_in_order_across_claims(hook: Running) -> None:
    """A chat's second update is not claimed while its first is still open."""
    await hook.hearth.inbox.stop()
    ids = [
        await send_through_sandbox(hook, 7005, "Quinn", c) for c in ("/help", "/status", "/help")
    ]
    async with hook.hearth.uow() as uow:
        now = hook.clock.now()
        claimed = await InboxRepository(uow.session).claim(now, now + timedelta(minutes=2), 10)
        await uow.commit()
    assert [row.update_id for row in claimed] == ids[:1]
    async with hook.hearth.uow() as uow:
        again = await InboxRepository(uow.session).claim(now, now + timedelta(minutes=2), 10)
        await uow.commit()
    assert again == [], "511 waits for 510, and 510 is claimed"
    async with hook.hearth.uow() as uow:
        await InboxRepository(uow.session).release(ids[:1])
        await uow.commit()
    hook.hearth.inbox.start()
    await wait_until(lambda: _all_done(hook), what="all three", timeout=10)
    assert len(hook.sandbox.messages_in(7005)) == 3


async def test_stopping_gives_back_claimed_updates(hook: Running) -> None:
    await hook.hearth.inbox.stop()
    update_id = await send_through_sandbox(hook, 7006, "Rae", "/help")
    async with hook.hearth.uow() as uow:
        now = hook.clock.now()
        claimed = await InboxRepository(uow.session).claim(now, now + timedelta(minutes=2), 10)
        await uow.commit()
    hook.hearth.inbox._claimed.update(row.update_id for row in claimed)
    assert await hook.hearth.inbox.stop() == 1
    assert await inbox_rows(hook) == [(update_id, "pending")]


def test_hearth_is_in_webhook_mode_only_with_a_url(sqlite_url: str) -> None:
    from tests.conftest import make_settings

    polling = Hearth(make_settings("http://127.0.0.1:9", sqlite_url))
    assert not polling.webhook_mode
    hooked = Hearth(
        make_settings(
            "http://127.0.0.1:9", sqlite_url, webhook_url="https://x.example/h", webhook_secret="s"
        )
    )
    assert hooked.webhook_mode


# --- two replicas on one PostgreSQL ---------------------------------------------------


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    from tests.conftest import _truncate_all

    asyncio.run(_truncate_all(postgres_database))
    return postgres_database


@pytest.mark.postgres
async def test_two_replicas_share_the_work_once_and_one_send_budget(
    sandbox: BotApiSandbox, postgres_url: str, clock: FakeClock
) -> None:
    """Two bots in webhook mode on one PostgreSQL, behind one webhook URL: every round
    and every message happens once, both replicas send, and together they keep to one
    budget of 30 messages a second (the sandbox answers 429 beyond it)."""
    couples = 35
    port_a = free_port()
    url = webhook_url(port_a)
    async with (
        webhook_bot(sandbox, postgres_url, clock, port=port_a) as a,
        webhook_bot(sandbox, postgres_url, clock, register_url=url) as b,
    ):
        assert sandbox.webhook_url == url
        for index in range(couples):
            await pair_couple(
                a, (20_000 + 2 * index, f"A{index}"), (20_001 + 2 * index, f"B{index}")
            )
        await wait_until(lambda: _all_done(a), what="pairing updates", timeout=20)
        for replica in (a, b):
            await replica.hearth.sender.wait_idle()
            replica.hearth.sender._batch_size = 4  # small claims, so both replicas send
        assert await scalar(a, "SELECT count(*) FROM pair WHERE status = 'active'") == couples

        # Per chat, 1/s with a burst of 3, as the bot budgets it: the pairing messages of
        # the last second must not turn today's question into a 429.
        sandbox.enforce_rate_limits(global_per_second=30, per_chat_per_second=1, burst=3)
        sandbox.stats.accepted.clear()
        sandbox.stats.too_many_requests = 0
        sent_before = {id(r): r.hearth.sender.stats.sent for r in (a, b)}
        next_prompt = await scalar(a, "SELECT min(next_prompt_at) FROM pair")
        tick_at = clock.set(as_instant(next_prompt) + timedelta(minutes=1))
        await asyncio.gather(a.hearth.tick(), b.hearth.tick(), a.hearth.tick(), b.hearth.tick())
        await wait_until(
            lambda: _outbox_drained(a), timeout=30, what="every queued message to be sent"
        )
        await asyncio.sleep(0.5)  # anything sent twice would arrive by now

        queued = await rows(
            a, "SELECT recipient_id, kind FROM outbox WHERE created_at >= :t", t=naive(tick_at)
        )
        questions = sorted(chat for chat, kind in queued if kind == "question")
        assert questions == sorted({*questions}), "one question each"
        assert len(questions) == 2 * couples
        assert len(sandbox.stats.accepted) == len(queued), "each queued message sent once"
        assert sorted(chat for _, chat in sandbox.stats.accepted) == sorted(c for c, _ in queued)
        assert sandbox.stats.too_many_requests == 0
        # One budget of 30/s for both (each alone would allow itself 30/s, and together
        # they would need half the time). A loaded machine may send a message late and
        # bunch it with the next ones, so the span gets half a second of slack.
        times = [moment for moment, _ in sandbox.stats.accepted]
        assert times[-1] - times[0] >= (len(times) - 1) / 30 - 0.5
        assert sandbox.stats.peak_per_second() <= 40

        sent = {id(r): r.hearth.sender.stats.sent - sent_before[id(r)] for r in (a, b)}
        assert all(count > 0 for count in sent.values()), f"both replicas send: {sent}"
        assert sum(sent.values()) == len(queued)

        rounds_per_pair = await rows(
            a, "SELECT pair_id, count(*) FROM round GROUP BY pair_id HAVING count(*) <> 2"
        )
        assert rounds_per_pair == [], "the first question at pairing, and today's: no more"
        duplicates = await rows(
            a,
            "SELECT recipient_id, kind, count(*) FROM outbox WHERE kind = 'question' "
            "GROUP BY recipient_id, kind, params::text HAVING count(*) > 1",
        )
        assert duplicates == []
        assert await scalar(a, "SELECT count(*) FROM outbox WHERE status <> 'sent'") == 0
        assert await scalar(a, "SELECT count(*) FROM send_budget WHERE scope = 'all'") == 1
