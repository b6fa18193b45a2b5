"""The daily schedule end to end: the first question at pairing, then one a day at the pair's
time, across daylight-saving changes in two zones, after downtime, and /time and /timezone.
The clock is injected and each tick is driven by the test; nothing waits for a timer."""

from __future__ import annotations

from datetime import date, time, timedelta

from tests.conftest import START, Running
from tests.helpers import (
    BERLIN,
    NEW_YORK,
    QUESTION,
    Couple,
    as_date,
    as_instant,
    assert_nothing_new,
    command,
    expect_each,
    local_instant,
    pair_couple,
    read_all,
    rounds_of,
    rows,
    scalar,
    tick_at,
    unread_questions,
    utc,
)

EIGHT_PM = time(20, 0)


async def question_rows(bot: Running, round_id: int) -> list[tuple[object, ...]]:
    """(recipient, created_at, sent_at) of a round's question messages."""
    return await rows(
        bot,
        "SELECT recipient_id, created_at, sent_at FROM outbox "
        "WHERE kind = 'question' AND dedupe_key LIKE :key ORDER BY recipient_id",
        key=f"round:{round_id}:%",
    )


async def test_first_question_at_pairing_then_daily_at_the_pairs_time(bot: Running) -> None:
    couple = await pair_couple(bot)  # Monday 2 March, 09:00 UTC; the pair's time is 20:00 UTC
    assert couple.first_question_a.text == couple.first_question_b.text
    [(first_id, first_date, _, first_created)] = await rounds_of(bot, couple.pair_id)
    assert as_date(first_date) == date(2026, 3, 2)
    assert as_instant(first_created) == START

    # Today already has its question: today's 20:00 brings nothing more.
    for instant in (utc(2026, 3, 2, 20, 0), utc(2026, 3, 3, 19, 59)):
        await tick_at(bot, instant)
        assert not await unread_questions(bot, couple.a)
        assert not await unread_questions(bot, couple.b)
    await tick_at(bot, utc(2026, 3, 3, 20, 0))
    second_a = await couple.a.expect(contains=QUESTION)
    second_b = await couple.b.expect(contains=QUESTION)
    assert second_a.text == second_b.text != couple.first_question_a.text
    rounds = await rounds_of(bot, couple.pair_id)
    assert [as_date(r[1]) for r in rounds] == [date(2026, 3, 2), date(2026, 3, 3)]
    assert as_instant(rounds[1][3]) == utc(2026, 3, 3, 20, 0)
    assert first_id != rounds[1][0]


