"""Pure rules: invite tokens, rate limiting, message splitting."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.ratelimit import SendRateLimiter, TokenBucket
from bot.pairing import invites
from bot.pairing.invites import InviteFacts, InviteProblem, InviteStatus
from bot.telegram.split import split_message
from sandbox.faults import RateLimiter

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_tokens_are_random_url_safe_and_short() -> None:
    tokens = {invites.new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    for token in tokens:
        assert invites.looks_like_token(token)
        assert len(token) <= 64
    assert invites.TOKEN_BYTES * 8 >= 128


def test_hash_is_stable_and_not_the_token() -> None:
    token = invites.new_token()
    assert invites.hash_token(token) == invites.hash_token(token)
    assert token not in invites.hash_token(token)


def facts(**overrides: object) -> InviteFacts:
    values: dict[str, object] = {
        "status": InviteStatus.OPEN,
        "expires_at": NOW + timedelta(hours=1),
        "inviter_id": 1,
        "inviter_is_paired": False,
    }
    values.update(overrides)
    return InviteFacts(**values)  # type: ignore[arg-type]


def test_invite_rules_in_order() -> None:
    assert invites.invite_problem(None, 2, False, NOW) is InviteProblem.UNKNOWN
    assert invites.invite_problem(facts(), 1, False, NOW) is InviteProblem.OWN_INVITE
    assert invites.invite_problem(facts(), 2, True, NOW) is InviteProblem.ALREADY_PAIRED
    used = facts(status=InviteStatus.USED)
    assert invites.invite_problem(used, 2, False, NOW) is InviteProblem.USED
    revoked = facts(status=InviteStatus.REVOKED)
    assert invites.invite_problem(revoked, 2, False, NOW) is InviteProblem.REVOKED
    expired = facts(expires_at=NOW)
    assert invites.invite_problem(expired, 2, False, NOW) is InviteProblem.EXPIRED
    taken = facts(inviter_is_paired=True)
    assert invites.invite_problem(taken, 2, False, NOW) is InviteProblem.INVITER_PAIRED
    assert invites.invite_problem(facts(), 2, False, NOW) is None


def test_token_bucket_refills_at_its_rate() -> None:
    bucket = TokenBucket(rate_per_second=2, capacity=2)
    bucket.take(0.0)
    bucket.take(0.0)
    assert bucket.wait_time(0.0) == 0.5
    assert bucket.wait_time(0.5) == 0.0


def test_limiter_respects_global_and_per_chat_limits_and_pauses() -> None:
    limiter = SendRateLimiter(global_per_second=30, per_chat_per_second=1, chat_burst=1)
    now = 100.0
    limiter.take(1, now)
    assert limiter.wait_time(1, now) > 0.9
    assert limiter.wait_time(2, now) == 0
    limiter.pause_until(now + 5)
    assert limiter.wait_time(2, now) == 5


def test_limiter_sustains_thirty_per_second() -> None:
    limiter = SendRateLimiter(global_per_second=30, per_chat_per_second=1, chat_burst=1)
    now, sent = 0.0, 0
    chat = 0
    while now < 10:
        wait = limiter.wait_time(chat, now)
        if wait:
            now += wait
            continue
        limiter.take(chat, now)
        sent += 1
        chat += 1
    assert 290 <= sent <= 331


def _refused_by_telegram(limiter: SendRateLimiter, stall: float) -> tuple[int, float]:
    """A minute of sends to distinct chats as fast as `limiter` allows, as they reach
    Telegram (the sandbox's model: 30/s with a burst of 30): those of the first `stall`
    seconds all at its end (connections being opened, say), each up to 50 ms late. While
    nothing arrives, Telegram's full bucket gains nothing. Returns how many Telegram
    refuses, and the sustained rate it accepted."""
    jitter = random.Random(7)
    arrivals, now, chat = [], 0.0, 0
    while now < 60:
        if wait := limiter.wait_time(chat, now):
            now += wait
            continue
        limiter.take(chat, now)
        arrivals.append(max(now, stall) + jitter.uniform(0, 0.05))
        chat += 1
    clock = [0.0]
    telegram = RateLimiter(30, 1, burst=1, global_burst=30, clock=lambda: clock[0])
    refused, accepted = 0, []
    for moment in sorted(arrivals):
        clock[0] = moment
        if telegram.admit(len(accepted) + refused) is None:
            accepted.append(moment)
        else:
            refused += 1
    return refused, (len(accepted) - 1) / (accepted[-1] - accepted[0])


def test_default_budget_stays_inside_telegrams_limit_when_requests_are_held_up() -> None:
    refused, rate = _refused_by_telegram(SendRateLimiter(), stall=0.5)
    assert refused == 0
    assert rate >= 0.95 * 30
    # Spending exactly Telegram's budget (30/s, burst 30) is refused at once.
    refused, _ = _refused_by_telegram(SendRateLimiter(30, global_burst=30), stall=0.5)
    assert refused > 10


@given(st.text(min_size=0, max_size=12000))
def test_split_keeps_every_word_and_respects_the_limit(text: str) -> None:
    parts = split_message(text)
    assert all(len(part) <= 4096 for part in parts)
    assert "".join(parts).split() == text.split() or "".join("".join(parts).split()) == "".join(
        text.split()
    )


def test_split_prefers_paragraphs() -> None:
    text = ("a" * 3000) + "\n\n" + ("b" * 3000)
    assert split_message(text) == ["a" * 3000, "b" * 3000]


def test_split_never_cuts_an_entity() -> None:
    text = "x" * 4090 + "&amp;" + "y" * 10
    parts = split_message(text)
    assert all("&amp" not in part or "&amp;" in part for part in parts)
    assert "".join(parts) == text
