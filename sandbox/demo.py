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
from bot.db.people import PairRepository
from bot.kernel.clock import FakeClock
from bot.kernel.text_input import ascii_number
from bot.kernel.words import plural
from bot.rounds.repository import RoundRepository
from sandbox import BotApiSandbox, BotMessage, SimulatedUser, TranscriptEntry

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
        ("Each says where they live, with a tap", lambda: _both_choose_a_zone(couple)),
        ("Alice answers; Bob is told, without seeing her words", lambda: _alice_answers(couple)),
        ("Bob answers, and both see both answers", lambda: _bob_answers(couple)),
        ("Alice reacts to Bob's answer with a button", lambda: _alice_reacts(couple)),
        ("Bob reacts to Alice's answer in Telegram", lambda: _bob_reacts_in_telegram(couple)),
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


@dataclass(frozen=True)
class Script:
    """What Alice and Bob answer to one question, and what Bob replies after the reveal."""

    alice: str
    bob: str
    bob_reply: str


# Answers by prompt id, so they always fit the question asked (the demo's pair gets the
# same first question each run; the others are here in case the decks change). A question
# missing here is answered honestly in general terms.
SCRIPTS = {
    "hard-days-04": Script(
        "Sorting out the flat's paperwork. It's not hard, I just keep putting it off.",
        "Replying to my sister about the summer plans. I don't know what to say yet.",
        "Shall we each pick one tiny step tonight and cheer each other on? 🙂",
    ),
    "shared-memories-01": Script(
        "The night we walked home the long way and talked until the birds started.",
        "When you laughed so hard at my terrible pun that tea came out of your nose.",
        "I still have more puns. You have been warned. 🙂",
    ),
    "shared-memories-02": Script(
        "The rainy weekend in Porto, hiding in that tiny café and sharing the last pastry.",
        "Porto, for sure. Running for the tram in the rain, soaked and laughing.",
        "Let's go back in the autumn. 🙂",
    ),
    "shared-memories-03": Script(
        "The flat-pack wardrobe that ended up with its doors on upside down.",
        "The time I locked us out of the holiday flat in our pyjamas.",
        "To be fair, the pyjamas were very nice. 🙂",
    ),
}
FALLBACK = Script(
    "Something small you did last week that made me feel looked after.",
    "The way we make time for each other even on busy days.",
    "Let's talk about it properly on our walk tomorrow. 🙂",
)


async def _todays_script(couple: DemoCouple) -> Script:
    async with couple.hearth.uow(read_only=True) as uow:
        pair = await PairRepository(uow.session).active_pair_of(couple.alice.id)
        latest = await RoundRepository(uow.session).latest(pair.id) if pair and pair.id else None
    return SCRIPTS.get(latest.prompt_id if latest else "", FALLBACK)


async def _both_choose_a_zone(couple: DemoCouple) -> None:
    for person in (couple.alice, couple.bob):
        asked = await person.expect(contains="Where do you live?")
        await person.press_button("Europe/London", message_id=asked.message_id)
        await person.expect_edit(asked.message_id)


async def _alice_answers(couple: DemoCouple) -> None:
    await couple.alice.send_text((await _todays_script(couple)).alice)
    await couple.alice.expect(contains="Saved")
    await couple.bob.expect(contains="has answered today's question")


async def _bob_answers(couple: DemoCouple) -> None:
    await couple.bob.send_text((await _todays_script(couple)).bob)
    await couple.bob.expect(contains="both answered")
    await couple.alice.expect(contains="both answered")
    await couple.bob.expect(contains="both answered")


async def _alice_reacts(couple: DemoCouple) -> None:
    await couple.alice.press_button("❤️")
    await couple.bob.expect(contains="reacted ❤️")


async def _bob_reacts_in_telegram(couple: DemoCouple) -> None:
    reveal = next(m for m in reversed(couple.bob.inbox) if m.contains("both answered"))
    await couple.settle()  # the reveal's Telegram id is recorded once it is sent
    await couple.bob.react(reveal.message_id, "🥰")
    await couple.alice.expect(contains="reacted 🥰")


async def _bob_replies(couple: DemoCouple) -> None:
    reveal = next(m for m in reversed(couple.bob.inbox) if m.contains("both answered"))
    reply = (await _todays_script(couple)).bob_reply
    await couple.bob.reply_to(reveal.message_id, reply)
    await couple.bob.expect(contains="Sent to")
    await couple.alice.expect(contains=reply)


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
    for entry in sandbox.transcript:
        print(_describe(entry))


# Telegram's message ids mean nothing to a reader of the demo.
_ID_PHRASES = (
    (re.compile(r"^(\S+) edited #\d+ -> "), r"\1 updated its message -> "),
    (re.compile(r" edited #\d+: "), " edited a message: "),
    (re.compile(r" to #\d+$"), " to a message"),
    (re.compile(r" deleted #\d+"), " deleted a message"),
)


def _describe(entry: TranscriptEntry) -> str:
    line = entry.describe("Hearth")
    for pattern, replacement in _ID_PHRASES:
        line = pattern.sub(replacement, line)
    return line


# --- interactive --------------------------------------------------------------------

HELP = """\
Type a message to send it as the current person. Also:
  :alice / :bob      switch who is typing
  :press N           press button N (from 1) of the newest message with buttons
  :reply N text      reply to the bot's message [N] (numbers are shown before messages)
  :react N emoji     react to the bot's message [N] with an emoji, as in Telegram
  :photo [caption]   send a photo (a stand-in picture), with an optional caption
  :voice             send a voice note (a stand-in recording)
  :later H           move the clock H hours on (e.g. :later 24 for tomorrow's question)
  :help              show this again
  :quit              leave the demo"""


