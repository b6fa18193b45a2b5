"""Pairing end to end: the real bot against the sandbox over HTTP, on both engines."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import text

from tests.conftest import Running

LINK = re.compile(r"https://t\.me/HearthTestBot\?start=([A-Za-z0-9_-]+)")


async def scalar(bot: Running, sql: str, **params: object) -> object:
    async with bot.hearth.uow(read_only=True) as uow:
        return (await uow.session.execute(text(sql), params)).scalar()


async def active_pairs(bot: Running) -> int:
    return int(await scalar(bot, "SELECT count(*) FROM pair WHERE status = 'active'") or 0)


async def invite_link(bot: Running, user_id: int, name: str) -> str:
    person = bot.sandbox.user(user_id, name)
    await person.send_command("/pair")
    message = await person.expect(contains="private invite link")
    match = LINK.search(message.text)
    assert match is not None, message.text
    return match.group(1)


async def pair_up(bot: Running, a: tuple[int, str], b: tuple[int, str]) -> None:
    token = await invite_link(bot, *a)
    invitee = bot.sandbox.user(*b)
    await invitee.send_command("/start", token)
    preview = await invitee.expect(contains="has invited you")
    await invitee.press(preview.buttons[0][0][1])
    await invitee.expect_edit(preview.message_id)
    inviter = bot.sandbox.user(*a)
    await inviter.expect(contains=f"paired with <b>{b[1]}</b>")
    # Right after pairing, both get their first question, and are asked where they live.
    for person in (inviter, invitee):
        await person.expect(contains="Today's question")
        await person.expect(contains="Where do you live?")


async def test_start_greets_and_offers_an_invite_button(bot: Running) -> None:
    alice = bot.sandbox.user(1001, "Alice")
    await alice.send_command("/start")
    welcome = await alice.expect(contains="I'm Hearth")
    assert welcome.buttons == [[("Invite my partner", "pair")]]
    await alice.press("pair")
    link_message = await alice.expect(contains="private invite link")
    assert LINK.search(link_message.text)


async def test_invite_token_is_random_short_and_stored_only_as_hash(bot: Running) -> None:
    token = await invite_link(bot, 1001, "Alice")
    assert len(token) <= 64
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len(token) * 6 >= 128  # at least 128 bits of URL-safe base64
    stored = await scalar(bot, "SELECT token_hash FROM invite")
    assert stored != token
    assert token not in str(stored)


async def test_two_partners_pair_after_the_invitee_confirms(bot: Running) -> None:
    token = await invite_link(bot, 1001, "Alice")
    bob = bot.sandbox.user(1002, "Bob")
    await bob.send_command("/start", token)
    preview = await bob.expect(contains="<b>Alice</b> has invited you")
    assert await active_pairs(bot) == 0, "opening a link must not pair anyone by itself"
    assert preview.buttons[0][0][0] == "Yes, pair us"

    await bob.press(preview.buttons[0][0][1])
    edited = await bob.expect_edit(preview.message_id)
    assert "paired with <b>Alice</b>" in edited.text
    alice = bot.sandbox.user(1001, "Alice")
    await alice.expect(contains="paired with <b>Bob</b>")
    first_alice = await alice.expect(contains="Today's question")
    first_bob = await bob.expect(contains="Today's question")
    assert first_alice.text == first_bob.text, "both partners get the same question"
    assert await active_pairs(bot) == 1


async def test_declining_changes_nothing(bot: Running) -> None:
    token = await invite_link(bot, 1001, "Alice")
    bob = bot.sandbox.user(1002, "Bob")
    await bob.send_command("/start", token)
    preview = await bob.expect(contains="has invited you")
    await bob.press("dec")
    edited = await bob.expect_edit(preview.message_id)
    assert "nothing has changed" in edited.text
    assert await active_pairs(bot) == 0
    assert await scalar(bot, "SELECT status FROM invite") == "open"


async def test_unknown_token_is_refused_kindly(bot: Running) -> None:
    bob = bot.sandbox.user(1002, "Bob")
    await bob.send_command("/start", "A" * 32)
    await bob.expect(contains="couldn't find that invite")
    await bob.send_command("/start", "not-a-token")
    await bob.expect(contains="couldn't find that invite")
    assert await active_pairs(bot) == 0


async def test_expired_invite_is_refused(bot: Running) -> None:
    token = await invite_link(bot, 1001, "Alice")
    bot.clock.advance(timedelta(hours=48, seconds=1))
    bob = bot.sandbox.user(1002, "Bob")
    await bob.send_command("/start", token)
    await bob.expect(contains="expired")
    assert await active_pairs(bot) == 0


async def test_expiry_is_checked_again_when_confirming(bot: Running) -> None:
    token = await invite_link(bot, 1001, "Alice")
    bob = bot.sandbox.user(1002, "Bob")
    await bob.send_command("/start", token)
    preview = await bob.expect(contains="has invited you")
    bot.clock.advance(timedelta(hours=49))
    await bob.press(preview.buttons[0][0][1])
    edited = await bob.expect_edit(preview.message_id)
    assert "expired" in edited.text
    assert await active_pairs(bot) == 0


async def test_a_new_invite_revokes_the_older_one(bot: Running) -> None:
    old = await invite_link(bot, 1001, "Alice")
    alice = bot.sandbox.user(1001, "Alice")
    await alice.send_command("/pair")
    newer = await alice.expect(contains="earlier invite link no longer works")
    assert LINK.search(newer.text)
    bob = bot.sandbox.user(1002, "Bob")
    await bob.send_command("/start", old)
    await bob.expect(contains="replaced by a newer one")
    assert await active_pairs(bot) == 0


async def test_opening_your_own_invite_is_refused(bot: Running) -> None:
    token = await invite_link(bot, 1001, "Alice")
    alice = bot.sandbox.user(1001, "Alice")
    await alice.send_command("/start", token)
    await alice.expect(contains="your own invite link")
    await alice.press("acc:" + token)  # a forged press of a confirm button
    assert await active_pairs(bot) == 0


async def test_third_person_cannot_join_a_complete_pair(bot: Running) -> None:
    token = await invite_link(bot, 1001, "Alice")
    bob = bot.sandbox.user(1002, "Bob")
    await bob.send_command("/start", token)
    preview = await bob.expect(contains="has invited you")
    carol = bot.sandbox.user(1003, "Carol")
    await carol.send_command("/start", token)
    carol_preview = await carol.expect(contains="has invited you")

    await bob.press(preview.buttons[0][0][1])
    await bob.expect_edit(preview.message_id)
    await carol.press(carol_preview.buttons[0][0][1])
    edited = await carol.expect_edit(carol_preview.message_id)
    assert "already been used" in edited.text
    await carol.send_command("/start", token)
    await carol.expect(contains="already been used")
    assert await active_pairs(bot) == 1
    assert await scalar(bot, "SELECT count(*) FROM active_partner WHERE person_id = 1003") == 0


async def test_accepting_while_already_paired_is_refused(bot: Running) -> None:
    await pair_up(bot, (1001, "Alice"), (1002, "Bob"))
    token = await invite_link(bot, 1003, "Carol")
    bob = bot.sandbox.user(1002, "Bob")
    await bob.send_command("/start", token)
    await bob.expect(contains="already paired with <b>Alice</b>")
    await bob.press("acc:" + token)
    assert await active_pairs(bot) == 1
    assert await scalar(bot, "SELECT status FROM invite WHERE inviter_id = 1003") == "open"


async def test_creating_an_invite_while_paired_is_refused(bot: Running) -> None:
    await pair_up(bot, (1001, "Alice"), (1002, "Bob"))
    alice = bot.sandbox.user(1001, "Alice")
    await alice.send_command("/pair")
    await alice.expect(contains="already paired with <b>Bob</b>")
    assert await scalar(bot, "SELECT count(*) FROM invite WHERE status = 'open'") == 0


async def test_status_and_help(bot: Running) -> None:
    alice = bot.sandbox.user(1001, "Alice")
    await alice.send_command("/status")
    await alice.expect(contains="not paired yet")
    await pair_up(bot, (1001, "Alice"), (1002, "Bob"))
    await alice.send_command("/status")
    await alice.expect(contains="paired with <b>Bob</b>")
    await alice.send_command("/help")
    help_message = await alice.expect(contains="/pair")
    for command in ("/status", "/unpair", "/help"):
        assert command in help_message.text
    assert {entry["command"] for entry in bot.sandbox.commands} >= {"start", "pair", "unpair"}


async def test_unpair_asks_first_then_tells_both(bot: Running) -> None:
    await pair_up(bot, (1001, "Alice"), (1002, "Bob"))
    alice, bob = bot.sandbox.user(1001, "Alice"), bot.sandbox.user(1002, "Bob")
    await alice.send_command("/unpair")
    question = await alice.expect(contains="end your pairing with <b>Bob</b>")
    assert await active_pairs(bot) == 1
    await alice.press(question.buttons[0][0][1])
    edited = await alice.expect_edit(question.message_id)
    assert "has ended" in edited.text
    await bob.expect(contains="<b>Alice</b> has ended your pairing")
    assert await active_pairs(bot) == 0

    # Either can pair again later, even with someone new.
    await pair_up(bot, (1002, "Bob"), (1003, "Carol"))
    assert await active_pairs(bot) == 1


async def test_unpair_can_be_cancelled_and_old_buttons_do_nothing(bot: Running) -> None:
    await pair_up(bot, (1001, "Alice"), (1002, "Bob"))
    alice = bot.sandbox.user(1001, "Alice")
    await alice.send_command("/unpair")
    question = await alice.expect(contains="end your pairing")
    await alice.press("keep")
    kept = await alice.expect_edit(question.message_id)
    assert "still paired" in kept.text
    assert await active_pairs(bot) == 1

    carol = bot.sandbox.user(1003, "Carol")
    await carol.send_command("/start")
    await carol.expect()
    await carol.press(question.buttons[0][0][1])  # someone else's unpair button
    assert await active_pairs(bot) == 1


async def test_unpair_when_not_paired(bot: Running) -> None:
    alice = bot.sandbox.user(1001, "Alice")
    await alice.send_command("/unpair")
    await alice.expect(contains="not paired yet")


async def test_names_are_escaped(bot: Running) -> None:
    token = await invite_link(bot, 1001, "<b>Al & Co</b>")
    bob = bot.sandbox.user(1002, "Bob")
    await bob.send_command("/start", token)
    preview = await bob.expect(contains="has invited you")
    assert "&lt;b&gt;Al &amp; Co&lt;/b&gt;" in preview.text


async def test_group_chat_gets_an_explanation_and_the_bot_leaves(bot: Running) -> None:
    alice = bot.sandbox.user(1001, "Alice")
    group = bot.sandbox.group(-100500, "Family")
    await group.add_bot(by=alice)
    message = await group.expect(contains="private chats only")
    assert message.text
    await group.wait_left()
    assert -100500 in bot.sandbox.left_chats


async def test_blocking_the_bot_marks_the_person_inactive(bot: Running) -> None:
    alice = bot.sandbox.user(1001, "Alice")
    await alice.send_command("/start")
    await alice.expect()
    await alice.block_bot()
    await bot.settle()
    assert await scalar(bot, "SELECT blocked_at FROM person WHERE id = 1001") is not None
    await alice.unblock_bot()
    await bot.settle()
    assert await scalar(bot, "SELECT blocked_at FROM person WHERE id = 1001") is None


async def test_unknown_commands_and_forged_buttons_get_kind_replies(bot: Running) -> None:
    alice = bot.sandbox.user(1001, "Alice")
    await alice.send_command("/dance")
    await alice.expect(contains="don't know that command")
    await alice.press("unp:99999")
    await alice.press("zzz")
    await alice.press("acc:" + "B" * 32)
    answers = await alice.wait_callback_answers(3)
    assert all(answer.text for answer in answers)
    assert await active_pairs(bot) == 0
