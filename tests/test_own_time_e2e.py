"""Each partner's own time, end to end through the sandbox (issue 11, failures 3, 4 and 6):
Alice lives in Berlin, Bob in New York. The clock is injected; each tick is driven here."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sandbox import SimulatedUser
from tests.conftest import Running
from tests.helpers import (
    BERLIN,
    NEW_YORK,
    QUESTION,
    Couple,
    assert_nothing_new,
    command,
    expect_each,
    local_instant,
    pair_couple,
    read_all,
    tick_at,
    utc,
)

TOKYO = ZoneInfo("Asia/Tokyo")


async def berlin_and_new_york(bot: Running) -> Couple:
    couple = await pair_couple(bot)  # Monday 2 March, 09:00 UTC
    await command(couple.a, "/timezone Berlin", "Europe/Berlin")
    await command(couple.b, "/timezone New York", "America/New_York")
    return couple


async def hourly(bot: Running, start: datetime, hours: int) -> list[tuple[datetime, str, str]]:
    """Tick every 15 minutes; (instant, who, first line) of every message that arrived."""
    arrived = []
    for quarter in range(hours * 4):
        instant = start + timedelta(minutes=15 * quarter)
        await tick_at(bot, instant)
        for user in (bot.sandbox.user(1001, "Alice"), bot.sandbox.user(1002, "Bob")):
            for message in await read_all(bot, user):
                arrived.append((instant, user.first_name, message.plain_text.split("\n")[0]))
    return arrived


def in_night(instant: datetime, user: SimulatedUser) -> bool:
    zone = BERLIN if user.first_name == "Alice" else NEW_YORK
    wall = instant.astimezone(zone).time()
    return wall >= time(22, 0) or wall < time(8, 0)


async def test_failure_3_bob_moving_his_time_does_not_move_alices(bot: Running) -> None:
    couple = await berlin_and_new_york(bot)
    alice, bob = couple.both
    reply = await command(bob, "/time 9pm", "Done.")
    assert "21:00 your time (America/New_York)" in reply.plain_text
    await bot.settle()
    assert_nothing_new(alice, why="Bob's own time tells Alice nothing")
    arrived = await hourly(bot, utc(2026, 3, 3, 0, 0), 52)
    questions = [(at, who) for at, who, line in arrived if QUESTION in line]
    assert questions == [
        (local_instant(date(2026, 3, 3), time(20, 0), BERLIN), "Alice"),
        (local_instant(date(2026, 3, 3), time(21, 0), NEW_YORK), "Bob"),
        (local_instant(date(2026, 3, 4), time(20, 0), BERLIN), "Alice"),
        (local_instant(date(2026, 3, 4), time(21, 0), NEW_YORK), "Bob"),
    ]
    for at, who, line in arrived:
        assert not in_night(at, alice if who == "Alice" else bob), (at, who, line)


async def test_failure_4_your_time_is_right_for_a_partner_with_no_zone(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    await command(alice, "/timezone Tokyo", "Asia/Tokyo")
    await bot.settle()
    assert_nothing_new(bob, why="Alice's zone is hers: Bob is told nothing")
    status = await command(bob, "/status", "Daily question")
    assert "Daily question: 20:00 UTC (UTC)." in status.plain_text
    assert "your time" not in status.plain_text.replace("your time zone", ""), "no zone"
    assert "/timezone" in status.plain_text
    mine = await command(alice, "/status", "Daily question")
    assert "Daily question: 20:00 your time (Asia/Tokyo)." in mine.plain_text
    await tick_at(bot, local_instant(date(2026, 3, 3), time(20, 0), TOKYO))
    await alice.expect(contains=QUESTION)
    assert_nothing_new(bob, why="Bob's question comes at 20:00 UTC")
    await tick_at(bot, utc(2026, 3, 3, 20, 0))
    await bob.expect(contains=QUESTION)


async def test_failure_6_the_reminder_comes_two_hours_after_or_not_at_all(bot: Running) -> None:
    couple = await berlin_and_new_york(bot)
    alice, bob = couple.both
    await command(bob, "/time 18:00", "Done.")  # Alice keeps 20:00 in Berlin
    await read_all(bot, alice)
    arrived = await hourly(bot, utc(2026, 3, 3, 12, 0), 24)  # Tuesday noon to Wednesday
    reminders = [(at, who, line) for at, who, line in arrived if "gentle reminder" in line]
    # Alice's 20:00 + 2 h is 22:00, her quiet hours: none that day, and none next morning.
    assert reminders == [
        (
            local_instant(date(2026, 3, 3), time(20, 0), NEW_YORK),
            "Bob",
            "A gentle reminder: today's question is waiting for you, whenever you have a moment.",
        )
    ]


async def test_at_night_only_direct_replies_go_at_once(bot: Running) -> None:
    """Bob answers at 23:30 in New York (05:30 in Berlin): his own reveal comes at once,
    whatever the hour; Alice's waits for her 08:00. Her nudge at 21:00 her time went."""
    couple = await berlin_and_new_york(bot)
    alice, bob = couple.both
    await tick_at(bot, local_instant(date(2026, 3, 2), time(21, 0), BERLIN))
    for partner in couple.both:  # the day's reminders
        await read_all(bot, partner)
    await alice.send_text("Mine, from Berlin")
    await alice.expect(contains="Saved.")
    await bob.expect(contains="has answered today's question")  # 15:00 in New York
    bot.clock.set(local_instant(date(2026, 3, 2), time(23, 30), NEW_YORK))
    await bob.send_text("Mine, late in New York")
    await expect_each(bob, "Saved.", "Mine, from Berlin")
    await bot.settle()
    assert not alice.unread, "05:30 in Berlin: Alice's reveal waits"
    await tick_at(bot, local_instant(date(2026, 3, 3), time(7, 59), BERLIN))
    assert not alice.unread
    await tick_at(bot, local_instant(date(2026, 3, 3), time(8, 0), BERLIN))
    await alice.expect(contains="Mine, late in New York")


async def test_checkins_are_asked_at_each_partners_own_time(bot: Running) -> None:
    couple = await berlin_and_new_york(bot)
    await command(couple.b, "/time 21:00", "Done.")
    arrived = await hourly(bot, utc(2026, 3, 8, 12, 0), 16)  # Sunday, the default day
    asks = [(at, who) for at, who, line in arrived if "Check-in" in line]
    assert asks == [
        (local_instant(date(2026, 3, 8), time(20, 0), BERLIN), "Alice"),
        (local_instant(date(2026, 3, 8), time(21, 0), NEW_YORK), "Bob"),
    ]


async def test_the_nudge_never_comes_before_the_partners_own_question(bot: Running) -> None:
    couple = await berlin_and_new_york(bot)
    alice, bob = couple.both
    await command(bob, "/time 21:00", "Done.")
    await tick_at(bot, local_instant(date(2026, 3, 3), time(20, 0), BERLIN))
    await alice.expect(contains=QUESTION)
    for partner in couple.both:
        await read_all(bot, partner)
    await alice.send_text("Early, from Berlin")
    await alice.expect(contains="Saved.")
    await bot.settle()
    assert not bob.unread, "14:00 in New York: Bob has not had his question yet"
    await tick_at(bot, local_instant(date(2026, 3, 3), time(21, 0), NEW_YORK))
    question = await bob.expect()
    assert question.contains(QUESTION)
    await bob.expect(contains="has answered today's question")
