"""Telegram's own reactions on a reveal, and the reaction buttons under it (issue 11).

A partner's emoji reaction on their reveal is relayed to the other partner; reactions on
other messages, taken-back reactions and reactions from outside the pair are not. The
same emoji is relayed once, whichever way it was sent, and a second press says so.
"""

from __future__ import annotations

from sandbox import BotMessage
from tests.conftest import Running
from tests.helpers import Couple, assert_nothing_new, find, outbox_count, pair_couple, read_all

REVEAL = "Reply to this message"


async def revealed(bot: Running, couple: Couple) -> tuple[BotMessage, BotMessage]:
    """Both answer today's question; each partner's reveal message."""
    await couple.a.send_text("The lake at dawn")
    await couple.b.send_text("Our first picnic")
    await bot.settle()
    return (
        find(await read_all(bot, couple.a), REVEAL),
        find(await read_all(bot, couple.b), REVEAL),
    )


async def test_a_reaction_on_the_reveal_reaches_the_partner_once(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice_reveal, bob_reveal = await revealed(bot, couple)

    await couple.a.react(alice_reveal.message_id, "❤")
    told = await couple.b.expect(contains="<b>Alice</b> reacted ❤")
    assert "to your answer" in told.text
    await bot.settle()
    assert_nothing_new(*couple.both, why="Alice sees her reaction in place; no reply")

    # Taking it back, and putting the same one back, tells Bob nothing more.
    await couple.a.react(alice_reveal.message_id)
    await couple.a.react(alice_reveal.message_id, "❤")
    # The same heart from the button is the same reaction: already sent.
    await couple.a.press(alice_reveal.buttons[0][0].data or "")
    answer = await couple.a.expect_answer()
    assert answer.text == "You've already sent ❤️ to Bob"
    await bot.settle()
    assert_nothing_new(*couple.both)

    # Another emoji is news.
    await couple.a.react(alice_reveal.message_id, "❤", "🔥")
    await couple.b.expect(contains="<b>Alice</b> reacted 🔥")
    await couple.b.react(bob_reveal.message_id, "😢")
    await couple.a.expect(contains="<b>Bob</b> reacted 😢")
    await bot.settle()
    assert_nothing_new(*couple.both)
    assert await outbox_count(bot, "reaction") == 3


async def test_reactions_elsewhere_and_from_other_pairs_are_not_relayed(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice_reveal, _ = await revealed(bot, couple)
    others = await pair_couple(bot, (2001, "Cleo"), (2002, "Dan"))
    cleo_reveal, _ = await revealed(bot, others)

    # On the question rather than the reveal: nothing.
    await couple.a.react(couple.first_question_a.message_id, "👍")
    # Another pair's reaction reaches only that pair.
    await others.a.react(cleo_reveal.message_id, "🥰")
    await others.b.expect(contains="<b>Cleo</b> reacted 🥰")
    await bot.settle()
    assert_nothing_new(*couple.both, *others.both)

    # After unpairing, a reaction on an old reveal goes nowhere.
    await couple.a.send_command("/unpair")
    confirm = await couple.a.expect(contains="end your pairing")
    await couple.a.press(confirm.buttons[0][0].data or "")
    await bot.settle()
    await read_all(bot, couple.a)
    await read_all(bot, couple.b)
    await couple.a.react(alice_reveal.message_id, "🔥")
    await bot.settle()
    assert_nothing_new(*couple.both, *others.both)
    assert await outbox_count(bot, "reaction") == 1


async def test_pressing_the_same_button_twice_says_it_was_already_sent(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice_reveal, _ = await revealed(bot, couple)
    data = alice_reveal.buttons[0][1].data or ""
    await couple.a.press(data)
    assert (await couple.a.expect_answer()).text == "Sent 🤗 to Bob"
    await couple.b.expect(contains="<b>Alice</b> reacted 🤗")
    await couple.a.press(data)
    assert (await couple.a.expect_answer()).text == "You've already sent 🤗 to Bob"
    await bot.settle()
    assert_nothing_new(*couple.both)
    assert await outbox_count(bot, "reaction") == 1
