"""A day's round end to end through the sandbox: answers in every form, the nudge, the
reveal (escaped, split when long, media copied), edits, reply routing, reactions, /skip,
streaks, /history, closing, reminders, quiet hours, pauses and a partner who blocks."""

from __future__ import annotations

from datetime import timedelta

from sandbox import BotMessage, SimulatedUser
from tests.conftest import START, Running
from tests.helpers import (
    QUESTION,
    Couple,
    assert_nothing_new,
    command,
    expect_each,
    find,
    outbox_count,
    pair_couple,
    read_all,
    rows,
    scalar,
    tick_at,
    unread_questions,
    utc,
)

NEXT_DAY = utc(2026, 3, 3, 20, 0)  # the pair's 20:00 UTC, the day after pairing


async def next_question(bot: Running, couple: Couple, day: int) -> tuple[BotMessage, BotMessage]:
    """Move to the pair's time `day` days after pairing and tick: both get the question."""
    await tick_at(bot, NEXT_DAY + timedelta(days=day - 1))
    return await couple.a.expect(contains=QUESTION), await couple.b.expect(contains=QUESTION)


async def answer_first(couple: Couple, text: str) -> BotMessage:
    """Alice answers; she gets the confirmation, Bob the content-free nudge."""
    await couple.a.send_text(text)
    saved = await couple.a.expect(contains="Saved.")
    nudge = await couple.b.expect(contains="<b>Alice</b> has answered today's question")
    assert text not in nudge.plain_text
    return saved


async def reveal_messages(user: SimulatedUser, count: int) -> list[BotMessage]:
    messages = [await user.expect() for _ in range(count)]
    return [m for m in messages if not m.contains("Saved.")]


async def answers_in_db(bot: Running) -> list[tuple[object, ...]]:
    return await rows(bot, "SELECT person_id, kind, body FROM answer ORDER BY round_id, person_id")


# --- answers and the reveal ---------------------------------------------------------


