"""Intruders: a third person cannot join a full pair, guess or reuse an invite, press
another pair's buttons (reactions, history, check-in ratings, unpair), read any answer,
or use the operators' commands."""

from __future__ import annotations

import secrets

from sandbox import SimulatedUser
from tests.conftest import Running
from tests.helpers import invite_token, lift_send_limits, read_all, scalar

SECRETS = ("SECRET-ALICE-7c1f", "SECRET-BOB-90ad")


def everything_seen_by(*users: SimulatedUser) -> str:
    return "\n".join(m.text + repr(m.buttons) for user in users for m in user.inbox)


async def revealed_couple(bot: Running) -> tuple[SimulatedUser, SimulatedUser, str, int]:
    """Alice and Bob paired through their invite, both answered: a revealed round."""
    lift_send_limits(bot)
    alice, bob = bot.sandbox.user(1001, "Alice"), bot.sandbox.user(1002, "Bob")
    token = await invite_token(bot, alice)
    await bob.send_command("/start", token)
    preview = await bob.expect(contains="has invited you")
    await bob.press(preview.buttons[0][0][1])
    await bot.settle()
    await alice.send_text(SECRETS[0])
    await bob.send_text(SECRETS[1])
    await bot.settle()
    round_id = int(await scalar(bot, "SELECT id FROM round WHERE status = 'revealed'"))
    await read_all(bot, alice)
    await read_all(bot, bob)
    return alice, bob, token, round_id


async def test_a_third_person_cannot_get_into_a_pair_or_at_its_answers(bot: Running) -> None:
    alice, bob, used_token, round_id = await revealed_couple(bot)
    pair_id = int(await scalar(bot, "SELECT id FROM pair"))
    eve = bot.sandbox.user(1666, "Eve")

    # Reuse the used invite, and guess others (well-formed and malformed).
    await eve.send_command("/start", used_token)
    for guess in (secrets.token_urlsafe(22), "A" * 43, "x", used_token[:-1] + "Q"):
        await eve.send_command("/start", guess)
    await bot.settle()
    assert await scalar(bot, "SELECT count(*) FROM pair") == 1
    assert await scalar(bot, "SELECT count(*) FROM active_partner WHERE person_id = 1666") == 0

    # Press every kind of button naming the other pair's things.
    forged = [
        f"rx:{round_id}:0",
        f"rx:{round_id}:4",
        f"hr:{round_id}",
        "hp:0",
        f"unp:{pair_id}",
        "ci:1:5",
        "ci:1:1",
        "cs:1",
        "rc:1:talk",
        f"acc:{used_token}",
    ]
    for data in forged:
        await eve.press(data)
    answers = await eve.wait_callback_answers(len(forged))
    assert len(answers) == len(forged), "every press is answered"
    refused = [a.text for d, a in zip(forged, answers, strict=True) if d != "hp:0"]
    assert all(refused), "a press on someone else's button is refused kindly"
    await eve.send_command("/history")
    await eve.send_command("/stats")
    await eve.send_command("/trend")
    await eve.send_text("what did they say?")
    await bot.settle()

    seen = everything_seen_by(eve)
    assert not any(secret in seen for secret in SECRETS), seen
    assert await scalar(bot, "SELECT status FROM pair WHERE id = :p", p=pair_id) == "active"
    assert await scalar(bot, "SELECT count(*) FROM outbox WHERE kind = 'reaction'") == 0
    assert await scalar(bot, "SELECT count(*) FROM outbox WHERE recipient_id = 1666") == 0
    assert not alice.unread, "the couple heard nothing of it"
    assert not bob.unread
    stats_reply = [m for m in eve.inbox if "don't know that command" in m.text]
    assert stats_reply, "an operator command answers a stranger as an unknown one"


async def test_another_couple_cannot_press_this_couples_buttons(bot: Running) -> None:
    alice, bob, _, round_id = await revealed_couple(bot)
    eve, mallory = bot.sandbox.user(1666, "Eve"), bot.sandbox.user(1667, "Mallory")
    token = await invite_token(bot, eve)
    await mallory.send_command("/start", token)
    preview = await mallory.expect(contains="has invited you")
    await mallory.press(preview.buttons[0][0][1])
    await bot.settle()
    for data in (f"rx:{round_id}:1", f"hr:{round_id}"):
        await eve.press(data)
        await mallory.press(data)
    await eve.wait_callback_answers(2)
    await mallory.wait_callback_answers(2)
    await eve.send_command("/history")
    await bot.settle()
    seen = everything_seen_by(eve, mallory)
    assert not any(secret in seen for secret in SECRETS)
    assert await scalar(bot, "SELECT count(*) FROM outbox WHERE kind = 'reaction'") == 0
    assert not alice.unread
    assert not bob.unread
    # The couple's own buttons still work for them.
    await alice.press(f"rx:{round_id}:0")
    await bot.settle()
    assert await scalar(bot, "SELECT count(*) FROM outbox WHERE kind = 'reaction'") == 1
