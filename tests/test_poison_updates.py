"""One update the library cannot read (here a poll in the shape of a Bot API server older
than 9.6, whose options lack `persistent_id`) is set aside: one log line, one count in
`hearth_updates_unparseable_total`, and everyone else is served as before. In long
polling the offset moves past it; in webhook mode the inbox marks it failed with its
kind and reason, and `hearth inbox failed` lists it. Then a fuzz test below the library:
arbitrary JSON-shaped updates through getUpdates never stop the bot."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.ext import ExtBot

from bot.cli import main
from bot.kernel.clock import FakeClock
from bot.logs import configure_logging
from sandbox import BotApiSandbox, SimulatedUser
from tests.conftest import TOKEN, Running
from tests.helpers import Couple, pair_couple, rows
from tests.ops_support import SECRET, webhook_bot

NAMES = ("Wilhelmina", "Bartholomew")
ANSWER = "Moonlit-walk-by-the-harbour"
POLL_QUESTION = "Secret-poll-question"
POLL_OPTION = "Secret-poll-option"
PRIVATE = (*NAMES, ANSWER, POLL_QUESTION, POLL_OPTION)
UNPARSEABLE = "hearth_updates_unparseable_total"


def old_poll(user_id: int, first_name: str) -> dict[str, Any]:
    """A private message carrying a poll, as a Bot API server before 9.6 sends it."""
    person = {"id": user_id, "is_bot": False, "first_name": first_name, "username": "willa"}
    option = {"text": POLL_OPTION, "voter_count": 0}
    return {
        "message": {
            "message_id": 90_001,
            "date": 1_770_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": first_name},
            "from": person,
            "poll": {
                "id": "5001",
                "question": POLL_QUESTION,
                "options": [option, {**option, "text": "Other"}],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
            },
        }
    }


@contextlib.contextmanager
def run_logs(libraries_at_info: bool) -> Iterator[io.StringIO]:
    """What `hearth run` writes (text format, INFO). With `libraries_at_info`, every
    library speaks at INFO too: telegram, httpx, apscheduler, uvicorn and sqlalchemy (its
    SQL with parameters)."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    names = ("telegram", "httpx", "httpcore", "apscheduler", "uvicorn", "sqlalchemy.engine")
    saved = {name: logging.getLogger(name).level for name in names}
    configure_logging("INFO", [TOKEN, SECRET], "text", stream)
    for name in names if libraries_at_info else ():
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


async def answer_is_acknowledged_within_a_second(user: SimulatedUser) -> float:
    loop = asyncio.get_running_loop()
    started = loop.time()
    await user.send_text(ANSWER)
    while not (await user.expect(timeout=max(0.0, started + 1.0 - loop.time()))).contains("Saved."):
        pass  # a nudge about the partner's answer may come first
    return loop.time() - started


async def unparseable_metric(bot: Running) -> int:
    page = await bot.hearth.operations.metrics()
    line = next(line for line in page.splitlines() if line.startswith(UNPARSEABLE + " "))
    return int(float(line.split()[1]))


def set_aside_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.runtime.poison"]


async def test_long_polling_sets_a_poison_update_aside(
    bot: Running, caplog: pytest.LogCaptureFixture
) -> None:
    couple = await pair_couple(bot, (3001, NAMES[0]), (3002, NAMES[1]))
    caplog.set_level(logging.INFO)
    poison = bot.sandbox.inject_update(old_poll(3001, NAMES[0]))

    waited = await answer_is_acknowledged_within_a_second(couple.b)

    await bot.settle()
    assert waited < 1.0
    assert bot.sandbox.pending_updates == [], "the offset moved past the poison"
    assert await unparseable_metric(bot) == 1
    (record,) = set_aside_records(caplog)
    line = record.getMessage()
    assert str(poison["update_id"]) in line
    assert "(message)" in line
    assert "TypeError" in line
    assert not any("Error while parsing" in r.getMessage() for r in caplog.records)
    for private in PRIVATE:
        assert private not in caplog.text


