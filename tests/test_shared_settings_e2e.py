"""Failure 7 of issue 11: a shared setting (reminders, topics, the check-in cadence)
changed by one partner is told to the other once, kindly, naming who changed what.

Notices wait a few minutes (NOTICE_DELAY) so that changes in quick succession become one
notice describing where they ended; a change undone within that time tells nobody.
"""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import Running
from tests.helpers import (
    Couple,
    assert_nothing_new,
    command,
    outbox_count,
    pair_couple,
    read_all,
    tick_at,
    utc,
)

# More than the notices' wait (bot.notices.rules.NOTICE_DELAY, checked by
# test_notice_and_reaction_rules).
NOTICE_WAIT = timedelta(minutes=5)


async def notices_due(bot: Running) -> None:
    """Let the waiting notices' few minutes pass, and send what is then due."""
    bot.clock.advance(NOTICE_WAIT)
    bot.hearth.sender.wake()
    await bot.settle()


async def quiet_couple(bot: Running) -> Couple:
    couple = await pair_couple(bot)
    await bot.settle()
    assert_nothing_new(*couple.both, why="after pairing")
    return couple


async def test_reminders_off_is_told_once_and_a_later_change_again(bot: Running) -> None:
    couple = await quiet_couple(bot)
    await command(couple.b, "/reminders off", contains="Reminders are off")
    await notices_due(bot)
    told = await couple.a.expect(contains="Bob turned reminders off for you both")
    assert "/reminders on brings them back" in told.text
    assert_nothing_new(*couple.both, why="the changer's own reply is all Bob gets")

    # The same change again moves nothing: nobody is told twice.
    await command(couple.b, "/reminders off", contains="Reminders are off")
    await notices_due(bot)
    assert_nothing_new(*couple.both, why="reminders were already off")

    # A later real change is told again, this time by Alice to Bob.
    await command(couple.a, "/reminders on", contains="Reminders are on")
    await notices_due(bot)
    await couple.b.expect(contains="Alice turned reminders on for you both")
    assert_nothing_new(*couple.both)
    assert await outbox_count(bot, "setting_changed") == 2


async def test_rapid_topic_toggles_become_one_notice_of_where_they_ended(bot: Running) -> None:
    couple = await quiet_couple(bot)
    await couple.a.send_command("/topics")
    menu = await couple.a.expect(contains="Choose the topics")
    first, second = menu.buttons[0][0], menu.buttons[1][0]
    assert first.data is not None
    assert second.data is not None
    first_title = first.text.removeprefix("✅").strip()
    for _ in range(5):  # off, on, off, on, off: it ends off
        await couple.a.press(first.data)
        await couple.a.expect_edit(menu.message_id)
    await couple.a.press(second.data)  # off, then back on: no change worth telling
    await couple.a.expect_edit(menu.message_id)
    await couple.a.press(second.data)
    await couple.a.expect_edit(menu.message_id)
    await bot.settle()
    assert_nothing_new(couple.b, why="the notice waits while Alice is still tapping")

    await notices_due(bot)
    told = await couple.b.expect(contains="Alice changed the topics")
    assert f"“{first_title}” is now off" in told.text
    assert "/topics" in told.text
    assert second.text.removeprefix("✅").strip() not in told.text
    assert_nothing_new(*couple.both)
    assert await outbox_count(bot, "setting_changed") == 1


async def test_a_toggle_undone_in_time_tells_nobody(bot: Running) -> None:
    couple = await quiet_couple(bot)
    await couple.b.send_command("/topics")
    menu = await couple.b.expect(contains="Choose the topics")
    data = menu.buttons[0][0].data
    assert data is not None
    for _ in range(2):
        await couple.b.press(data)
        await couple.b.expect_edit(menu.message_id)
    await notices_due(bot)
    assert_nothing_new(*couple.both)
    assert await outbox_count(bot, "setting_changed") == 0


async def test_cadence_and_day_are_told_to_the_partner(bot: Running) -> None:
    couple = await quiet_couple(bot)
    await couple.a.send_command("/checkins")
    menu = await couple.a.expect(contains="Check-ins come")
    await couple.a.press("cc:biweekly")
    await couple.a.expect_edit(menu.message_id)
    await couple.a.press("cw:5")
    await couple.a.expect_edit(menu.message_id)
    await notices_due(bot)
    told = await couple.b.expect(contains="Alice changed your check-ins")
    assert "every two weeks, on Saturdays" in told.text
    assert_nothing_new(*couple.both, why="Alice is told by her menu, not by a notice")

    await couple.b.send_command("/checkins")
    menu_b = await couple.b.expect(contains="Check-ins come")
    await couple.b.press("cc:off")
    await couple.b.expect_edit(menu_b.message_id)
    await notices_due(bot)
    await couple.a.expect(contains="Bob turned check-ins off for you both")
    assert_nothing_new(*couple.both)


async def test_the_changer_setting_it_back_withdraws_what_waited_for_them(
    bot: Running,
) -> None:
    """Bob turns reminders off; Alice, before the notice goes, turns them on again. Bob is
    told Alice turned them on; Alice is not told of Bob's change she has just undone."""
    couple = await quiet_couple(bot)
    await command(couple.b, "/reminders off", contains="Reminders are off")
    await command(couple.a, "/reminders on", contains="Reminders are on")
    await notices_due(bot)
    await couple.b.expect(contains="Alice turned reminders on")
    assert_nothing_new(*couple.both)


async def test_a_change_late_in_the_partners_evening_waits_for_their_morning(
    bot: Running,
) -> None:
    """Not a reply to anything Alice did, so it keeps to her quiet hours (22:00-08:00)."""
    couple = await quiet_couple(bot)
    await command(couple.a, "/timezone Berlin", "Europe/Berlin")
    await bot.settle()
    await read_all(bot, couple.b)
    bot.clock.set(utc(2026, 3, 2, 21, 30))  # 22:30 in Berlin
    await command(couple.b, "/reminders off", contains="Reminders are off")
    await notices_due(bot)
    assert_nothing_new(couple.a, why="Alice's night")
    await tick_at(bot, utc(2026, 3, 3, 7, 0))  # 08:00 in Berlin
    await couple.a.expect(contains="Bob turned reminders off")