@dataclass
class Session:
    """The interactive demo's state: who is typing, and the bot messages shown so far
    (numbered from 1 for :reply and :react)."""

    couple: DemoCouple
    current: str = "alice"
    shown: int = 0
    numbered: list[BotMessage] = field(default_factory=list)

    @property
    def person(self) -> SimulatedUser:
        return self.couple.alice if self.current == "alice" else self.couple.bob


async def _interactive(couple: DemoCouple) -> int:
    session = Session(couple, shown=len(couple.sandbox.transcript))
    print(
        "Hearth interactive demo. Try /start as Alice and press the invite button; then\n"
        "switch to Bob with :bob and type /start followed by the token from the link.\n" + HELP
    )
    while True:
        try:
            line = (await asyncio.to_thread(input, f"{session.current}> ")).strip()
        except EOFError:
            return 0
        if line in (":quit", ":q"):
            return 0
        if not await _handle_line(session, line):
            continue
        await _wait_for_quiet(couple)
        _print_new(session)


async def _handle_line(session: Session, line: str) -> bool:
    """Act on one typed line; False when nothing went to the bot. A line starting with
    ":" is always a demo command: a mistyped one is never sent as a message."""
    if not line:
        return False
    if not line.startswith(":"):
        await session.person.send_text(line)
        return True
    name, _, rest = line[1:].partition(" ")
    if name in ("alice", "bob"):
        session.current = name
        return False
    command = _COMMANDS.get(name)
    if command is None:
        print(f"(no command :{name}; type :help for the list)")
        return False
    return await command(session, rest.strip())


async def _help(session: Session, rest: str) -> bool:
    print(HELP)
    return False


async def _press(session: Session, rest: str) -> bool:
    message = _newest_with_buttons(session.person.inbox)
    buttons = [button for row in (message.buttons if message else []) for button in row]
    chosen = ascii_number(rest, 3)
    if chosen is None or not 1 <= chosen <= len(buttons):
        print(f"(no button {rest!r} here)")
        return False
    data = buttons[chosen - 1].data
    if data is None:
        return False
    await session.person.press(data)
    return True


async def _reply(session: Session, rest: str) -> bool:
    number, _, text = rest.partition(" ")
    target = _numbered(session, number)
    if target is None or not text.strip():
        print("(:reply takes a message number shown in [ ] and your text, e.g. :reply 3 Thanks)")
        return False
    await session.person.reply_to(target.message_id, text.strip())
    return True


async def _react(session: Session, rest: str) -> bool:
    number, _, emoji = rest.partition(" ")
    target = _numbered(session, number)
    if target is None or not emoji.strip():
        print("(:react takes a message number shown in [ ] and an emoji, e.g. :react 3 ❤)")
        return False
    await session.person.react(target.message_id, emoji.strip())
    return True


async def _photo(session: Session, rest: str) -> bool:
    await session.person.send_photo(rest or None)
    return True


async def _voice(session: Session, rest: str) -> bool:
    await session.person.send_voice()
    return True


async def _later(session: Session, rest: str) -> bool:
    hours = ascii_number(rest or "24", 3)
    if hours is None or not 1 <= hours <= 24 * 30:
        print("(:later takes a number of hours, e.g. :later 24)")
        return False
    clock = session.couple.clock
    clock.advance(timedelta(hours=hours))
    await session.couple.hearth.tick()
    session.couple.hearth.sender.wake()
    moved = plural(hours, "hour", "hours")
    print(f"(the clock moved on {moved}: it is now {clock.now():%a %d %b %H:%M} UTC)")
    return True


_COMMANDS: dict[str, Callable[[Session, str], Awaitable[bool]]] = {
    "help": _help,
    "press": _press,
    "reply": _reply,
    "react": _react,
    "photo": _photo,
    "voice": _voice,
    "later": _later,
}


def _numbered(session: Session, number: str) -> BotMessage | None:
    """The bot's message shown as [number] to the person typing now."""
    index = ascii_number(number, 4)
    if index is None or not 1 <= index <= len(session.numbered):
        return None
    message = session.numbered[index - 1]
    return message if message.chat_id == session.person.id else None


def _newest_with_buttons(inbox: list[BotMessage]) -> BotMessage | None:
    return next((message for message in reversed(inbox) if message.buttons), None)


async def _wait_for_quiet(couple: DemoCouple) -> None:
    """Let the bot handle what was typed and send what it queued."""
    await couple.sandbox.wait_until_delivered()
    await couple.hearth.updates.wait_for(couple.sandbox.update_count)
    await couple.settle()


def _print_new(session: Session) -> None:
    """The bot's new messages, each new one numbered for :reply and :react."""
    sandbox = session.couple.sandbox
    entries = sandbox.transcript[session.shown :]
    session.shown += len(entries)
    for entry in entries:
        if entry.who != "bot":
            continue
        label = ""
        message = _bot_message(sandbox, entry)
        if entry.kind == "message" and message is not None:
            session.numbered.append(message)
            label = f"[{len(session.numbered)}] "
        print("  " + label + _describe(entry))


def _bot_message(sandbox: BotApiSandbox, entry: TranscriptEntry) -> BotMessage | None:
    return next(
        (m for m in sandbox.messages_in(entry.chat_id) if m.message_id == entry.message_id),
        None,
    )
