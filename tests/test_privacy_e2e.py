"""Privacy end to end: /privacy, the /mydata export and /deletemydata, on both engines.

A person's data is what they gave: their details, their pairings (the partner by first
name only), their own answers and check-in ratings and notes, the invites they made. The
partner's answers are the partner's words: not in the export, and kept on deletion.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import inspect, text

from bot.db.models import InboxUpdate, metadata
from sandbox import BotMessage, SimulatedUser
from tests.conftest import Running
from tests.helpers import Couple, command, find, pair_couple, read_all, rows, scalar
from tests.test_checkins_e2e import ask_of, check_in

ALICE_ANSWER = "Alice's private answer about the lighthouse"
BOB_ANSWER = "Bob's own answer about the harbour"
ALICE_NOTE = "Alice's note: more slow Sundays"
ALICE_RELAY = "Alice's reply under the reveal"


async def answered_round(bot: Running, couple: Couple) -> BotMessage:
    """Both answer the first question; returns the reveal Alice got."""
    await couple.a.send_text(ALICE_ANSWER)
    await couple.a.expect(contains="Saved.")
    await couple.b.expect(contains="has answered today's question")
    await couple.b.send_text(BOB_ANSWER)
    await bot.settle()
    messages = await read_all(bot, couple.a)
    await read_all(bot, couple.b)
    return find(messages, BOB_ANSWER)


async def checked_in(bot: Running, couple: Couple) -> None:
    await couple.a.send_command("/checkin")
    await couple.a.expect(contains="Check-in started")
    ask_a, ask_b = await ask_of(couple.a), await ask_of(couple.b)
    await check_in(couple.a, ask_a, 4, ALICE_NOTE)
    await check_in(couple.b, ask_b, 3)
    await bot.settle()
    await read_all(bot, couple.a)
    await read_all(bot, couple.b)


async def export_of(bot: Running, user: SimulatedUser) -> dict[str, Any]:
    await user.send_command("/mydata")
    message = await user.expect()
    assert message.kind == "document", message.text
    assert "everything I keep about you" in message.plain_text
    document = message.raw["document"]
    assert document["file_name"] == "hearth-my-data.json"
    file = await bot.hearth.application.bot.get_file(document["file_id"])
    data: dict[str, Any] = json.loads(bytes(await file.download_as_bytearray()))
    return data


async def database_text(bot: Running) -> str:
    """Every value of every column of every table, as one big string."""
    parts: list[str] = []
    async with bot.hearth.uow(read_only=True) as uow:
        connection = await uow.session.connection()
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        assert {table.name for table in metadata.sorted_tables} <= set(names)
        for name in names:
            result = await uow.session.execute(text(f'SELECT * FROM "{name}"'))
            parts.extend(str(value) for row in result.all() for value in row)
    return "\n".join(parts)


async def test_privacy_explains_what_is_kept_who_sees_it_and_how_to_remove_it(
    bot: Running,
) -> None:
    alice = bot.sandbox.user(1001, "Alice")
    reply = await command(alice, "/privacy", "Your privacy")
    for fragment in (
        "What I keep",
        "Telegram id",
        "check-in ratings and notes",
        "only once you have both answered",
        "can technically open its database",
        "stored unencrypted",
        "/mydata",
        "/deletemydata",
    ):
        assert fragment in reply.plain_text, fragment
    assert any(c["command"] == "privacy" for c in bot.sandbox.commands)


async def test_mydata_holds_own_words_and_not_the_partners(bot: Running) -> None:
    couple = await pair_couple(bot)
    reveal = await answered_round(bot, couple)
    await couple.a.reply_to(reveal.message_id, ALICE_RELAY)
    await couple.b.expect(contains=ALICE_RELAY)
    await couple.a.expect(contains="Sent to")
    await couple.a.press(reveal.buttons[0][1].data or "")
    await couple.b.expect(contains="reacted 🤗")
    await checked_in(bot, couple)

    data = await export_of(bot, couple.a)
    raw = json.dumps(data)
    assert data["person"]["telegram_id"] == couple.a.id
    assert data["person"]["first_name"] == "Alice"
    assert [p["partner_first_name"] for p in data["pairs"]] == ["Bob"]
    assert data["pairs"][0]["status"] == "active"
    [answer] = data["answers"]
    assert answer["text"] == ALICE_ANSWER
    assert answer["date"] == "2026-03-02"
    assert answer["question"]
    assert answer["question"] in couple.first_question_a.plain_text
    [checkin] = data["checkins"]
    assert (checkin["rating"], checkin["note"]) == (4, ALICE_NOTE)
    [invite] = data["invites"]
    assert invite["status"] == "used"
    [relay] = data["replies_to_partner"]
    assert (relay["kind"], relay["text"]) == ("text", ALICE_RELAY)
    assert [r["emoji"] for r in data["reactions_to_partner"]] == ["🤗"]
    assert BOB_ANSWER not in raw, "the partner's words are theirs, not Alice's data"
    assert "1002" not in raw, "the partner appears by first name only"
    token_hash = await scalar(bot, "SELECT token_hash FROM invite")
    assert token_hash not in raw
    assert "token" not in raw

    bob = await export_of(bot, couple.b)
    assert [a["text"] for a in bob["answers"]] == [BOB_ANSWER]
    assert bob["replies_to_partner"] == []
    assert bob["reactions_to_partner"] == []
    assert [(c["rating"], c["note"]) for c in bob["checkins"]] == [(3, None)]
    assert bob["invites"] == []

    stranger = bot.sandbox.user(1009, "Stranger")
    await command(stranger, "/mydata", "I don't keep anything about you yet")


async def test_deletemydata_erases_her_words_and_bob_keeps_his(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    reveal = await answered_round(bot, couple)
    await alice.reply_to(reveal.message_id, ALICE_RELAY)
    await bob.expect(contains=ALICE_RELAY)
    await alice.expect()
    await alice.react(reveal.message_id, "🔥")
    await bob.expect(contains="reacted 🔥")
    await checked_in(bot, couple)

    # In webhook mode, her handled updates are stored too (word for word).
    async with bot.hearth.uow() as uow:
        uow.session.add(
            InboxUpdate(
                update_id=777,
                chat_key=alice.id,
                payload={"message": {"text": ALICE_ANSWER}},
                status="done",
                received_at=bot.clock.now(),
            )
        )
        await uow.commit()

    # Changing her mind changes nothing.
    ask = await command(alice, "/deletemydata", "Erase your data?")
    await alice.press(ask.buttons[0][1].data or "")
    assert "Nothing was erased" in (await alice.expect_edit(ask.message_id)).text
    assert await scalar(bot, "SELECT count(*) FROM person WHERE id = :a", a=alice.id) == 1

    ask = await command(alice, "/deletemydata", "Erase your data?")
    assert ask.button_texts == ["Erase my data", "Keep it"]
    await alice.press(ask.buttons[0][0].data or "")
    done = await alice.expect_edit(ask.message_id)
    assert "Your data and answers are erased" in done.text
    left = await bob.expect(contains="Your partner has left Hearth")
    assert "Alice" not in left.text

    # Bob keeps his answer; Alice's side is said to be removed, kindly.
    page = await command(bob, "/history", "page 1 of 1")
    await bob.press(page.buttons[0][0].data or "", message_id=page.message_id)
    shown = [await bob.expect() for _ in range(3)]
    assert any(
        m.plain_text == "Your former partner's answer was removed at their request." for m in shown
    )
    assert not any("Someone" in m.plain_text or "(removed)" in m.plain_text for m in shown)
    assert any(f"You:\n{BOB_ANSWER}" in m.plain_text for m in shown)
    assert not any(m.copy_of for m in shown)
    await bot.settle()
    assert not bob.unread
    assert await scalar(bot, "SELECT count(*) FROM pair WHERE status = 'active'") == 0

    # Nothing of Alice's words, name or id remains anywhere.
    everything = await database_text(bot)
    for gone in (ALICE_ANSWER, ALICE_NOTE, ALICE_RELAY, "Alice", f":{alice.id}:"):
        assert gone not in everything, gone
    assert BOB_ANSWER in everything
    for table, columns in {
        "person": ("id",),
        "pair": ("partner_a_id", "partner_b_id", "ended_by_id"),
        "answer": ("person_id", "chat_id"),
        "invite": ("inviter_id", "used_by_id"),
        "outbox": ("recipient_id",),
    }.items():
        for column in columns:
            sql = f"SELECT count(*) FROM {table} WHERE {column} = :a"
            assert await scalar(bot, sql, a=alice.id) == 0, (table, column)
    ratings = await rows(bot, "SELECT a_rating, a_note, b_rating FROM checkin")
    assert ratings == [(None, None, 3)]

    # She can start again as someone new.
    welcome = await command(alice, "/start")
    assert "Hi, I'm Hearth" in welcome.text
    await command(alice, "/history", "Nothing here yet")
    fresh = await export_of(bot, alice)
    assert fresh["pairs"] == []
    assert fresh["answers"] == []
    assert fresh["checkins"] == []


async def test_deleting_without_a_pair_or_any_data_is_calm(bot: Running) -> None:
    carol = bot.sandbox.user(1003, "Carol")
    await command(carol, "/start", "Hi, I'm Hearth")
    ask = await command(carol, "/deletemydata", "Erase your data?")
    await carol.press(ask.buttons[0][0].data or "")
    assert "erased" in (await carol.expect_edit(ask.message_id)).text
    assert await scalar(bot, "SELECT count(*) FROM person") == 0


async def test_a_later_partner_with_the_same_name_keeps_their_messages(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice, bob = couple.both
    await alice.send_command("/unpair")
    question = await alice.expect(contains="end your pairing")
    await alice.press(question.buttons[0][0][1])
    await alice.expect_edit(question.message_id)
    await bob.expect(contains="<b>Alice</b> has ended your pairing")

    bot.clock.advance(timedelta(hours=1))
    second = await pair_couple(bot, (1003, "Alice"), (1002, "Bob"))
    await second.a.send_text("the second Alice's answer")
    await bob.expect(contains="<b>Alice</b> has answered today's question")
    await bot.settle()

    ask = await command(alice, "/deletemydata", "Erase your data?")
    await alice.press(ask.buttons[0][0].data or "")
    await alice.expect_edit(ask.message_id)
    await bot.settle()
    assert not bob.unread, "Bob's pairing with the second Alice goes on untouched"
    names = await rows(
        bot,
        "SELECT kind, params FROM outbox WHERE recipient_id = :b ORDER BY id",
        b=bob.id,
    )
    by_kind = {
        kind: params if isinstance(params, dict) else json.loads(params) for kind, params in names
    }
    assert by_kind["unpaired_by_partner"] == {}, "the first Alice's name is gone"
    assert by_kind["nudge"]["partner_name"] == "Alice", "the second Alice's stays"
    assert await scalar(bot, "SELECT count(*) FROM pair WHERE status = 'active'") == 1
