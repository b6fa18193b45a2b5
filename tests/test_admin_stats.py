"""Operator numbers: /stats for ADMIN_USER_IDS only (anyone else gets the reply any
unknown command gets), and `hearth stats` on the command line."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.admin.service import StatsReport, StatsWindow, stats_lines
from bot.cli import main
from bot.kernel.clock import FakeClock
from bot.kernel.words import plural
from sandbox import BotApiSandbox
from tests.conftest import Running, make_settings
from tests.helpers import command, pair_couple, read_all

ADMIN = 9000


@pytest.fixture
async def admin_bot(sandbox: BotApiSandbox, database_url: str) -> AsyncIterator[Running]:
    """The bot on the real date (the command line counts against the real clock)."""
    from bot.app import Hearth

    # Today (or late yesterday) in the daytime: at night quiet hours would hold the
    # inviter's messages until 08:00.
    now = datetime.now(UTC).replace(microsecond=0)
    clock = FakeClock(now if 8 <= now.hour < 21 else now - timedelta(hours=12))
    settings = make_settings(sandbox.api_root, database_url, admin_user_ids=f"{ADMIN},42")
    hearth = Hearth(settings, clock=clock, scheduler=False)
    await hearth.start()
    try:
        yield Running(hearth, sandbox, clock)
    finally:
        await hearth.stop()


async def a_week_of_use(bot: Running) -> None:
    """Two couples: one answered today's question together, one paused with one answer;
    a third person blocked the bot."""
    first = await pair_couple(bot)
    await first.a.send_text("mine")
    await first.b.send_text("yours")
    second = await pair_couple(bot, (1003, "Carol"), (1004, "Dave"))
    await second.a.send_text("only me")
    await read_all(bot, second.b)  # the nudge first, so the next reply is /pause's
    await command(second.b, "/pause 3", "Paused")
    await bot.settle()
    for user in (*first.both, *second.both):
        await read_all(bot, user)
    await first.a.send_command("/checkin")
    await bot.settle()
    for user in first.both:
        await read_all(bot, user)
    loner = bot.sandbox.user(1005, "Erin")
    await command(loner, "/start", "Hi, I'm Hearth")
    await loner.block_bot()
    await bot.settle()


async def test_stats_for_admins_only(admin_bot: Running) -> None:
    bot = admin_bot
    await a_week_of_use(bot)
    stranger = bot.sandbox.user(1001, "Alice")
    refused = await command(stranger, "/stats")
    unknown = await command(stranger, "/nosuchcommand")
    assert refused.text == unknown.text
    assert "stats" not in {c["command"] for c in bot.sandbox.commands}

    admin = bot.sandbox.user(ADMIN, "Olive")
    report = await command(admin, "/stats", "Hearth: numbers")
    text = report.plain_text
    assert "Active pairs: 1 running, 1 paused." in text
    assert "People who have blocked the bot: 1." in text
    for days in ("1 day", "7 days", "30 days"):
        assert (
            f"Last {days}: 2 new pairs, 2 questions sent, 50% answered by both, "
            "1 check-in (0 completed), 1 person blocked the bot." in text
        ), text

    # Thirty-one days on, the windows are empty; the pairs are still there.
    bot.clock.advance(timedelta(days=31))
    later = (await command(admin, "/stats", "Hearth: numbers")).plain_text
    assert "Last 30 days: 0 new pairs, 0 questions sent, - answered by both" in later
    assert "Active pairs: 2 running, 0 paused." in later, "the 3-day pause is over"


async def test_hearth_stats_on_the_command_line(
    admin_bot: Running, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await a_week_of_use(admin_bot)
    url = admin_bot.hearth.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert await asyncio.to_thread(main, ["stats"]) == 0
    out = capsys.readouterr().out
    assert "Active pairs: 1 running, 1 paused." in out
    assert "Last 7 days: 2 new pairs, 2 questions sent, 50% answered by both" in out


def test_hearth_stats_explains_an_unmigrated_database(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/empty.db")
    assert main(["stats"]) == 1
    assert "hearth migrate" in capsys.readouterr().err


def test_counts_of_one_read_in_the_singular() -> None:
    window = StatsWindow(1, 1, 1, 1, 1, 1, 1)
    line = stats_lines(StatsReport(1, 0, 1, [window]))[-1]
    assert line == (
        "Last 1 day: 1 new pair, 1 question sent, 100% answered by both, "
        "1 check-in (1 completed), 1 person blocked the bot."
    )
    assert plural(0, "day", "days") == "0 days"
    assert plural(2, "new pair", "new pairs") == "2 new pairs"
