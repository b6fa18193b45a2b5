"""Bad input, property-based: thousands of arbitrary updates (any text and unicode,
4096-character messages, unknown commands, commands with junk arguments, forged and
stale callback data, edited messages, stickers and other unsupported media, groups and
channels; digits of other scripts, lone surrogates, NUL, right-to-left text and combining
marks) go through the sandbox to the real bot. No unhandled exception (the error
handler never runs), every reply is short, and nothing changes that should not: the pair
stays as it was, the stranger stays a stranger, and no private answer leaks."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox import SimulatedUser
from tests.conftest import Running
from tests.helpers import pair_couple, read_all, scalar
from tests.test_reliability_intruders import SECRETS, revealed_couple

ACTORS = ("alice", "bob", "eve")
COMMANDS = (
    "start", "pair", "status", "unpair", "help", "time", "timezone", "edit", "skip",
    "history", "topics", "pause", "resume", "reminders", "checkin", "checkins", "trend",
    "privacy", "mydata", "stats", "dance", "START", "x" * 40, "settings", "admin",
)  # fmt: skip
MEDIA = ("sticker", "document", "photo", "voice", "video", "video_note")
PREFIXES = ("rx:", "hr:", "hp:", "unp:", "acc:", "tp:", "ci:", "cs:", "rc:", "cc:", "cw:")

# What str.isdigit() accepts and int() may refuse (², ①), digits of other scripts, lone
# surrogates (Cs), NUL, right-to-left marks and letters, combining marks (Mn).
TRICKY = "²³①⑩٣۴३๓߁𝟙\x00\u202e\u200f\u061c\u05d0\u0627\u0301\u0651\ud800\udfff"
tricky_char = st.one_of(
    st.sampled_from(TRICKY), st.characters(categories=["Nd", "No", "Cs", "Mn", "Cf"])
)
any_char = st.one_of(st.characters(), tricky_char)
texts = st.one_of(
    st.text(min_size=1, max_size=300), st.text(any_char, min_size=1, max_size=60)
).filter(lambda s: s.strip())
long_texts = st.text(min_size=1, max_size=8).filter(str.strip).map(lambda s: (s * 4096)[:4096])
junk = st.one_of(st.text(max_size=80), st.text(any_char, max_size=12))
callback = st.one_of(
    st.builds(lambda p, n: f"{p}{n}", st.sampled_from(PREFIXES), st.integers(-5, 10**12)),
    st.builds(lambda p, n, m: f"{p}{n}:{m}", st.sampled_from(PREFIXES), st.integers(), junk),
    junk,
).filter(lambda s: 0 < len(s.encode()) <= 64)

action = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(ACTORS), st.one_of(texts, long_texts)),
    st.tuples(st.just("command"), st.sampled_from(ACTORS), st.sampled_from(COMMANDS), junk),
    st.tuples(st.just("press"), st.just("eve"), callback),
    st.tuples(st.just("press"), st.sampled_from(ACTORS), junk.filter(lambda s: 0 < len(s) < 30)),
    st.tuples(st.just("edit"), st.sampled_from(ACTORS), texts),
    st.tuples(st.just("media"), st.sampled_from(ACTORS), st.sampled_from(MEDIA)),
    st.tuples(st.just("group"), st.just("eve"), st.one_of(texts, st.just("/start"))),
    st.tuples(st.just("channel"), st.just("eve"), texts),
)


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def handler_errors() -> Iterator[ErrorLog]:
    capture = ErrorLog()
    logger = logging.getLogger("bot.telegram.chat")
    logger.addHandler(capture)
    try:
        yield capture
    finally:
        logger.removeHandler(capture)


class World:
    """The bot with a revealed couple and a stranger, fed one batch of updates at a time."""

    def __init__(self, bot: Running, people: dict[str, SimulatedUser]) -> None:
        self.bot = bot
        self.people = people
        self.last_message: dict[str, int] = {}
        self.chat_ids = itertools.count(-1_000_000, -1)
        self.updates = 0

    async def run(self, actions: list[tuple[Any, ...]]) -> None:
        seen_before = {name: len(user.inbox) for name, user in self.people.items()}
        outsiders = []
        for kind, actor, *args in actions:
            user = self.people[actor]
            if kind == "text":
                sent = await user.send_text(args[0])
                self.last_message[actor] = int(sent["message_id"])
            elif kind == "command":
                await user.send_text(f"/{args[0]} {args[1]}".rstrip())
            elif kind == "press":
                await user.press(args[0])
            elif kind == "edit" and actor in self.last_message:
                await user.edit(self.last_message[actor], args[0])
            elif kind == "media":
                await _send_media(user, args[0])
            elif kind == "group":
                group = self.bot.sandbox.group(next(self.chat_ids), "Friends")
                await group.add_bot(user)
                await group.send_text(user, args[0])
                outsiders.append(group)
            elif kind == "channel":
                channel = self.bot.sandbox.channel(next(self.chat_ids), "News")
                await channel.add_bot(user)
                await channel.post_text(args[0])
                outsiders.append(channel)
            self.updates += 1
        await self.bot.settle()
        for name, user in self.people.items():
            for message in user.inbox[seen_before[name] :]:
                assert 0 < len(message.text) <= 4096, message.text[:200]
                if name == "eve":
                    assert len(message.text) <= 1500, "a stranger gets short replies"
                    assert not any(secret in message.text for secret in SECRETS)
        for chat in outsiders:
            for message in chat.inbox:
                assert len(message.text) <= 1000
                assert not any(secret in message.text for secret in SECRETS)


async def _send_media(user: SimulatedUser, kind: str) -> None:
    sender = {
        "sticker": lambda: user.send_sticker(),
        "document": lambda: user.send_document("a file"),
        "photo": lambda: user.send_photo(None),
        "voice": lambda: user.send_voice(None),
        "video": lambda: user.send_video(None),
        "video_note": lambda: user.send_video_note(),
    }[kind]
    await sender()


async def test_arbitrary_updates_never_crash_leak_or_change_the_pair(
    bot: Running, handler_errors: ErrorLog
) -> None:
    alice, bob, _, _ = await revealed_couple(bot)
    eve = bot.sandbox.user(1666, "Eve")
    await eve.send_command("/start")  # a message of the bot's that forged presses ride on
    await bot.settle()
    world = World(bot, {"alice": alice, "bob": bob, "eve": eve})
    pair = await scalar(bot, "SELECT id FROM pair")
    loop = asyncio.get_running_loop()

    @settings(
        max_examples=200,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(action, min_size=1, max_size=10))
    def property_holds(actions: list[tuple[Any, ...]]) -> None:
        asyncio.run_coroutine_threadsafe(world.run(actions), loop).result(timeout=60)

    await asyncio.to_thread(property_holds)

    assert world.updates >= 1000, "thousands of arbitrary updates"
    assert not handler_errors.records, [r.getMessage() for r in handler_errors.records]
    assert await scalar(bot, "SELECT count(*) FROM pair") == 1
    assert await scalar(bot, "SELECT status FROM pair WHERE id = :p", p=pair) == "active"
    assert await scalar(bot, "SELECT count(*) FROM active_partner WHERE person_id = 1666") == 0
    assert await scalar(bot, "SELECT count(*) FROM outbox WHERE recipient_id = 1666") == 0


@pytest.mark.parametrize("days", ["²", "①", "٣", "𝟙", "7\u0663", "\ud800"])
async def test_junk_numbers_get_the_kind_help(bot: Running, days: str) -> None:
    alice, _, _, _ = await revealed_couple(bot)
    await bot.settle()
    while alice.unread:
        await alice.expect()
    await alice.send_text(f"/pause {days}")
    reply = await alice.expect()
    assert "/pause 7" in reply.text, reply.text
    assert await scalar(bot, "SELECT paused_until FROM pair") is None


async def test_lone_surrogates_and_nul_are_made_safe_before_storage(bot: Running) -> None:
    couple = await pair_couple(bot, (1101, "Ad\ud800a\x00"), (1102, "B\u202eo"))
    await couple.a.send_text("Walk\ud800 by the\x00 sea \u0627\u0651")
    await couple.a.expect(contains="Saved.")
    stored = await scalar(bot, "SELECT first_name FROM person WHERE id = 1101")
    assert stored == "Ad\ufffda"
    await couple.b.send_text("Mine")
    await bot.settle()
    revealed = [m.text for m in await read_all(bot, couple.b)]
    assert any("Walk\ufffd by the sea \u0627\u0651" in text for text in revealed), revealed
