"""Check-ins end to end through the sandbox, with an injected clock, on both engines."""

from __future__ import annotations

import struct
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest

from sandbox import BotMessage, SimulatedUser, UploadedFile
from tests.conftest import Running, make_settings
from tests.helpers import Couple, as_date, command, pair_couple, rows, scalar, tick


async def next_containing(
    user: SimulatedUser, fragment: str, skip: int = 6, wait: float = 5.0
) -> BotMessage:
    """The next message containing `fragment`, passing over daily questions and other
    messages that the schedule sends meanwhile."""
    for _ in range(skip):
        message = await user.expect(timeout=wait)
        if message.contains(fragment):
            return message
    raise AssertionError(f"{user.first_name}: no message containing {fragment!r}")


async def ask_of(user: SimulatedUser) -> BotMessage:
    return await next_containing(user, "How connected have you felt")


def rating_data(ask: BotMessage, rating: int) -> str:
    for row in ask.buttons:
        for button in row:
            if button.data and button.data.endswith(f":{rating}"):
                return button.data
    raise AssertionError(f"no button for {rating}: {ask.buttons}")


async def check_in(
    user: SimulatedUser, ask: BotMessage, rating: int, note: str | None = None
) -> BotMessage:
    """Rate, then add a note or skip; returns the confirmation the person sees."""
    await user.press(rating_data(ask, rating))
    asked = await user.expect_edit(ask.message_id)
    assert "something you'd like the two of you to talk about" in asked.text
    add_note, skip = asked.buttons[0]
    assert (add_note.text, skip.text) == ("Add a note", "Skip")
    if note is None:
        await user.press(skip.data or "")
        return await user.expect_edit(ask.message_id)
    await user.press(add_note.data or "")
    started = await user.expect_edit(ask.message_id)
    assert "next message" in started.text
    await user.send_text(note)
    return await user.expect(contains="note")


async def both_check_in(
    bot: Running, couple: Couple, a: int, b: int, note_a: str | None = None
) -> tuple[BotMessage, BotMessage]:
    """A full check-in: both answer; returns the reveal each partner got."""
    ask_a, ask_b = await ask_of(couple.a), await ask_of(couple.b)
    await check_in(couple.a, ask_a, a, note_a)
    await check_in(couple.b, ask_b, b)
    await bot.settle()
    return (
        await next_containing(couple.a, "Your check-in"),
        await next_containing(couple.b, "Your check-in"),
    )


async def start_checkin(couple: Couple) -> None:
    await couple.a.send_command("/checkin")
    await couple.a.expect(contains="Check-in started")


async def test_both_answer_then_both_see_both_and_a_celebration(bot: Running) -> None:
    couple = await pair_couple(bot)
    await start_checkin(couple)
    ask_a, ask_b = await ask_of(couple.a), await ask_of(couple.b)
    labels = [button.text for row in ask_a.buttons for button in row]
    assert labels[0] == "5 · Very close"
    assert labels[-1] == "1 · Far apart"

    confirmation = await check_in(couple.a, ask_a, 4, "More <walks> & talks")
    assert "<b>Bob</b> will see it with your check-in" in confirmation.text
    await bot.settle()
    assert all("More" not in message.text for message in couple.b.inbox), "nothing leaks early"

    await check_in(couple.b, ask_b, 5)
    await bot.settle()
    reveal_a = await couple.a.expect(contains="Your check-in")
    reveal_b = await couple.b.expect(contains="Your check-in")
    for reveal in (reveal_a, reveal_b):
        assert "Close (4 of 5)" in reveal.text
        assert "Very close (5 of 5)" in reveal.text
        assert "More &lt;walks&gt; &amp; talks" in reveal.text
        assert "both feeling close" in reveal.text
        assert "score" not in reveal.plain_text.lower()
    assert await scalar(bot, "SELECT follow_up FROM checkin") == "celebrate"
    prompt_kind = await scalar(
        bot, "SELECT p.kind FROM checkin c JOIN prompt p ON p.id = c.prompt_id"
    )
    assert prompt_kind == "checkin"


async def test_only_one_open_checkin_at_a_time(bot: Running) -> None:
    couple = await pair_couple(bot)
    await start_checkin(couple)
    await couple.b.send_command("/checkin")
    await next_containing(couple.b, "already open")
    assert await scalar(bot, "SELECT count(*) FROM checkin") == 1


