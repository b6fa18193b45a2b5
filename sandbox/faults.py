"""Injected failures, Telegram's flood limits, and counts of what the sandbox answered."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.errors import ApiError, failure


@dataclass
class _FailureRule:
    method: str | None  # lower-cased; None matches every method
    status: int
    retry_after: int | None
    remaining: int
    chat_id: int | None
    description: str | None

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.method is not None and self.method != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def error(self) -> ApiError:
        error = failure(self.status, self.retry_after)
        if self.description is not None:
            error.description = self.description
        return error


@dataclass
class _DropRule:
    method: str
    remaining: int
    after_processing: bool


class Faults:
    """Failures to inject into Bot API calls, for tests and benchmarks.

    A dropped connection is a real one: the sandbox closes the TCP connection without a
    byte of answer, and the client sees a network error. With `after_processing=True` the
    call takes effect first (the message is delivered), which is the case that makes
    delivery at-least-once.
    """

    def __init__(self) -> None:
        self._failures: list[_FailureRule] = []
        self._drops: list[_DropRule] = []
        self._delays: dict[str, float] = {}

    def fail_next(
        self,
        method: str | None = "sendMessage",
        status: int = 429,
        retry_after: int | None = None,
        count: int = 1,
        chat_id: int | None = None,
        *,
        description: str | None = None,
    ) -> None:
        """Answer the next `count` calls of `method` (to `chat_id`, if given) with `status`.

        429 comes as "Too Many Requests: retry after N" with parameters.retry_after (default
        1); 500/502/503/504 with Telegram's descriptions; `description` overrides the text.
        """
        key = None if method is None else method.lower()
        self._failures.append(_FailureRule(key, status, retry_after, count, chat_id, description))

    def slow(self, method: str, seconds: float) -> None:
        """Delay every answer to `method` by `seconds` (0 removes the delay)."""
        if seconds > 0:
            self._delays[method.lower()] = seconds
        else:
            self._delays.pop(method.lower(), None)

    def drop_connection(
        self, method: str, count: int = 1, *, after_processing: bool = False
    ) -> None:
        """Close the connection of the next `count` calls of `method` without answering."""
        self._drops.append(_DropRule(method.lower(), count, after_processing))

    def clear(self) -> None:
        self._failures.clear()
        self._drops.clear()
        self._delays.clear()

    # -- used by the server ------------------------------------------------------------

    def delay(self, method: str) -> float:
        return self._delays.get(method.lower(), 0.0)

    def take_failure(self, method: str, chat_id: int | str | None) -> ApiError | None:
        for rule in self._failures:
            if rule.matches(method, chat_id):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._failures.remove(rule)
                return rule.error()
        return None

    def take_drop(self, method: str, *, after_processing: bool) -> bool:
        for rule in self._drops:
            if rule.method == method.lower() and rule.after_processing == after_processing:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._drops.remove(rule)
                return True
        return False


@dataclass
class TokenBucket:
    """Allows `rate` events a second on average and up to `capacity` at once."""

    rate: float
    capacity: float
    tokens: float
    updated: float

    def wait_needed(self, now: float) -> float:
        """Seconds until one token is there (0 when there is one now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class RateLimiter:
    """Telegram's flood limits on sending: about 30 messages a second overall, one a
    second per chat. A refused message gets 429 with retry_after in whole seconds (at
    least 1), as Telegram answers."""

    def __init__(
        self,
        global_per_second: float,
        per_chat_per_second: float,
        burst: int,
        global_burst: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._per_chat_rate = per_chat_per_second
        self._burst = burst
        self._global = TokenBucket(global_per_second, global_burst, global_burst, clock())
        self._chats: dict[int | str, TokenBucket] = {}

    def admit(self, chat_id: int | str) -> int | None:
        """None when the message may go now, else the retry_after to answer with."""
        now = self._clock()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = TokenBucket(self._per_chat_rate, self._burst, self._burst, now)
            self._chats[chat_id] = chat
        wait = max(self._global.wait_needed(now), chat.wait_needed(now))
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.take()
        chat.take()
        return None


@dataclass
class SandboxStats:
    """What the sandbox answered, for tests and benchmarks."""

    requests: Counter[str] = field(default_factory=Counter)
    messages_accepted: int = 0
    too_many_requests: int = 0  # 429s sent by the rate limiter
    faults_injected: int = 0
    connections_dropped: int = 0
    webhook_deliveries: int = 0
    webhook_failures: int = 0
    accepted: list[tuple[float, int]] = field(default_factory=list)  # (monotonic time, chat)

    def record_accepted(self, chat_id: int) -> None:
        self.messages_accepted += 1
        self.accepted.append((time.monotonic(), chat_id))

    def peak_per_second(self, chat_id: int | None = None) -> int:
        """The most messages accepted within any one second (to one chat, if given)."""
        times = [t for t, chat in self.accepted if chat_id is None or chat == chat_id]
        peak, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= 1.0:
                start += 1
            peak = max(peak, end - start + 1)
        return peak

    def accepted_per_second(self) -> list[int]:
        """Messages accepted in each whole second since the first one."""
        if not self.accepted:
            return []
        first = self.accepted[0][0]
        counts = Counter(int(t - first) for t, _ in self.accepted)
        return [counts.get(second, 0) for second in range(max(counts) + 1)]