async def test_webhook_mode_marks_a_poison_update_failed_and_lists_it(
    sandbox: BotApiSandbox,
    database_url: str,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `hearth inbox failed` lists the last day of real time; midday today is within it and
    # outside everyone's quiet hours, so the pairing messages are not held for the morning.
    clock.set(datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0))
    async with webhook_bot(sandbox, database_url, clock) as hook:
        couple = await pair_couple(hook, (3001, NAMES[0]), (3002, NAMES[1]))
        caplog.set_level(logging.INFO)
        poison = sandbox.inject_update(old_poll(3001, NAMES[0]))

        waited = await answer_is_acknowledged_within_a_second(couple.b)
        await hook.settle()
        await hook.hearth.inbox.wait_idle()

        assert waited < 1.0
        assert await unparseable_metric(hook) == 1
        assert len(set_aside_records(caplog)) == 1
        failed = await rows(
            hook, "SELECT update_id, kind, reason, attempts FROM inbox WHERE status = 'failed'"
        )
        assert failed == [(poison["update_id"], "message", "unparseable: TypeError", 1)]
        await _the_chat_is_not_held(hook, couple)

    monkeypatch.setenv("DATABASE_URL", database_url)
    assert await asyncio.to_thread(main, ["inbox", "failed"]) == 0
    out = capsys.readouterr().out
    assert str(poison["update_id"]) in out
    assert "unparseable: TypeError" in out
    assert "1 update given up on" in out
    for private in PRIVATE:
        assert private not in out


async def _the_chat_is_not_held(hook: Running, couple: Couple) -> None:
    """The poison came from A's chat: A's next update is handled, not held behind it."""
    await couple.a.send_text("/help")
    await couple.a.expect(timeout=1.0)


async def _poison_run(bot: Running, poisons: int) -> None:
    """A couple answers while `poisons` unreadable updates arrive from one of them."""
    couple = await pair_couple(bot, (3001, NAMES[0]), (3002, NAMES[1]))
    for _ in range(poisons):
        bot.sandbox.inject_update(old_poll(3001, NAMES[0]))
    await answer_is_acknowledged_within_a_second(couple.a)
    await answer_is_acknowledged_within_a_second(couple.b)
    await bot.settle()
    assert await unparseable_metric(bot) == poisons


async def test_no_private_word_reaches_any_logger(bot: Running) -> None:
    with run_logs(libraries_at_info=True) as stream:
        await _poison_run(bot, 5)
        await _what_plain_ptb_logs_is_safe(bot)
        await bot.hearth.stop()

    everything = stream.getvalue()
    assert " sqlalchemy.engine" in everything, "SQL was logged at INFO"
    assert "Error while parsing updates! Received data was '<list of 1>'" in everything
    for private in PRIVATE:
        assert private not in everything, f"{private!r} logged: {everything[-3000:]}"


async def test_a_flood_of_poison_updates_costs_few_log_lines(bot: Running) -> None:
    with run_logs(libraries_at_info=False) as stream:
        await _poison_run(bot, 50)
        await bot.hearth.stop()

    lines = stream.getvalue().splitlines()
    assert len([line for line in lines if "set aside" in line]) == 1, "repeats folded"
    assert len(lines) < 100, "\n".join(lines)
    print(f"{len(lines)} log lines for 50 poison updates and two answers")


async def _what_plain_ptb_logs_is_safe(bot: Running) -> None:
    """PTB's own bot, which reads a batch whole, logs the raw updates at CRITICAL."""
    bot.sandbox.inject_update(old_poll(3001, NAMES[0]))
    await bot.hearth.application.updater.stop()  # type: ignore[union-attr]
    plain = ExtBot(TOKEN, base_url=bot.sandbox.base_url)
    with contextlib.suppress(TypeError):
        await plain.get_updates(offset=-1)


# --- fuzz: arbitrary JSON-shaped updates below the library ------------------------------

KINDS = ("message", "edited_message", "callback_query", "my_chat_member", "poll", "channel_post")
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_value = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def _message(user_id: int) -> dict[str, Any]:
    return {
        "message_id": 1,
        "date": 1_770_000_000,
        "chat": {"id": user_id, "type": "private", "first_name": "Fuzz"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Fuzz"},
        "text": "hello",
    }


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"x": [value]}
    return value


