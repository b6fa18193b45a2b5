"""The `hearth` command: clear help, and a demo that plays a whole day and exits 0."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.demo import run_demo


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "migrate", "demo", "prompts"):
        assert command in out


@pytest.mark.parametrize("command", ["run", "migrate", "demo", "prompts"])
def test_each_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    assert len(capsys.readouterr().out.splitlines()) >= 3


def test_unknown_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["dance"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


async def test_demo_plays_a_whole_day_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert await run_demo() == 0
    out = capsys.readouterr().out
    assert "Bob pressed [Yes, pair us]" in out
    assert "You've both answered" in out
    assert "reacted ❤️" in out
    assert "Your check-in" in out
    assert "All 13 steps happened" in out
