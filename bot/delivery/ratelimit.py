"""Token buckets for Telegram's limits: about 30 messages/s in all and 1/s per chat.

Pure arithmetic over a monotonic time the caller passes in, so it is easy to test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_EPSILON = 1e-9

# What the bot allows itself. Telegram allows about 30 messages a second in all, and about
# one a second to one chat with short bursts. The bot's buckets and Telegram's are not in
# step: a request reaches Telegram a little early or late (network, scheduling), so a bot
# spending exactly 30/s with a burst of 30 sometimes lands 31 in Telegram's second and gets
# 429 (bench 2: about one send in 30 on a busy machine). A slightly slower rate and a small
# burst leave room: Telegram's bucket gains a token a second on ours, and a burst of 5
# leaves 25 of its 30 for late arrivals, so no delay under 0.8 s can overfill it. Sustained,
# 29/s is 96.7% of what Telegram allows.
GLOBAL_PER_SECOND = 29.0
GLOBAL_BURST = 5.0
PER_CHAT_PER_SECOND = 1.0
CHAT_BURST = 3.0  # a reveal split in three goes out at once


@dataclass
class TokenBucket:
    rate_per_second: float
    capacity: float
    tokens: float = field(init=False)
    updated_at: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated_at)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate_per_second)
        self.updated_at = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        self._refill(now)
        if self.tokens >= 1 - _EPSILON:  # float refills land a hair below 1
            return 0.0
        return (1 - self.tokens) / self.rate_per_second

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1


class SendRateLimiter:
    """One global bucket plus a bucket per chat, with a pause for Telegram's retry_after."""

    def __init__(
        self,
        global_per_second: float = GLOBAL_PER_SECOND,
        per_chat_per_second: float = PER_CHAT_PER_SECOND,
        chat_burst: float = CHAT_BURST,
        global_burst: float = GLOBAL_BURST,
    ) -> None:
        self._global = TokenBucket(global_per_second, capacity=max(1.0, global_burst))
        self._per_chat_rate = per_chat_per_second
        self._chat_burst = chat_burst
        self._chats: dict[int, TokenBucket] = {}
        self._paused_until = 0.0

    def pause_until(self, instant: float) -> None:
        """Telegram said 'retry after N': nobody sends before that instant."""
        self._paused_until = max(self._paused_until, instant)

    def wait_time(self, chat_id: int, now: float) -> float:
        pause = max(0.0, self._paused_until - now)
        chat = self._chat_bucket(chat_id, now)
        return max(pause, self._global.wait_time(now), chat.wait_time(now))

    def take(self, chat_id: int, now: float) -> None:
        self._global.take(now)
        self._chat_bucket(chat_id, now).take(now)

    def _chat_bucket(self, chat_id: int, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = TokenBucket(self._per_chat_rate, capacity=self._chat_burst, updated_at=now)
            self._chats[chat_id] = bucket
            if len(self._chats) > 50_000:
                self._forget_full_buckets(now)
        return bucket

    def _forget_full_buckets(self, now: float) -> None:
        """Keep memory flat: a chat whose bucket has refilled needs no state."""
        for chat_id, bucket in list(self._chats.items()):
            if bucket.wait_time(now) == 0 and bucket.tokens >= bucket.capacity:
                del self._chats[chat_id]
