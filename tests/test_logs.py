"""Logs: LOG_FORMAT=json gives one object a line; the token and the webhook secret never
appear in any line at any level (the HTTP client logs URLs that hold the token), and
people's words and names never appear at INFO or above."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.kernel.clock import FakeClock
from bot.logs import NOISY_LOGGERS, RepeatLimiter, configure_logging, redact
from sandbox import BotApiSandbox
from tests.conftest import TOKEN, Running
from tests.helpers import pair_couple, read_all
from tests.ops_support import SECRET, webhook_bot
from tests.test_checkins_e2e import both_check_in, start_checkin

NAMES = ("Wilhelmina", "Bartholomew")
ANSWERS = ("Moonlit-walk-by-the-harbour", "Sourdough-on-sunday-mornings")
NOTE = "Let-us-talk-about-the-move"
PRIVATE = (*NAMES, *ANSWERS, NOTE)
LOUD_LOGGERS = ("", "telegram", "httpx", "httpcore", "uvicorn", "uvicorn.error", "bot")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Every log line, at every level, of every logger, as `hearth run` formats it."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    names = (*NOISY_LOGGERS, *LOUD_LOGGERS)
    saved_levels = {name: logging.getLogger(name).level for name in names}
    configure_logging("DEBUG", [TOKEN, SECRET], "json", stream)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)  # the noisy ones too
    try:
        yield stream
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
async def hooked(
    captured: io.StringIO, sandbox: BotApiSandbox, database_url: str, clock: FakeClock
) -> AsyncIterator[Running]:
    async with webhook_bot(sandbox, database_url, clock) as running:
        yield running


async def test_an_end_to_end_run_logs_no_secret_and_no_private_words(
    hooked: Running, captured: io.StringIO
) -> None:
    couple = await pair_couple(hooked, (3001, NAMES[0]), (3002, NAMES[1]))
    await couple.a.send_text(ANSWERS[0])
    await couple.a.expect(contains="Saved.")
    await couple.b.send_text(ANSWERS[1])
    await hooked.settle()
    assert any(m.contains(ANSWERS[0]) for m in await read_all(hooked, couple.b))
    await read_all(hooked, couple.a)
    await start_checkin(couple)
    reveal_a, _ = await both_check_in(hooked, couple, 4, 3, note_a=NOTE)
    assert NOTE in reveal_a.plain_text
    await hooked.hearth.stop()  # shutdown lines too (stop() again at teardown is harmless)

    lines = captured.getvalue().splitlines()
    assert len(lines) > 100, "DEBUG logging was on"
    entries = [json.loads(line) for line in lines]
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= entry.keys()
    assert any(e["logger"].startswith("httpx") for e in entries), "httpx spoke"
    assert any(e["logger"].startswith("telegram") for e in entries), "PTB spoke"
    assert any(e["logger"].startswith("bot.") for e in entries), "the bot spoke"

    everything = captured.getvalue()
    assert TOKEN not in everything
    assert TOKEN.split(":", 1)[1] not in everything
    assert SECRET not in everything
    assert "<redacted>" in everything, "URLs with the token were logged, redacted"
    loud = [line for line, e in zip(lines, entries, strict=True) if e["level"] != "DEBUG"]
    assert loud, "some lines at INFO or above"
    for line in loud:
        for private in PRIVATE:
            assert private not in line, f"{private!r} logged at INFO+: {line}"


def test_text_format_and_redaction_in_tracebacks() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("INFO", [TOKEN], "text", stream)
        try:
            raise ConnectionError(f"POST http://x/bot{TOKEN}/getMe failed")
        except ConnectionError:
            logging.getLogger("bot.test").exception("call to %s failed", f"/bot{TOKEN}/x")
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    text = stream.getvalue()
    assert "ERROR bot.test: call to /bot<redacted>/x failed" in text
    assert "Traceback" in text
    assert TOKEN not in text


def test_json_lines_carry_extras() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("INFO", [TOKEN], "json", stream)
        logging.getLogger("bot.test").warning("sent %d", 3, extra={"pair_id": 7})
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    entry = json.loads(stream.getvalue())
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "bot.test"
    assert entry["message"] == "sent 3"
    assert entry["pair_id"] == 7
    assert entry["time"].endswith("+00:00")


def test_any_bot_token_in_a_url_is_redacted() -> None:
    assert redact("GET /bot987654:AAbb-cc_DD/getMe", []) == "GET /bot<redacted>/getMe"


def test_above_debug_payloads_objects_and_private_fields_are_cut_out() -> None:
    update = {"update_id": 5, "message": {"text": NOTE, "from": {"first_name": NAMES[0]}}}
    stream = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("DEBUG", [TOKEN], "json", stream)
        other = logging.getLogger("telegram.ext.ExtBot")
        other.critical("Error while parsing updates! Received data was %r", [update])
        other.error("failed: %s", ValueError(f"bad {{'caption': '{ANSWERS[0]}'}}"))
        logging.getLogger("sqlalchemy.engine").warning("%s", f'{{"username": "{NAMES[1]}"}}')
        logging.getLogger("bot.test").info("sent %d to %s", 3, "a chat", extra={"n": 1})
        logging.getLogger("bot.test").debug("at DEBUG all of it: %r", update)
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 5
    for line in lines[:4]:
        for private in PRIVATE:
            assert private not in line, line
    assert "Received data was '<list of 1>'" in lines[0]
    assert "ValueError: bad {'caption': <private>}" in lines[1]
    assert json.loads(lines[3])["message"] == "sent 3 to a chat"
    assert NOTE in lines[4], "DEBUG is left whole, for a developer's own machine"


def test_a_repeated_error_is_written_once_an_interval_with_a_count() -> None:
    now = [0.0]
    limiter = RepeatLimiter(interval=10.0, clock=lambda: now[0])
    written = []
    for second in range(30):
        now[0] = float(second)
        for _ in range(1000):  # an error loop
            record = logging.LogRecord(
                "telegram.ext.Updater", logging.ERROR, "x", 0, "poll %s", ("x",), None
            )
            if limiter.filter(record):
                written.append(record.getMessage())
    assert written == [
        "poll x",
        "poll x [9999 more like this in the last 10 s]",
        "poll x [9999 more like this in the last 10 s]",
    ]
    info = logging.LogRecord("bot.x", logging.INFO, "x", 0, "handled", None, None)
    assert all(limiter.filter(info) for _ in range(5)), "INFO lines are not folded"