async def test_thirty_days_across_both_dst_changes_in_two_zones(bot: Running) -> None:
    """Alice lives in Berlin (20:00 her time), Bob in New York (21:00 his time): one shared
    question a day, each at their own time. March 2026 has the US change (8 March) and the
    EU one (29 March); neither moves anyone's time on their own clock. Each reveal reaches
    the partner who did not just answer outside their night."""
    couple = await pair_couple(bot)
    alice, bob = couple.both
    menu = await command(alice, "/checkins")
    await alice.press("cc:off")  # only daily questions in this month
    await alice.expect_edit(menu.message_id)
    zone_reply = await command(alice, "/timezone Berlin", "Europe/Berlin")
    assert "where it is now 10:00" in zone_reply.plain_text
    assert "Your daily question comes at 20:00 your time" in zone_reply.plain_text
    bob_zone = await command(bob, "/timezone New York", "America/New_York")
    assert "Your daily question comes at 20:00 your time" in bob_zone.plain_text
    await command(bob, "/time 21:00", "21:00 your time (America/New_York)")
    await bob.send_text("Pairing day")
    await bob.expect(contains="Saved.")
    await alice.send_text("Pairing day too")
    await read_all(bot, alice)
    assert not any("Pairing day too" in m.plain_text for m in await read_all(bot, bob))
    # 08:00 in New York: Bob's reveal comes, and the notice of Alice's shared change
    # (check-ins off) that waited for his morning.
    await tick_at(bot, utc(2026, 3, 2, 13, 0))
    await expect_each(bob, "Pairing day too", "<b>Alice</b> turned check-ins off for you both")
    assert_nothing_new(alice, bob, why="per-person settings tell nobody else")

    first_day = date(2026, 3, 3)
    for offset in range(30):
        day = first_day + timedelta(days=offset)
        due_a = local_instant(day, EIGHT_PM, BERLIN)
        due_b = local_instant(day, time(21, 0), NEW_YORK)
        if day in EDGE_DAYS:
            await tick_at(bot, due_a - timedelta(minutes=1))
            assert_nothing_new(alice, bob, why=f"nothing is due before 20:00 on {day}")
        await tick_at(bot, due_a)
        question_a = await alice.expect(contains=QUESTION)
        if day in EDGE_DAYS:
            await tick_at(bot, due_b - timedelta(minutes=1))
            assert_nothing_new(alice, bob, why=f"Bob's comes at his own 21:00 on {day}")
        await tick_at(bot, due_b)
        question_b = await bob.expect(contains=QUESTION)
        assert question_a.text == question_b.text
        assert_nothing_new(alice, bob, why=f"one question each on {day}")
        rounds = await rounds_of(bot, couple.pair_id)
        round_id, local_date, _, created_at = rounds[-1]
        assert as_date(local_date) == day
        assert as_instant(created_at) == due_a
        sends = await question_rows(bot, int(round_id))
        assert [row[0] for row in sends] == [alice.id, bob.id]
        assert [as_instant(row[2]) for row in sends] == [due_a, due_b]
        if day in STATUS_CHECKS:
            await check_status_times(couple)
        await answer_both(bot, couple, day, streak=offset + 2)

    rounds = await rounds_of(bot, couple.pair_id)
    dates = [as_date(r[1]) for r in rounds]
    assert dates == [date(2026, 3, 2) + timedelta(days=n) for n in range(31)]
    assert {r[2] for r in rounds} == {"revealed"}
    assert await scalar(bot, "SELECT count(*) FROM outbox WHERE kind = 'question'") == 62


# The first day and the days around both changes are checked to the minute.
EDGE_DAYS = {date(2026, 3, d) for d in (3, 7, 8, 9, 28, 29, 30)}

# /status shows each their own time on their own clock, across both changes.
STATUS_CHECKS = (date(2026, 3, 5), date(2026, 3, 15), date(2026, 3, 30))


async def check_status_times(couple: Couple) -> None:
    alice_status = await command(couple.a, "/status", "Daily question")
    assert "Daily question: 20:00 your time (Europe/Berlin)" in alice_status.plain_text
    bob_status = await command(couple.b, "/status", "Daily question")
    assert "Daily question: 21:00 your time (America/New_York)" in bob_status.plain_text


async def answer_both(bot: Running, couple: Couple, day: date, streak: int) -> None:
    """Bob replies to his question at once (03:00 in Berlin: Alice's nudge waits for her
    08:00); Alice answers at her 08:00; Bob's reveal waits for his 08:00."""
    alice, bob = couple.both
    question = next(m for m in reversed(bob.inbox) if m.contains(QUESTION))
    await bob.reply_to(question.message_id, f"Bob on {day}")
    await expect_each(bob, "Saved.")
    await bot.settle()
    assert not alice.unread, "03:00 in Berlin is Alice's night"
    await tick_at(bot, local_instant(day + timedelta(days=1), time(8, 0), BERLIN))
    await alice.expect(contains="has answered today's question")
    await alice.send_text(f"Alice on {day}")
    alice_messages = await expect_each(alice, "here are your answers", f"Bob on {day}")
    await bot.settle()
    assert not bob.unread, "02:00 or 03:00 in New York is Bob's night"
    await tick_at(bot, local_instant(day + timedelta(days=1), time(8, 0), NEW_YORK))
    bob_reveal = await bob.expect(contains=f"Alice on {day}")
    text = f"{streak} questions in a row"
    assert text in bob_reveal.plain_text
    assert any(text in m.plain_text for m in alice_messages)


