"""`hearth demo`: the real bot and the local sandbox, with a scripted (or live) couple.

No token and no network: the sandbox on loopback stands in for Telegram, and the bot runs
on a throw-away SQLite file. The script checks each step; if one does not happen the demo
says which and exits non-zero.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import Hearth
from bot.config import Settings
from bot.db.migrate import upgrade_to_head
from bot.domain.clock import FakeClock
from bot.domain.text_input import ascii_number
from bot.sandbox import BotApiSandbox, BotMessage, SimulatedUser

DEMO_TOKEN = "424242:DEMO-token-for-the-local-sandbox"  # noqa: S105 (sandbox only)
DEMO_BOT = "HearthDemoBot"
_LINK = re.compile(r"start=([A-Za-z0-9_-]+)")

Step = Callable[[], Awaitable[None]]


@dataclass
class DemoCouple:
    sandbox: BotApiSandbox
    hearth: Hearth
    clock: FakeClock
    alice: SimulatedUser
    bob: SimulatedUser
    notes: dict[str, str] = field(default_factory=dict)

    async def settle(self) -> None:
        """Until the bot has handled every update and sent what it queued."""
        await asyncio.wait_for(self.hearth.updates.wait_for(self.sandbox.update_count), 10)
        await asyncio.wait_for(self.hearth.sender.wait_idle(), timeout=10)


async def run_demo(*, interactive: bool = False, out: Path | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="hearth-demo-") as folder:
        database_url = f"sqlite+aiosqlite:///{folder}/demo.db"
        await asyncio.to_thread(upgrade_to_head, database_url)
        async with BotApiSandbox(token=DEMO_TOKEN, bot_username=DEMO_BOT) as sandbox:
            clock = _demo_clock()
            settings = _demo_settings(sandbox.api_root, database_url)
            hearth = Hearth(settings, clock, scheduler=False)
            await hearth.start()
            try:
                couple = DemoCouple(
                    sandbox, hearth, clock, sandbox.user(1001, "Alice"), sandbox.user(1002, "Bob")
                )
                if interactive:
                    return await _interactive(couple)
                return await _scripted(couple)
            finally:
                await hearth.stop()


def _demo_settings(api_root: str, database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=DEMO_TOKEN,
        telegram_api_url=api_root,
        database_url=database_url,
    )


def _demo_clock() -> FakeClock:
    """A fixed Tuesday evening, so every run of the script tells the same story."""
    return FakeClock(datetime(2026, 3, 3, 18, 30, tzinfo=UTC))


# --- the script ---------------------------------------------------------------------


async def _scripted(couple: DemoCouple) -> int:
    steps: list[tuple[str, Step]] = [
        ("Alice says hello", lambda: _alice_starts(couple)),
        ("Alice makes an invite link", lambda: _alice_invites(couple)),
        ("Bob opens the link and sees who invited him", lambda: _bob_opens_link(couple)),
        ("Bob confirms, and both are told they are paired", lambda: _bob_confirms(couple)),
        ("Both get today's question at once", lambda: _both_get_a_question(couple)),
        ("Alice answers; Bob is told, without seeing her words", lambda: _alice_answers(couple)),
        ("Bob answers, and both see both answers", lambda: _bob_answers(couple)),
        ("Alice reacts to Bob's answer", lambda: _alice_reacts(couple)),
        ("Bob replies to the reveal; Alice gets it", lambda: _bob_replies(couple)),
        ("Alice checks her status", lambda: _alice_status(couple)),
        ("Next evening, a new question arrives", lambda: _next_day(couple)),
        ("They check in on how close they feel", lambda: _check_in(couple)),
    ]
    print("Hearth demo: a couple pairs up and shares a day in the local sandbox.\n")
    for title, step in steps:
        try:
            await step()
        except (AssertionError, TimeoutError) as error:
            _print_transcript(couple.sandbox)
            print(f"\nDemo step failed: {title}\n{error}", file=sys.stderr)
            return 1
    _print_transcript(couple.sandbox)
    print(f"\nAll {len(steps)} steps happened. The demo database was thrown away.")
    return 0


async def _alice_starts(couple: DemoCouple) -> None:
    await couple.alice.send_command("/start")
    await couple.alice.expect(contains="I'm Hearth")


async def _alice_invites(couple: DemoCouple) -> None:
    await couple.alice.press_button("Invite my partner")
    message = await couple.alice.expect(contains="invite link")
    match = _LINK.search(message.text)
    assert match, "the invite message has no link"
    couple.notes["token"] = match.group(1)


async def _bob_opens_link(couple: DemoCouple) -> None:
    await couple.bob.send_command("/start", couple.notes["token"])
    await couple.bob.expect(contains="has invited you")


async def _bob_confirms(couple: DemoCouple) -> None:
    await couple.bob.press_button("Yes, pair us")
    await couple.alice.expect(contains="paired with")
    await couple.settle()


async def _both_get_a_question(couple: DemoCouple) -> None:
    await couple.alice.expect(contains="Today's question")
    await couple.bob.expect(contains="Today's question")


async def _alice_answers(couple: DemoCouple) -> None:
    await couple.alice.send_text(
        "When you made me tea without asking on Tuesday, after that long call. I felt seen."
    )
    await couple.alice.expect(contains="Saved")
    await couple.bob.expect(contains="has answered today's question")


async def _bob_answers(couple: DemoCouple) -> None:
    await couple.bob.send_text("Honestly? The voice note you sent me on Thursday morning.")
    await couple.bob.expect(contains="both answered")
    await couple.alice.expect(contains="both answered")
    await couple.bob.expect(contains="both answered")


async def _alice_reacts(couple: DemoCouple) -> None:
    await couple.alice.press_button("❤️")
    await couple.bob.expect(contains="reacted ❤️")


async def _bob_replies(couple: DemoCouple) -> None:
    reveal = couple.bob.inbox[-2]
    await couple.bob.reply_to(reveal.message_id, "I'll send more of those. 🙂")
    await couple.bob.expect(contains="Sent to")
    await couple.alice.expect(contains="I'll send more of those")


async def _next_day(couple: DemoCouple) -> None:
    tomorrow_evening = (couple.clock.now() + timedelta(days=1)).replace(hour=20, minute=1)
    couple.clock.set(tomorrow_evening)
    await couple.hearth.tick()
    await couple.alice.expect(contains="Today's question")
    await couple.bob.expect(contains="Today's question")


async def _check_in(couple: DemoCouple) -> None:
    await couple.alice.send_command("/checkin")
    await couple.alice.expect(contains="Check-in started")
    for person, rating, note in (
        (couple.alice, "4 · Close", "More walks together"),
        (couple.bob, "3 · Okay", None),
    ):
        ask = await person.expect(contains="How connected")
        await person.press_button(rating, message_id=ask.message_id)
        await person.expect_edit(ask.message_id)
        if note is None:
            await person.press_button("Skip", message_id=ask.message_id)
        else:
            await person.send_text(note)
    await _until(couple.alice, "Your check-in")
    await _until(couple.bob, "Your check-in")


async def _until(person: SimulatedUser, fragment: str, within: int = 4) -> BotMessage:
    """The next message containing `fragment`, after at most a few others (replies and
    queued messages may arrive in either order)."""
    for _ in range(within):
        message = await person.expect()
        if message.contains(fragment):
            return message
    raise AssertionError(f"{person.first_name} got no message containing {fragment!r}")


async def _alice_status(couple: DemoCouple) -> None:
    await couple.alice.send_command("/status")
    await couple.alice.expect(contains="paired with")


def _print_transcript(sandbox: BotApiSandbox) -> None:
    print(sandbox.format_transcript())


# --- interactive --------------------------------------------------------------------

HELP = """\
Type a message to send it as the current person. Also:
  :alice / :bob     switch who is typing
  :press N          press button N (from 1) of the newest message with buttons
  :later H          move the clock H hours on (e.g. :later 24 for tomorrow's question)
  :quit             leave the demo"""


async def _interactive(couple: DemoCouple) -> int:
    people = {"alice": couple.alice, "bob": couple.bob}
    current = "alice"
    print(
        "Hearth interactive demo. Try /start as Alice and press the invite button; then\n"
        "switch to Bob with :bob and type /start followed by the token from the link.\n" + HELP
    )
    shown = len(couple.sandbox.transcript)
    while True:
        try:
            line = (await asyncio.to_thread(input, f"{current}> ")).strip()
        except EOFError:
            return 0
        person = people[current]
        if line in (":quit", ":q"):
            return 0
        if line[1:] in people and line.startswith(":"):
            current = line[1:]
            continue
        if line.startswith(":press"):
            await _press(person, line)
        elif line.startswith(":later"):
            await _later(couple, line)
        elif line:
            await person.send_text(line)
        await _wait_for_quiet(couple)
        shown = _print_new(couple.sandbox, shown)


async def _press(person: SimulatedUser, line: str) -> None:
    number = line.removeprefix(":press").strip()
    message = _newest_with_buttons(person.inbox)
    buttons = [button for row in (message.buttons if message else []) for button in row]
    chosen = ascii_number(number, 3)
    if chosen is None or not 1 <= chosen <= len(buttons):
        print(f"(no button {number!r} here)")
        return
    data = buttons[chosen - 1].data
    if data is not None:
        await person.press(data)


async def _later(couple: DemoCouple, line: str) -> None:
    hours_text = line.removeprefix(":later").strip() or "24"
    hours = ascii_number(hours_text, 3)
    if hours is None or not 1 <= hours <= 24 * 30:
        print("(:later takes a number of hours, e.g. :later 24)")
        return
    couple.clock.advance(timedelta(hours=hours))
    await couple.hearth.tick()
    print(f"(the clock moved {hours} hours on: it is now {couple.clock.now():%a %d %b %H:%M} UTC)")


def _newest_with_buttons(inbox: list[BotMessage]) -> BotMessage | None:
    return next((message for message in reversed(inbox) if message.buttons), None)


async def _wait_for_quiet(couple: DemoCouple) -> None:
    """Let the bot handle what was typed and send what it queued."""
    await couple.sandbox.wait_until_delivered()
    await couple.hearth.updates.wait_for(couple.sandbox.update_count)
    await couple.settle()


def _print_new(sandbox: BotApiSandbox, shown: int) -> int:
    entries = sandbox.transcript[shown:]
    for entry in entries:
        if entry.who == "bot":
            print("  " + entry.describe("Hearth"))
    return shown + len(entries)