async def test_a_third_person_cannot_answer_someone_elses_checkin(bot: Running) -> None:
    couple = await pair_couple(bot)
    await start_checkin(couple)
    ask = await ask_of(couple.a)
    carol = bot.sandbox.user(3003, "Carol")
    await carol.send_command("/start")
    await carol.expect()
    await carol.press(rating_data(ask, 1))
    answer = await carol.expect_answer()
    assert answer.text
    assert await scalar(bot, "SELECT a_rating FROM checkin") is None


@pytest.mark.parametrize(
    ("a", "b", "previous", "reason"),
    [
        (2, 3, None, "low"),
        (5, 3, None, "gap"),
        (3, 3, (5, 5), "drop"),
    ],
)
async def test_reconnect_is_offered_for_each_trigger(
    bot: Running, a: int, b: int, previous: tuple[int, int] | None, reason: str
) -> None:
    couple = await pair_couple(bot)
    if previous is not None:
        await start_checkin(couple)
        await both_check_in(bot, couple, *previous)
        bot.clock.advance(timedelta(days=1))
    await start_checkin(couple)
    reveal_a, reveal_b = await both_check_in(bot, couple, a, b)
    for reveal in (reveal_a, reveal_b):
        assert "A small reconnect, together" in reveal.text
        assert "I feel … when … and I need …" in reveal.text
        assert "reflects it back" in reveal.text
        assert "A question to start with" in reveal.text
        assert [button.text for row in reveal.buttons for button in row] == [
            "In an hour",
            "Tonight",
            "Tomorrow evening",
            "Saturday",
        ]
        assert "counsellor" not in reveal.text
    assert "reconnect" in str(await scalar(bot, "SELECT follow_up FROM checkin ORDER BY id DESC"))
    assert reason

    # They pick a time: both are reminded then, with the reconnect question.
    await couple.b.press(reveal_b.buttons[0][0].data or "")
    await couple.b.expect(contains="I'll remind you both")
    await couple.a.expect(contains="picked a time")
    bot.clock.advance(timedelta(hours=1, minutes=1))
    await tick(bot)
    await next_containing(couple.a, "time for your reconnect talk")
    await next_containing(couple.b, "time for your reconnect talk")


async def _low_three_times(bot: Running, couple: Couple) -> list[BotMessage]:
    reveals = []
    for ratings in ((2, 3), (2, 2), (1, 2)):
        await start_checkin(couple)
        reveal, _ = await both_check_in(bot, couple, *ratings)
        reveals.append(reveal)
        bot.clock.advance(timedelta(days=1))
    return reveals


async def test_counsellor_after_three_low_checkins_with_the_operators_link(
    sandbox: Any, database_url: str, clock: Any
) -> None:
    from bot.app import Hearth

    settings = make_settings(
        sandbox.api_root,
        database_url,
        support_url="https://example.org/couples",
        support_text="Our practice offers couples sessions.",
    )
    hearth = Hearth(settings, clock=clock, scheduler=False)
    await hearth.start()
    try:
        bot = Running(hearth, sandbox, clock)
        couple = await pair_couple(bot)
        first, second, third = await _low_three_times(bot, couple)
        assert "counsellor" not in first.text
        assert "counsellor" not in second.text
        assert "couples counsellor is a strong, proactive step" in third.text
        assert "https://example.org/couples" in third.text
        assert "Our practice offers couples sessions." in third.text
    finally:
        await hearth.stop()


async def test_counsellor_word_invents_no_link_when_none_is_set(bot: Running) -> None:
    couple = await pair_couple(bot)
    *_, third = await _low_three_times(bot, couple)
    assert "couples counsellor" in third.text
    assert "http" not in third.text


async def test_unanswered_checkin_closes_after_48_hours(bot: Running) -> None:
    couple = await pair_couple(bot)
    await start_checkin(couple)
    ask_a = await ask_of(couple.a)
    await ask_of(couple.b)
    await check_in(couple.a, ask_a, 2, "I miss you")
    bot.clock.advance(timedelta(hours=47))
    await tick(bot)
    assert await scalar(bot, "SELECT status FROM checkin") == "open"
    bot.clock.advance(timedelta(hours=1, minutes=1))
    await tick(bot)
    closed = await next_containing(couple.a, "has closed before <b>Bob</b> could answer")
    assert "private" in closed.text
    assert all("I miss you" not in m.text for m in couple.b.inbox)
    assert all("Your check-in" not in m.text for m in couple.b.inbox)
    told = await next_containing(couple.b, "This check-in has closed. <b>Alice</b> had checked in")
    assert "stays private" in told.text, "Bob is told kindly, and sees nothing of hers"
    assert await scalar(bot, "SELECT status FROM checkin") == "closed"
    assert await scalar(bot, "SELECT a_rating FROM checkin") == 2, "her rating is kept"