async def test_confirmation_nudge_and_reveal_with_escaped_text(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    saved = await answer_first(couple, "I <b>love</b> Tom & Jerry")
    assert "once <b>Bob</b> has answered" in saved.text
    assert "Your answer to:" in saved.plain_text, "it names the question"
    await bob.send_text("Fish & <chips>")
    bob_messages = await expect_each(bob, "You've both answered, so here", "Tom &amp; Jerry")
    bob_reveal = find(bob_messages, "Tom &amp; Jerry")
    assert "I &lt;b&gt;love&lt;/b&gt; Tom &amp; Jerry" in bob_reveal.text
    assert "Alice:\nI <b>love</b> Tom & Jerry" in bob_reveal.plain_text
    assert "You:\nFish & <chips>" in bob_reveal.plain_text
    assert bob_reveal.button_texts == ["❤️", "🤗", "😊", "🥹", "🔥"]
    alice_reveal = await alice.expect(contains="Fish &amp; &lt;chips&gt;")
    assert "Bob:\nFish & <chips>" in alice_reveal.plain_text
    question_text = couple.first_question_a.plain_text.split("\n\n")[1]
    assert question_text in alice_reveal.plain_text
    assert await outbox_count(bot, "nudge") == 1
    assert await outbox_count(bot, "reveal") == 2
    assert_nothing_new(alice, bob)


async def test_the_nudge_goes_once_however_often_the_answer_changes(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    first = await alice.send_text("first")
    await alice.expect(contains="Saved.")
    await bob.expect(contains="has answered today's question")
    await alice.edit(int(first["message_id"]), "second")
    await alice.expect(contains="Updated.")
    await command(alice, "/edit", "Send your new answer")
    await alice.send_text("third")
    await alice.expect(contains="Updated.")
    await alice.send_text("fourth")
    await alice.expect(contains="already answered today's question")
    await bot.settle()
    assert not bob.unread
    assert await outbox_count(bot, "nudge", bob.id) == 1


async def test_answers_in_every_media_kind_are_revealed_with_copies(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    kinds = [
        ("voice", alice.send_voice, "a voice note"),
        ("photo", alice.send_photo, "a photo"),
        ("photo", lambda: alice.send_photo("Our <b>garden</b> & me"), "a photo"),
        ("video", alice.send_video, "a video"),
        ("video_note", alice.send_video_note, "a video message"),
    ]
    await alice.send_sticker()
    await alice.expect(contains="can't use that kind of message")
    for day, (kind, send, words) in enumerate(kinds):
        if day:
            await next_question(bot, couple, day)
        sent = await send()
        saved = await alice.expect(contains="Saved.")
        assert "Your answer to:" in saved.plain_text
        await bob.expect(contains="has answered today's question")
        await bob.send_text(f"Bob's words {day}")
        parts = await reveal_messages(bob, 4)  # "Saved", the heading, the copy, the rest
        heading, copy, closing = parts
        assert f"<b>Alice</b> answered with {words}:" in heading.text
        assert copy.kind == "copy"
        assert kind in copy.raw
        assert copy.copy_of == (alice.id, int(sent["message_id"]))
        if "caption" in sent:
            assert copy.plain_text == "Our <b>garden</b> & me"
        assert f"Bob's words {day}" in closing.plain_text
        assert closing.button_texts[0] == "❤️"
        alice_reveal = await alice.expect(contains=f"Bob's words {day}")
        assert f"You answered with {words}." in alice_reveal.plain_text
    stored = await answers_in_db(bot)
    assert [row[1] for row in stored if row[0] == alice.id] == [k for k, _, _ in kinds]


async def test_a_long_reveal_is_split_and_nothing_is_lost(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    words = [f"w{n}<&>" for n in range(4000)]
    long_answer = " ".join(words)[:4096]  # as long as Telegram lets Alice write
    await alice.send_text(long_answer)
    await alice.expect(contains="Saved.")
    await bob.expect(contains="has answered")
    bob_answer = "Bob " + " ".join(f"b{n}" for n in range(700))
    await bob.send_text(bob_answer)
    await bot.settle()
    bob_messages = [m for m in await read_all(bot, bob) if not m.contains("Saved.")]
    assert len(bob_messages) >= 2
    assert all(len(m.plain_text) <= 4096 for m in bob_messages)
    shown = " ".join(" ".join(m.plain_text for m in bob_messages).split())
    assert " ".join(long_answer.split()) in shown
    assert " ".join(bob_answer.split()) in shown
    assert bob_messages[-1].button_texts[0] == "❤️", "the buttons go under the last part"
    alice_messages = await read_all(bot, alice)
    assert len(alice_messages) >= 2
    shown_to_alice = " ".join(" ".join(m.plain_text for m in alice_messages).split())
    assert " ".join(long_answer.split()) in shown_to_alice

    # Seen again from /history, it is split the same way.
    page = await command(bob, "/history", "page 1 of 1")
    await bob.press(page.buttons[0][0].data or "")
    again = await read_all(bot, bob)
    assert all(len(m.plain_text) <= 4096 for m in again)
    shown_again = " ".join(" ".join(m.plain_text for m in again).split())
    assert " ".join(long_answer.split()) in shown_again
    assert " ".join(bob_answer.split()) in shown_again


# --- editing ------------------------------------------------------------------------


async def test_edits_before_the_reveal_replace_the_answer(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    sent = await alice.send_text("Pizza")
    await alice.expect(contains="Saved.")
    await bob.expect(contains="has answered")
    await alice.edit(int(sent["message_id"]), "Pasta, actually")
    updated = await alice.expect(contains="Updated.")
    assert "once <b>Bob</b> has answered" in updated.text
    await bob.send_text("Sushi")
    await bob.expect(contains="You've both answered")
    reveal = await bob.expect(contains="Pasta, actually")
    assert "Pizza" not in reveal.plain_text
    await alice.expect(contains="Pasta, actually")

    await next_question(bot, couple, day=1)
    await bob.send_text("one")
    await bob.expect(contains="Saved.")
    await alice.expect(contains="<b>Bob</b> has answered")
    edit = await command(bob, "/edit", "Send your new answer")
    assert "replace the old one" in edit.plain_text
    await bob.send_photo("two")
    await bob.expect(contains="Updated.")
    await alice.send_text("Alice's")
    await alice.expect(contains="You've both answered")
    heading = await alice.expect(contains="<b>Bob</b> answered with a photo")
    copy = await alice.expect()
    assert "photo" in copy.raw
    assert copy.plain_text == "two"
    assert heading.message_id < copy.message_id


async def test_after_the_reveal_edits_are_refused_kindly_and_change_nothing(
    bot: Running,
) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    sent = await alice.send_text("Pizza")
    await alice.expect(contains="Saved.")
    await bob.send_text("Sushi")
    await bot.settle()
    await read_all(bot, alice)
    await read_all(bot, bob)
    before = await answers_in_db(bot)

    await alice.edit(int(sent["message_id"]), "Pasta")
    refused = await alice.expect(contains="answers are settled")
    assert "reply to the reveal" in refused.plain_text
    await command(alice, "/edit", "answers are settled")
    await bot.settle()
    assert await answers_in_db(bot) == before
    assert not bob.unread, "Bob hears nothing of it"


async def test_an_unused_edit_lapses_once_a_new_question_waits(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    await answer_first(couple, "Monday's answer")
    await command(alice, "/edit", "Send your new answer")
    await bob.send_text("Bob's answer")  # the reveal comes before Alice sends anything
    await read_all(bot, alice)
    await read_all(bot, bob)
    await next_question(bot, couple, day=1)
    await alice.send_text("Tuesday's answer")
    saved = await alice.expect(contains="Saved.")
    assert "Your answer to:" in saved.plain_text
    stored = await answers_in_db(bot)
    assert [row[2] for row in stored if row[0] == alice.id] == [
        "Monday's answer",
        "Tuesday's answer",
    ]


# --- routing replies ----------------------------------------------------------------


async def test_a_reply_answers_the_question_it_replies_to(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    monday = couple.first_question_a
    tuesday, _ = await next_question(bot, couple, day=1)
    assert not await read_all(bot, alice)

    await alice.reply_to(monday.message_id, "For Monday")
    saved = await alice.expect(contains="Saved.")
    assert "Your answer to the question from Mon 2 Mar:" in saved.plain_text, "named, not hidden"
    assert monday.plain_text.split("\n\n")[1] in saved.plain_text
    await alice.send_text("For the newest")
    newest = await alice.expect(contains="Saved.")
    assert tuesday.plain_text.split("\n\n")[1] in newest.plain_text
    await alice.send_text("Nothing left to answer")
    await alice.expect(contains="already answered")
    stored = await rows(
        bot,
        "SELECT r.local_date, a.body FROM answer a JOIN round r ON r.id = a.round_id "
        "ORDER BY r.local_date",
    )
    assert [row[1] for row in stored] == ["For Monday", "For the newest"]

    # A reply to a nudge answers its question; without a reply, the newest question. The
    # nudge for Monday's says which question it was.
    nudges = await read_all(bot, bob)  # no reminder of Monday's: a newer question came
    assert [m.contains("has answered an earlier question") for m in nudges] == [True, False]
    assert monday.plain_text.split("\n\n")[1] in nudges[0].plain_text
    assert nudges[1].contains("has answered today's question")
    await bob.reply_to(nudges[0].message_id, "Bob on Monday")
    await expect_each(bob, "here are your answers", "For Monday")
    await bob.send_text("Bob on Tuesday")
    await expect_each(bob, "here are your answers", "For the newest")


async def test_replies_to_the_reveal_go_to_the_partner_and_reactions_notify(
    bot: Running,
) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    await answer_first(couple, "Mine")
    await bob.send_text("Yours")
    await bot.settle()
    bob_reveal = find(await read_all(bot, bob), "Reply to this message")
    alice_reveal = find(await read_all(bot, alice), "Reply to this message")

    await bob.reply_to(bob_reveal.message_id, "That made me <smile> & blush")
    sent = await bob.expect(contains="Sent to <b>Alice</b>")
    assert sent
    relayed = await alice.expect(contains="<b>Bob</b> replied")
    assert "That made me <smile> & blush" in relayed.plain_text
    await bot.settle()  # the relay's Telegram id is recorded just after it arrives
    await alice.reply_to(relayed.message_id, "Good")
    await alice.expect(contains="Sent to <b>Bob</b>")
    await bob.expect(contains="<b>Alice</b> replied")

    await bob.press(bob_reveal.buttons[0][0].data or "")
    answer = await bob.expect_answer()
    assert answer.text == "Sent ❤️ to Alice"
    await alice.expect(contains="<b>Bob</b> reacted ❤️")
    await alice.press(alice_reveal.buttons[0][1].data or "")
    await bob.expect(contains="<b>Alice</b> reacted 🤗")

    # A third person pressing (a forged copy of) this pair's button gets nothing.
    strangers = await pair_couple(bot, (1003, "Carol"), (1004, "Dave"))
    carol = strangers.a
    await carol.press(bob_reveal.buttons[0][2].data or "")
    refused = await carol.expect_answer()
    assert refused.text == "This button is no longer active."
    await bot.settle()
    assert_nothing_new(alice, bob)
    assert await outbox_count(bot, "reaction") == 2


async def test_after_pairing_anew_old_reveals_lead_nowhere(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    await answer_first(couple, "For Bob")
    await bob.send_text("For Alice")
    await bot.settle()
    old_reveal = find(await read_all(bot, alice), "Reply to this message")
    await read_all(bot, bob)
    await next_question(bot, couple, day=1)
    await answer_first(couple, "Half an answer")
    await command(alice, "/unpair", "end your pairing")
    await alice.press_button("Yes, unpair")
    await read_all(bot, alice)
    await read_all(bot, bob)

    carol = (await pair_couple(bot, (1001, "Alice"), (1003, "Carol"))).b
    await alice.reply_to(old_reveal.message_id, "Meant for Bob")
    await alice.expect(contains="belongs to an earlier pairing")
    await alice.press(old_reveal.buttons[0][0].data or "", message_id=old_reveal.message_id)
    assert (await alice.expect_answer()).text == "This button is no longer active."
    await tick_at(bot, NEXT_DAY + timedelta(days=7))  # the half-answered round closes
    await read_all(bot, carol)
    assert not any("Meant for Bob" in m.plain_text for m in carol.inbox)
    assert not any("closed before" in m.plain_text for m in (await read_all(bot, alice)))
    assert_nothing_new(bob)
    assert await outbox_count(bot, "relay") == 0


# --- skip, streak, history ----------------------------------------------------------


async def test_skip_swaps_todays_question_once_before_anyone_answers(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    old_text = couple.first_question_a.plain_text.split("\n\n")[1]
    skipped = await command(alice, "/skip", "Here's a different question")
    assert old_text not in skipped.plain_text
    new_for_bob = await bob.expect(contains="Alice swapped today's question")
    assert QUESTION in new_for_bob.plain_text
    assert old_text not in new_for_bob.plain_text
    assert new_for_bob.plain_text.split("\n\n")[2] in skipped.plain_text
    await bot.settle()
    assert not await unread_questions(bot, alice), "the one who skipped has it in the reply"
    await command(bob, "/skip", "already swapped today's question once")

    await next_question(bot, couple, day=1)
    await answer_first(couple, "An answer")
    await command(bob, "/skip", "already answered today's question, so it stays")
    await command(alice, "/skip", "already answered today's question, so it stays")
    assert await outbox_count(bot, "question") == 5


async def test_streak_counts_revealed_days_and_a_pause_freezes_it(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both

    async def both_answer(day: int) -> BotMessage:
        await alice.send_text(f"A{day}")
        await bob.send_text(f"B{day}")
        await bot.settle()
        await read_all(bot, bob)
        return find(await read_all(bot, alice), f"B{day}")

    first = await both_answer(0)
    assert "in a row" not in first.plain_text
    await next_question(bot, couple, day=1)
    second = await both_answer(1)
    assert "🔥 2 questions in a row" in second.plain_text
    status = await command(alice, "/status", "Daily question")
    assert "2 questions in a row" in status.plain_text

    await command(alice, "/pause 3", "Paused until")
    await read_all(bot, bob)
    for partner in (alice, bob):  # each their own time; both choose 21:00
        await command(partner, "/time 21:00", "Done.")
    await tick_at(bot, utc(2026, 3, 6, 20, 30))  # Friday: the pause ended at 20:00
    assert_nothing_new(alice, bob, why="the new time counts after a pause too")
    await tick_at(bot, utc(2026, 3, 6, 21, 0))
    await alice.expect(contains=QUESTION)
    await bob.expect(contains=QUESTION)
    status = await command(bob, "/status", "Daily question")
    assert "2 questions in a row" in status.plain_text, "the pause froze it"
    third = await both_answer(4)
    assert "🔥 3 questions in a row" in third.plain_text

    await tick_at(bot, NEXT_DAY + timedelta(days=5, hours=1))
    await read_all(bot, alice)
    await read_all(bot, bob)
    await tick_at(bot, NEXT_DAY + timedelta(days=12, hours=1))  # Sunday's closed unanswered
    await read_all(bot, alice)
    await read_all(bot, bob)
    status = await command(alice, "/status", "Daily question")
    assert "in a row" not in status.plain_text


async def test_history_lists_revealed_rounds_newest_first_in_pages(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    empty = await command(alice, "/history", "Nothing here yet")
    assert not empty.buttons
    for day in range(7):
        if day:
            await next_question(bot, couple, day)
        await alice.send_text(f"Alice day {day}")
        if day == 3:
            await bob.send_voice()
        else:
            await bob.send_text(f"Bob day {day}")
        await bot.settle()
        await read_all(bot, alice)
        await read_all(bot, bob)
    await next_question(bot, couple, day=7)  # open, so not in the history

    page = await command(alice, "/history", "page 1 of 2")
    labels = [row[0].text for row in page.buttons[:-1]]
    days = ["Sun 8 Mar", "Sat 7 Mar", "Fri 6 Mar", "Thu 5 Mar", "Wed 4 Mar"]
    assert [label.split(" · ")[0] for label in labels] == days
    assert page.buttons[-1][0].text == "Older »"
    await alice.press(page.buttons[-1][0].data or "")
    older = await alice.expect_edit(page.message_id)
    assert "page 2 of 2" in older.text
    assert [row[0].text.split(" · ")[0] for row in older.buttons[:-1]] == [
        "Tue 3 Mar",
        "Mon 2 Mar",
    ]
    assert older.buttons[-1][0].text == "« Newer"

    fifth = next(row[0] for row in page.buttons if row[0].text.startswith("Thu 5 Mar"))
    await alice.press(fifth.data or "", message_id=page.message_id)
    shown = [await alice.expect() for _ in range(4)]
    assert "Thu 5 Mar" in shown[0].plain_text
    assert "<b>Bob</b> answered with a voice note" in shown[1].text
    assert shown[2].copy_of is not None
    assert "voice" in shown[2].raw
    assert "You:\nAlice day 3" in shown[3].plain_text

    # Dates are on the reader's own calendar: 20:00 in Berlin is already the next day in
    # Tokyo.
    await command(bob, "/timezone Tokyo", "Asia/Tokyo")
    bob_page = await command(bob, "/history", "page 1 of 2")
    assert bob_page.buttons[0][0].text.startswith("Mon 9 Mar · ")

    # Someone else's round id gets nothing.
    carol = (await pair_couple(bot, (1003, "Carol"), (1004, "Dave"))).a
    await carol.press(fifth.data or "")
    assert (await carol.expect_answer()).text == "This button is no longer active."
    await bot.settle()
    assert not carol.unread


# --- around the round ---------------------------------------------------------------


async def test_an_unfinished_round_closes_gently_and_never_shows_the_answer(
    bot: Running,
) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    await answer_first(couple, "My secret answer")
    await tick_at(bot, START + timedelta(days=7) - timedelta(minutes=1))
    await read_all(bot, alice)
    await read_all(bot, bob)
    assert await scalar(bot, "SELECT status FROM round") == "open"
    await tick_at(bot, START + timedelta(days=7))
    closed = await alice.expect(contains="closed before <b>Bob</b> answered")
    assert "won't be shown" in closed.plain_text
    await bot.settle()
    assert not any("My secret answer" in m.plain_text for m in bob.inbox)
    await bob.reply_to(couple.first_question_b.message_id, "Too late?")
    await bob.expect(contains="That question has closed")
    assert await scalar(bot, "SELECT status FROM round ORDER BY local_date LIMIT 1") == "closed"
    assert await outbox_count(bot, "reveal") == 0


async def test_one_reminder_only_to_whoever_has_not_answered(bot: Running) -> None:
    couple = await pair_couple(bot)  # 09:00 UTC: the reminder is due at 11:00
    alice, bob = couple.both
    await answer_first(couple, "Done early")
    await tick_at(bot, utc(2026, 3, 2, 10, 59))
    assert_nothing_new(alice, bob)
    await tick_at(bot, utc(2026, 3, 2, 11, 0))
    reminder = await bob.expect(contains="A gentle reminder")
    assert couple.first_question_b.plain_text.split("\n\n")[1] in reminder.plain_text
    for hour in (13, 18, 21):
        await tick_at(bot, utc(2026, 3, 2, hour, 0))
    assert_nothing_new(alice, bob)
    assert await outbox_count(bot, "reminder") == 1


async def test_reminders_off_means_no_reminder(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    await command(bob, "/reminders off", "Reminders are off")
    await tick_at(bot, utc(2026, 3, 2, 13, 0))
    await alice.expect(contains="Bob turned reminders off")  # the shared setting's notice
    assert_nothing_new(alice, bob)
    status = await command(alice, "/status", "Reminders are off")
    assert status
    await command(alice, "/reminders on", "Reminders are on")
    await tick_at(bot, utc(2026, 3, 2, 14, 0))
    await bob.expect(contains="Alice turned reminders on")
    for partner in (alice, bob):  # 20:00 + 2 h would be quiet hours: no reminder then
        await command(partner, "/time 18:00", "Done.")
    await tick_at(bot, utc(2026, 3, 3, 18, 0))
    await alice.expect(contains=QUESTION)
    await bob.expect(contains=QUESTION)
    await tick_at(bot, utc(2026, 3, 3, 20, 0))
    await alice.expect(contains="A gentle reminder")
    await bob.expect(contains="A gentle reminder")


async def test_pause_for_days_stops_questions_and_reminders_for_both(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    paused = await command(alice, "/pause 3", "Paused until Thursday 05 March")
    assert "Your partner has been told" in paused.plain_text
    await bob.expect(contains="<b>Alice</b> has paused your daily questions until Thursday")
    for day in range(2):
        await tick_at(bot, NEXT_DAY + timedelta(days=day, minutes=-30))
        await tick_at(bot, NEXT_DAY + timedelta(days=day))
        await tick_at(bot, NEXT_DAY + timedelta(days=day, hours=4))
    assert_nothing_new(alice, bob, why="no questions and no reminders while paused")
    status = await command(bob, "/status", "Paused until Thursday 05 March")
    assert status
    await tick_at(bot, utc(2026, 3, 5, 19, 59))  # the pause ended at 09:00
    assert_nothing_new(alice, bob, why="Monday's question is not reminded of now")
    await tick_at(bot, utc(2026, 3, 5, 20, 0))
    assert len(await unread_questions(bot, alice)) == 1
    assert len(await unread_questions(bot, bob)) == 1


async def test_pause_until_resume(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    await command(bob, "/pause", "until you send /resume")
    await alice.expect(contains="<b>Bob</b> has paused your daily questions for now")
    for day in range(3):
        await tick_at(bot, NEXT_DAY + timedelta(days=day))
        await tick_at(bot, NEXT_DAY + timedelta(days=day, hours=13))
    assert_nothing_new(alice, bob, why="no questions and no reminders while paused")
    resumed = await command(alice, "/resume", "Welcome back")
    assert "Friday 06 March at 20:00" in resumed.plain_text
    await bob.expect(contains="<b>Alice</b> has resumed your daily questions")
    await command(bob, "/resume", "aren't paused")
    await tick_at(bot, utc(2026, 3, 6, 19, 59))
    assert_nothing_new(alice, bob)
    await tick_at(bot, utc(2026, 3, 6, 20, 0))
    await alice.expect(contains=QUESTION)
    await bob.expect(contains=QUESTION)


async def test_a_partner_who_blocks_the_bot_pauses_the_pair(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    await bob.block_bot()
    await bot.settle()
    told = await alice.expect(contains="<b>Bob</b> has paused Hearth on their side")
    assert told
    await alice.send_text("Alice answers anyway")  # the nudge to Bob meets a 403
    await alice.expect(contains="Saved.")
    await bot.settle()
    for day in range(3):
        await tick_at(bot, NEXT_DAY + timedelta(days=day))
    assert not alice.unread, "told once, and no more questions"
    assert await outbox_count(bot, "partner_blocked") == 1
    assert await outbox_count(bot, "question") == 2
    assert await scalar(bot, "SELECT status FROM outbox WHERE kind = 'nudge'") == "blocked"

    await bob.unblock_bot()
    await bot.settle()
    await alice.expect(contains="<b>Bob</b> is back")
    await tick_at(bot, NEXT_DAY + timedelta(days=3))
    await alice.expect(contains=QUESTION)
    await bob.expect(contains=QUESTION)

    # Blocking again later tells Alice again, once.
    await bob.block_bot()
    await bot.settle()
    await alice.expect(contains="has paused Hearth on their side")
    await tick_at(bot, NEXT_DAY + timedelta(days=4))
    assert not alice.unread
