"""The `hearth` command: clear help, and a demo that plays a whole day and exits 0."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.prompts.library import load_folder
from sandbox.demo import SCRIPTS, run_demo

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


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
    assert "All 14 steps happened" in out


async def test_demo_story_fits_its_questions_and_shows_no_message_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run_demo() == 0
    out = capsys.readouterr().out
    question = out.split("Today's question · ")[1].split("\n\n")[1].split("\n")[0]
    texts = {p.id: p.text for deck in load_folder(PROMPTS).decks for p in deck.prompts}
    assert set(SCRIPTS) <= set(texts), "every scripted answer names a real question"
    prompt_id = next(pid for pid, text in texts.items() if text == question)
    script = SCRIPTS[prompt_id]
    assert f"Alice: {script.alice}" in out
    assert f"Bob: {script.bob}" in out
    assert "#" not in out.replace("#Hearth", ""), "no Telegram message ids in the story"
    assert "Bob reacted 🥰" in out
    assert "All 14 steps happened" in out


async def test_interactive_demo_never_sends_a_mistyped_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = iter(
        ["/start", ":pres 1", ":photo Our cat", ":voice", ":reply 1 Hello there", ":react 1 ❤"]
    )

    def typed(prompt: str = "") -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", typed)
    assert await run_demo(interactive=True) == 0
    out = capsys.readouterr().out
    assert "(no command :pres; type :help for the list)" in out
    numbers = re.findall(r"^  \[(\d+)\] Hearth -> Alice", out, flags=re.MULTILINE)
    # /start, the photo, the voice note and the reply each got an answer; :pres and the
    # reaction (on a message that is not a reveal) got none.
    assert numbers == ["1", "2", "3", "4"], out
