"""Where a message goes, end to end through the sandbox on both engines: a check-in day
does not swallow the daily answer, a rating is never lost, and text after a reveal is
offered to the partner instead of refused or filed under an older question."""

from __future__ import annotations

from datetime import timedelta

from sandbox import BotMessage, SimulatedUser
from tests.conftest import Running
from tests.helpers import Couple, pair_couple, read_all, rows, scalar, tick_at, utc

ROUTE_ANSWER = "My answer to today's question"
ROUTE_NOTE = "A note for the check-in"


async def start_checkin(couple: Couple) -> tuple[BotMessage, BotMessage]:
    await couple.a.send_command("/checkin")
    await couple.a.expect(contains="Check-in started")
    asks = []
    for user in couple.both:
        asks.append(await next_containing(user, "How connected have you felt"))
    return asks[0], asks[1]


async def next_containing(user: SimulatedUser, fragment: str, skip: int = 6) -> BotMessage:
    for _ in range(skip):
        message = await user.expect()
        if message.contains(fragment):
            return message
    raise AssertionError(f"{user.first_name}: no message containing {fragment!r}")


async def rate(user: SimulatedUser, ask: BotMessage, word: str) -> BotMessage:
    await user.press_button(word, message_id=ask.message_id)
    return await user.expect_edit(ask.message_id)


async def daily_answers(bot: Running) -> list[tuple[object, ...]]:
    return await rows(bot, "SELECT person_id, body FROM answer ORDER BY id")


# --- failure 1: a check-in day does not swallow the daily answer -----------------------