@pytest.mark.parametrize(
    ("cadence", "expected"),
    # From Monday 2 March: Sundays 8 Mar to 31 May; every other one; the first Sundays
    # of April and May (1 March has passed); none.
    [("weekly", 13), ("biweekly", 7), ("monthly", 2), ("off", 0)],
)
async def test_cadence_over_three_months(bot: Running, cadence: str, expected: int) -> None:
    couple = await pair_couple(bot)
    if cadence != "weekly":
        await couple.a.send_command("/checkins")
        menu = await couple.a.expect(contains="Check-ins")
        await couple.a.press(f"cc:{cadence}")
        await couple.a.expect_edit(menu.message_id)
    for _ in range(91 * 4):  # every 6 hours for 91 days
        bot.clock.advance(timedelta(hours=6))
        await bot.hearth.checkins.tick()
    created = [as_date(day) for (day,) in await rows(bot, "SELECT local_date FROM checkin")]
    assert len(created) == expected
    assert all(day.weekday() == 6 for day in created), "on the pair's weekday (Sunday)"
    if cadence == "monthly":
        assert all(day.day <= 7 for day in created)
    gaps = {(later - earlier).days for earlier, later in pairwise(created)}
    assert gaps <= {"weekly": {7}, "biweekly": {14}, "monthly": {28, 35}, "off": set()}[cadence]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_falling_ratings_over_six_weeks(bot: Running) -> None:
    """Done means: a reconnect, then the counsellor word, exactly when the rules say, and
    /trend shows the line going down."""
    couple = await pair_couple(bot)
    await couple.a.send_command("/trend")
    await next_containing(couple.a, "at least two check-ins")

    weekly = [(5, 5), (4, 4), (3, 3), (2, 3), (2, 2), (1, 2)]
    outcomes = []
    for a, b in weekly:
        await start_checkin(couple)
        reveal, _ = await both_check_in(bot, couple, a, b)
        outcomes.append(
            ("reconnect" in reveal.text, "couples counsellor" in reveal.text, "🎉" in reveal.text)
        )
        bot.clock.advance(timedelta(days=7))
    assert outcomes == [
        (False, False, True),  # both close: a celebration
        (False, False, True),
        (False, False, False),  # a small dip, no trigger
        (True, False, False),  # 2 or below: reconnect
        (True, False, False),
        (True, True, False),  # third low check-in in a row: the counsellor word
    ]

    await couple.a.send_command("/trend")
    # The first chart in a process imports matplotlib: seconds on a busy machine.
    photo = await next_containing(couple.a, "How connected you've felt", wait=30)
    assert photo.kind == "photo"
    assert "further apart" in photo.text
    # Spoken to the reader, dated on the reader's own calendar: the check-ins came at
    # 09:00 UTC, which is the evening before in Pago Pago (UTC-11).
    assert "you felt far apart, Bob felt a bit distant." in photo.plain_text
    assert "Dates in" not in photo.plain_text
    await command(couple.b, "/timezone Pacific/Pago_Pago", "Pacific/Pago_Pago")
    await couple.b.send_command("/trend")
    bobs = await next_containing(couple.b, "How connected you've felt")
    assert "you felt a bit distant, Alice felt far apart." in bobs.plain_text
    alice_day = photo.plain_text.split("Latest check-in (")[1].split(")")[0]
    bob_day = bobs.plain_text.split("Latest check-in (")[1].split(")")[0]
    assert int(bob_day.split()[0]) == int(alice_day.split()[0]) - 1, (alice_day, bob_day)
    uploads = [
        params["photo"]
        for method, params in bot.sandbox.calls
        if method == "sendPhoto" and isinstance(params.get("photo"), UploadedFile)
    ]
    assert uploads
    width, height = png_size(uploads[-1].content)
    assert 800 <= width <= 2000
    assert 800 <= height <= 2000
    assert 20_000 < len(uploads[-1].content) < 1_500_000
