"""Helpers shared by the daily-round tests: pairing a couple through the sandbox, moving
the injected clock and ticking, and reading what the database and the outbox hold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.delivery.ratelimit import SendRateLimiter
from bot.kernel import schedule
from sandbox import BotMessage, SimulatedUser
from tests.conftest import Running

LINK = re.compile(r"https://t\.me/HearthTestBot\?start=([A-Za-z0-9_-]+)")
QUESTION = "Today's question"
ZONE_QUESTION = "Where do you live?"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `zone` (gaps shift forward)."""
    return schedule.resolve_local(day, at, zone)


@dataclass
class Couple:
    a: SimulatedUser
    b: SimulatedUser
    pair_id: int
    first_question_a: BotMessage
    first_question_b: BotMessage

    @property
    def both(self) -> tuple[SimulatedUser, SimulatedUser]:
        return self.a, self.b


async def rows(bot: Running, sql: str, **params: object) -> list[tuple[Any, ...]]:
    async with bot.hearth.uow(read_only=True) as uow:
        return [tuple(row) for row in (await uow.session.execute(text(sql), params)).all()]


async def scalar(bot: Running, sql: str, **params: object) -> Any:
    async with bot.hearth.uow(read_only=True) as uow:
        return (await uow.session.execute(text(sql), params)).scalar()


async def execute(bot: Running, sql: str, **params: object) -> None:
    async with bot.hearth.uow() as uow:
        await uow.session.execute(text(sql), params)
        await uow.commit()


def lift_send_limits(bot: Running) -> None:
    """Telegram's 1 message/s per chat is about real seconds, but a simulated month runs in
    a few real seconds: tests that send many messages to one chat lift the limit."""
    bot.hearth.sender._limiter = SendRateLimiter(
        global_per_second=100_000, per_chat_per_second=100_000, chat_burst=100_000
    )


async def tick(bot: Running) -> None:
    """One scheduler tick at the clock's current instant, then wait until it is all sent."""
    await bot.hearth.tick()
    await bot.settle()


async def tick_at(bot: Running, instant: datetime) -> None:
    bot.clock.set(instant)
    await tick(bot)


async def invite_token(bot: Running, user: SimulatedUser) -> str:
    await user.send_command("/pair")
    message = await user.expect(contains="private invite link")
    match = LINK.search(message.text)
    assert match is not None, message.text
    return match.group(1)


async def pair_couple(
    bot: Running, a: tuple[int, str] = (1001, "Alice"), b: tuple[int, str] = (1002, "Bob")
) -> Couple:
    """Pair two people through the sandbox; both get their first question at once.

    Lifts the real-time send limits first (see `lift_send_limits`)."""
    lift_send_limits(bot)
    inviter, invitee = bot.sandbox.user(*a), bot.sandbox.user(*b)
    token = await invite_token(bot, inviter)
    await invitee.send_command("/start", token)
    preview = await invitee.expect(contains="has invited you")
    await invitee.press(preview.buttons[0][0][1])
    await invitee.expect_edit(preview.message_id)
    await inviter.expect(contains=f"paired with <b>{b[1]}</b>")
    first_a = await inviter.expect(contains=QUESTION)
    first_b = await invitee.expect(contains=QUESTION)
    for partner in (inviter, invitee):  # each is asked where they live (see test_zone_question)
        await partner.expect(contains=ZONE_QUESTION)
    pair_id = await scalar(bot, "SELECT id FROM pair WHERE partner_a_id = :a", a=a[0])
    return Couple(inviter, invitee, int(pair_id), first_a, first_b)


async def command(user: SimulatedUser, line: str, contains: str | None = None) -> BotMessage:
    """Send a command and return the bot's reply to it."""
    await user.send_text(line)
    return await user.expect(contains=contains)


async def expect_each(user: SimulatedUser, *fragments: str) -> list[BotMessage]:
    """The next len(fragments) messages, each fragment in one of them, in any order (a
    direct reply and an outbox message may overtake each other)."""
    messages = [await user.expect() for _ in fragments]
    for fragment in fragments:
        assert any(m.contains(fragment) for m in messages), (
            f"no message contains {fragment!r}: {[m.text for m in messages]}"
        )
    return messages


async def read_all(bot: Running, user: SimulatedUser) -> list[BotMessage]:
    """Once everything under way is handled and sent: every message not read yet."""
    await bot.settle()
    return [await user.expect() for _ in user.unread]


async def unread_questions(bot: Running, user: SimulatedUser) -> list[BotMessage]:
    return [m for m in await read_all(bot, user) if m.contains(QUESTION)]


def assert_nothing_new(*users: SimulatedUser, why: str = "nothing new") -> None:
    """No unread message for any of them (call after `bot.settle()`, e.g. via a tick)."""
    unread = {user.first_name: [m.text for m in user.unread] for user in users if user.unread}
    assert not unread, f"{why}: {unread}"


def find(messages: list[BotMessage], fragment: str) -> BotMessage:
    return next(m for m in messages if m.contains(fragment))


async def rounds_of(bot: Running, pair_id: int) -> list[tuple[Any, ...]]:
    """(id, local_date, status, created_at) of a pair's rounds, oldest first."""
    return await rows(
        bot,
        "SELECT id, local_date, status, created_at FROM round WHERE pair_id = :p "
        "ORDER BY local_date",
        p=pair_id,
    )


async def outbox_count(bot: Running, kind: str, recipient: int | None = None) -> int:
    sql = "SELECT count(*) FROM outbox WHERE kind = :kind"
    if recipient is not None:
        sql += " AND recipient_id = :recipient"
    return int(await scalar(bot, sql, kind=kind, recipient=recipient) or 0)


def as_date(value: Any) -> date:
    """SQLite hands dates back as text in raw SQL; PostgreSQL as dates."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def as_instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
