"""`hearth prompts stats`: figures from real rounds (sent, answered by both, median
length, skipped), on both engines, read by the curator's command."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot.cli import main
from bot.prompts.repository import PromptRepository
from tests.conftest import Running
from tests.helpers import pair_couple, rows, scalar, tick


async def test_stats_count_sends_reveals_lengths_and_skips(
    bot: Running,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    couple = await pair_couple(bot)
    await couple.a.send_text("abcd")
    await couple.b.send_text("abcdefghij")
    await bot.settle()
    first = await scalar(bot, "SELECT prompt_id FROM round WHERE pair_id = :p", p=couple.pair_id)

    bot.clock.advance(timedelta(days=1, hours=12))
    await tick(bot)
    await couple.a.send_command("/skip")
    await bot.settle()
    skipped, current = (
        await rows(bot, "SELECT skipped_prompt_id, prompt_id FROM round ORDER BY id DESC")
    )[0]
    assert skipped is not None

    async with bot.hearth.uow(read_only=True) as uow:
        stats = {stat.prompt_id: stat for stat in await PromptRepository(uow.session).stats()}
    assert stats[first].sent == 1
    assert stats[first].answered_by_both == 1
    assert stats[first].answer_rate == 1.0
    assert stats[first].median_answer_length == 7.0
    assert stats[skipped].skipped == 1
    assert stats[skipped].sent == 1
    assert stats[current].sent == 1
    assert stats[current].answered_by_both == 0
    unsent = [s for s in stats.values() if s.sent == 0]
    assert unsent
    assert all(s.answer_rate is None for s in unsent)

    monkeypatch.setenv("DATABASE_URL", database_url)
    # The command runs its own event loop, as from a shell.
    assert await asyncio.to_thread(main, ["prompts", "stats", "--sort", "sent"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["ID", "SENT"]
    assert first in out
    assert "100%" in out


def stat(prompt_id: str, deck: str, depth: int, sent: int, both: int, skipped: int = 0) -> Any:
    from bot.prompts.stats import PromptStat

    return PromptStat(prompt_id, deck, depth, f"text {prompt_id}", False, sent, both, None, skipped)


def test_rates_by_deck_depth_and_language_and_skipped_often() -> None:
    from bot.prompts.stats import rates_by, skipped_often

    stats = [
        stat("a-01", "a", 1, 10, 8),
        stat("a-02", "a", 3, 10, 2, skipped=5),
        stat("b-01", "b", 1, 4, 1, skipped=2),  # half skipped, but only twice
        stat("b-02", "b", 2, 0, 0),
    ]
    by_deck = {rate.group: rate.answer_rate for rate in rates_by(stats, "deck")}
    assert by_deck == {"a": 0.5, "b": 0.25}
    by_depth = {rate.group: rate.answer_rate for rate in rates_by(stats, "depth")}
    assert by_depth == {"1": 9 / 14, "2": None, "3": 0.2}
    assert [(rate.group, rate.sent) for rate in rates_by(stats, "language")] == [("en", 24)]
    assert [found.prompt_id for found in skipped_often(stats)] == ["a-02"]


def test_the_command_prints_the_groups(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import _print_group_rates

    _print_group_rates([stat("a-01", "a", 1, 10, 8), stat("a-02", "a", 3, 8, 2, skipped=4)])
    out = capsys.readouterr().out
    assert "BY DECK" in out
    assert "BY DEPTH" in out
    assert "BY LANGUAGE" in out
    assert ["en", "18", "56%"] in [line.split() for line in out.splitlines()]
    assert "a-02  skipped 4 of 8" in out