async def test_text_after_a_rating_asks_where_it_goes_and_lands_there(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, _ = couple.both
    ask_a, _ = await start_checkin(couple)
    await rate(alice, ask_a, "4 · Close")

    await alice.send_text("A walk by the river")
    asked = await alice.expect(contains="Where should this message go?")
    labels = [button.text for row in asked.buttons for button in row]
    assert labels == [ROUTE_ANSWER, ROUTE_NOTE, "Keep it to myself"]
    assert await daily_answers(bot) == [], "nothing is filed before she chooses"

    await alice.press_button(ROUTE_ANSWER, message_id=asked.message_id)
    saved = await alice.expect_edit(asked.message_id)
    assert "Saved. Your answer to:" in saved.plain_text
    assert couple.first_question_a.plain_text.split("\n\n")[1] in saved.plain_text
    assert await daily_answers(bot) == [(alice.id, "A walk by the river")]
    assert await scalar(bot, "SELECT a_note FROM checkin") is None
    nudge = await next_containing(couple.b, "has answered today's question")
    assert "river" not in nudge.text

    # A second tap (a stale client still showing the buttons) finds nothing kept.
    await alice.press(asked.buttons[1][0].data or "", message_id=asked.message_id)
    assert "no longer active" in (await alice.expect_answer()).text
    assert await scalar(bot, "SELECT a_note FROM checkin") is None


async def test_the_same_choice_can_make_the_text_a_note(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    ask_a, ask_b = await start_checkin(couple)
    await rate(alice, ask_a, "2 · A bit distant")
    await alice.send_text("Can we talk on Sunday?")
    asked = await alice.expect(contains="Where should this message go?")
    await alice.press_button(ROUTE_NOTE, message_id=asked.message_id)
    noted = await alice.expect_edit(asked.message_id)
    assert "check-in note" in noted.text
    assert await daily_answers(bot) == []
    await rate(bob, ask_b, "4 · Close")
    reveal = await next_containing(bob, "Your check-in")
    assert "Can we talk on Sunday?" in reveal.plain_text


async def test_add_a_note_makes_the_next_text_the_note_until_a_command(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, _ = couple.both
    ask_a, _ = await start_checkin(couple)
    rated = await rate(alice, ask_a, "3 · Okay")
    await alice.press_button("Add a note", message_id=rated.message_id)
    started = await alice.expect_edit(ask_a.message_id)
    assert "next message" in started.text
    assert "command cancels" in started.text
    await alice.send_command("/status")
    await alice.expect(contains="paired with")
    await alice.send_text("This is my daily answer")
    asked = await alice.expect(contains="Where should this message go?")
    assert asked.buttons, "after /status the note step is over: the bot asks again"


async def test_a_note_step_expires(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, _ = couple.both
    ask_a, _ = await start_checkin(couple)
    await rate(alice, ask_a, "3 · Okay")
    await alice.press_button("Add a note", message_id=ask_a.message_id)
    await alice.expect_edit(ask_a.message_id)
    bot.clock.advance(timedelta(minutes=11))
    await alice.send_text("Later thoughts")
    await alice.expect(contains="Where should this message go?")
    assert await scalar(bot, "SELECT a_note FROM checkin") is None


# --- failure 2: a rating is never lost ------------------------------------------------


async def test_a_rating_counts_when_tapped_even_if_the_note_is_ignored(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    ask_a, ask_b = await start_checkin(couple)
    rated = await rate(alice, ask_a, "3 · Okay")
    assert [b.text for row in rated.buttons for b in row] == ["Add a note", "Skip"]
    # Bob ignores the note buttons as well: both ratings count, the reveal comes.
    bob_rated = await rate(bob, ask_b, "5 · Very close")
    assert "You've both checked in" in bob_rated.text
    for user, own, theirs in ((alice, "Okay", "Very close"), (bob, "Very close", "Okay")):
        reveal = await next_containing(user, "Your check-in")
        assert f"You</b>: {own}" in reveal.text
        assert theirs in reveal.text
    assert await scalar(bot, "SELECT status FROM checkin") == "revealed"
    # 3 and 5 are different views, not distance: nobody is told there's distance.
    assert "a little distance" not in reveal.text
    assert "see the last while a little differently" in reveal.text


async def test_a_note_after_the_reveal_goes_to_the_partner(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    ask_a, ask_b = await start_checkin(couple)
    await rate(alice, ask_a, "4 · Close")
    await rate(bob, ask_b, "4 · Close")
    reveal = await next_containing(alice, "Your check-in")
    await next_containing(bob, "Your check-in")
    await bot.settle()
    await alice.reply_to(reveal.message_id, "Thank you for this week")
    sent = await alice.expect(contains="on its way to <b>Bob</b>")
    assert sent
    follow_up = await next_containing(bob, "added a note to your check-in")
    assert "Thank you for this week" in follow_up.plain_text


# --- failure 5: text after the reveal -------------------------------------------------


async def reveal_today(bot: Running, couple: Couple) -> None:
    alice, bob = couple.both
    await alice.send_text("Mine")
    await alice.expect(contains="Saved.")
    await bob.send_text("Yours")
    await bot.settle()
    await read_all(bot, alice)
    await read_all(bot, bob)


async def test_thanks_after_the_reveal_is_offered_to_the_partner(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    await reveal_today(bot, couple)
    await alice.send_text("thanks ❤")
    offer = await alice.expect(contains="Would you like me to send this to <b>Bob</b>?")
    assert "no open question" in offer.text
    assert [b.text for row in offer.buttons for b in row] == ["Send it to Bob", "Keep it to myself"]
    await alice.press_button("Send it to Bob", message_id=offer.message_id)
    sent = await alice.expect_edit(offer.message_id)
    assert "Sent to <b>Bob</b>" in sent.text
    relayed = await bob.expect(contains="<b>Alice</b> replied")
    assert "thanks ❤" in relayed.plain_text


async def test_keep_it_to_myself_sends_nothing(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    await reveal_today(bot, couple)
    await alice.send_text("just thinking aloud")
    offer = await alice.expect(contains="send this to")
    await alice.press_button("Keep it to myself", message_id=offer.message_id)
    kept = await alice.expect_edit(offer.message_id)
    assert "Nothing was sent" in kept.text
    await bot.settle()
    assert not bob.unread
    assert await scalar(bot, "SELECT count(*) FROM held_message") == 0


async def test_an_older_open_question_is_never_answered_silently(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    monday = couple.first_question_a
    await tick_at(bot, utc(2026, 3, 3, 20, 0))  # Tuesday's question at the pair's time
    await read_all(bot, alice)
    await read_all(bot, bob)
    await reveal_today(bot, couple)  # Tuesday's, while Monday's is still open

    await alice.send_text("thanks ❤")
    await alice.expect(contains="send this to <b>Bob</b>")
    answered = await rows(bot, "SELECT count(*) FROM answer a JOIN round r ON r.id = a.round_id")
    assert answered == [(2,)], "nothing filed under Monday's question"

    await alice.reply_to(monday.message_id, "For Monday, after all")
    saved = await alice.expect(contains="Saved.")
    assert "Your answer to the question from Mon 2 Mar:" in saved.plain_text
    nudge = await next_containing(bob, "has answered an earlier question")
    assert monday.plain_text.split("\n\n")[1] in nudge.plain_text