async def test_a_daily_time_in_the_spring_gap_and_the_autumn_fold(bot: Running) -> None:
    """02:30 in Berlin does not exist on 29 March (it comes at 03:30) and happens twice on
    25 October (the first one counts). Ticking every 15 minutes: one question a day."""
    couple = await pair_couple(bot)
    for partner in couple.both:  # both chose 02:30: their own time, in their quiet hours
        await command(partner, "/timezone Berlin", "Europe/Berlin")
        await command(partner, "/time 2:30", "02:30 your time (Europe/Berlin)")
    for start, expected in (
        (utc(2026, 3, 28, 0, 0), [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 30)]),
        (utc(2026, 10, 24, 0, 0), [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30)]),
    ):
        await tick_at(bot, start - timedelta(hours=12))  # catch up to the day before
        await read_all(bot, couple.a)
        await read_all(bot, couple.b)
        arrivals = []
        for quarter in range(4 * 30):
            await tick_at(bot, start + timedelta(minutes=15 * quarter))
            if await unread_questions(bot, couple.a):
                arrivals.append(bot.clock.now())
                assert len(await unread_questions(bot, couple.b)) == 1
        assert arrivals == expected


async def test_after_downtime_one_tick_gives_todays_question_only(bot: Running) -> None:
    couple = await pair_couple(bot)
    # The bot is down from Monday morning until Thursday 21:00: no tick in between.
    await tick_at(bot, utc(2026, 3, 5, 21, 0))
    await couple.a.expect(contains=QUESTION)
    await couple.b.expect(contains=QUESTION)
    assert_nothing_new(couple.a, couple.b)
    await tick_at(bot, utc(2026, 3, 5, 21, 5))
    assert_nothing_new(couple.a, couple.b)
    dates = [as_date(r[1]) for r in await rounds_of(bot, couple.pair_id)]
    assert dates == [date(2026, 3, 2), date(2026, 3, 5)]
    # ... and the next one comes at the usual time.
    await tick_at(bot, utc(2026, 3, 6, 20, 0))
    await couple.a.expect(contains=QUESTION)
    await couple.b.expect(contains=QUESTION)
    assert len(await rounds_of(bot, couple.pair_id)) == 3


async def test_time_accepts_the_usual_ways_of_writing_it(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    await command(alice, "/timezone UTC", "Got it")
    await command(bob, "/timezone New York", "America/New_York")
    for typed, shown in (("21:30", "21:30"), ("9pm", "21:00"), ("9:15 am", "09:15")):
        reply = await command(alice, f"/time {typed}", "Done.")
        assert f"comes at {shown} your time (UTC)" in reply.plain_text
        await bot.settle()
        assert not bob.unread, "my own time tells nobody else"
    next_due = await scalar(bot, "SELECT next_prompt_at FROM pair WHERE id = :p", p=couple.pair_id)
    assert as_instant(next_due) == utc(2026, 3, 3, 9, 15), "Alice had today's at pairing"
    await command(bob, "/time 04:15", "Done.")
    for junk in ("banana", "25:00", "9:75", "13pm"):
        refused = await command(alice, f"/time {junk}", "couldn't read that time")
        assert "/time 9pm" in refused.plain_text
    assert not bob.unread
    await tick_at(bot, utc(2026, 3, 2, 9, 15))  # today already had its question at pairing
    assert not await unread_questions(bot, alice)
    await tick_at(bot, utc(2026, 3, 3, 9, 15))  # 04:15 in New York: Bob chose it
    await alice.expect(contains=QUESTION)
    await bob.expect(contains=QUESTION)


async def test_timezone_by_city_country_zone_name_and_the_unclear_cases(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice = couple.a
    for typed, zone in (
        ("Tokyo", "Asia/Tokyo"),
        ("Germany", "Europe/Berlin"),
        ("america/new_york", "America/New_York"),
    ):
        reply = await command(alice, f"/timezone {typed}", "Got it")
        assert zone in reply.plain_text
        stored = await scalar(bot, "SELECT timezone FROM person WHERE id = :p", p=alice.id)
        assert stored == zone
    unclear = await command(alice, "/timezone USA", "Which one do you mean?")
    assert "/timezone America/New_York" in unclear.plain_text
    guesses = await command(alice, "/timezone Gondor", "couldn't find that place")
    assert "Did you mean" in guesses.plain_text
    assert "/timezone Europe/London" in guesses.plain_text
    unknown = await command(alice, "/timezone qwertz", "couldn't find that place")
    assert "/timezone Berlin" in unknown.plain_text
    stored = await scalar(bot, "SELECT timezone FROM person WHERE id = :p", p=alice.id)
    assert stored == "America/New_York"