@st.composite
def broken_message(draw: st.DrawFn) -> dict[str, Any]:
    """A real-looking message with a field removed, retyped, huge, deep or made up."""
    message = _message(draw(st.sampled_from((3901, 2**62, 2**80, -1))))
    field = draw(st.sampled_from(sorted(message)))
    change = draw(st.sampled_from(("drop", "retype", "unknown", "deep")))
    if change == "drop":
        del message[field]
    elif change == "retype":
        message[field] = draw(json_value)
    elif change == "unknown":
        message[draw(st.text(min_size=1, max_size=12))] = draw(json_value)
    else:
        message[field] = _deep(draw(st.integers(10, 400)))
    return {draw(st.sampled_from(KINDS)): message}


arbitrary_update = st.one_of(
    broken_message(),
    st.dictionaries(st.sampled_from(KINDS), json_value, min_size=1, max_size=2),
    st.dictionaries(st.text(max_size=12), json_value, max_size=3),
)


async def test_arbitrary_updates_below_the_library_never_stop_the_bot(bot: Running) -> None:
    couple = await pair_couple(bot, (3001, NAMES[0]), (3002, NAMES[1]))
    await couple.a.send_text(ANSWER)
    await couple.a.expect(contains="Saved.")
    loop = asyncio.get_running_loop()
    batches = 0

    async def one_batch(updates: list[dict[str, Any]]) -> None:
        nonlocal batches
        for fields in updates:
            json.dumps(fields)  # JSON-shaped, as a server could send it
            bot.sandbox.inject_update(fields)
        await couple.b.send_text("/status")  # a partner, served as ever
        await couple.b.expect(timeout=2.0)
        await bot.settle()
        await _read_the_rest(couple.b)
        batches += 1

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(arbitrary_update, min_size=1, max_size=5))
    def property_holds(updates: list[dict[str, Any]]) -> None:
        asyncio.run_coroutine_threadsafe(one_batch(updates), loop).result(timeout=30)

    await asyncio.to_thread(property_holds)

    assert batches >= 40
    assert bot.sandbox.pending_updates == []
    await couple.b.send_text("Sourdough on sunday")
    await couple.b.expect(timeout=2.0)


async def _read_the_rest(user: SimulatedUser) -> None:
    while user.unread:
        await user.expect()


async def test_webhook_mode_gives_up_after_three_failed_attempts(
    sandbox: BotApiSandbox, database_url: str, clock: FakeClock
) -> None:
    """Handling that keeps failing (not reading: the step after) is retried, then failed
    with its reason; the chat's later updates are not held behind it."""
    async with webhook_bot(sandbox, database_url, clock) as hook:
        couple = await pair_couple(hook, (3001, NAMES[0]), (3002, NAMES[1]))
        inbox = hook.hearth.inbox
        real_process = inbox._process
        attempts = []

        async def failing_once_stored(payload: dict[str, Any]) -> None:
            if payload["update_id"] == doomed:
                attempts.append(doomed)
                raise ConnectionResetError("database went away")
            await real_process(payload)

        inbox._process = failing_once_stored
        doomed = sandbox.update_count + 1
        await couple.a.send_text("/status")
        await hook.sandbox.wait_until_delivered()
        await _the_chat_is_not_held(hook, couple)

        assert attempts == [doomed] * 3
        failed = await rows(
            hook, "SELECT update_id, kind, reason FROM inbox WHERE status = 'failed'"
        )
        assert failed == [(doomed, "message", "handling raised ConnectionResetError")]


async def test_the_sandbox_control_api_queues_a_raw_update(sandbox: BotApiSandbox) -> None:
    body = json.dumps({"update_id": 999, "poll": {"id": "1", "\ud800x": "\ud800"}})
    async with httpx.AsyncClient(trust_env=False, timeout=5) as client:
        response = await client.post(
            sandbox.api_root + "/sandbox/updates",
            content=body.encode("ascii"),
            headers={"Content-Type": "application/json"},
        )
    queued = response.json()["result"]
    assert queued["update_id"] == 1, "the sandbox numbers updates itself"
    assert sandbox.pending_updates == [queued]
