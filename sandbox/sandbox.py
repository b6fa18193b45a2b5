"""BotApiSandbox: a local stand-in for Telegram's Bot API, with simulated people."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from sandbox.control import ControlRoutes
from sandbox.core import SandboxCore
from sandbox.faults import Faults, RateLimiter, SandboxStats
from sandbox.methods import find_method
from sandbox.methods.profile import commands_key
from sandbox.people import Population, SimulatedChannel, SimulatedGroup, SimulatedUser
from sandbox.records import BotMessage, TranscriptEntry, format_transcript
from sandbox.server import LoopbackServer, build_app
from sandbox.state import World
from sandbox.webhook import WebhookDelivery

DEFAULT_TOKEN = "123456:TEST-TOKEN"  # noqa: S105 (a made-up token for a local fake)


class BotApiSandbox:
    """An HTTP server on loopback that answers the Bot API as Telegram does.

    Point the bot at `f"{api_root}/bot"` (base_url) and `f"{api_root}/file/bot"`
    (base_file_url); drive it with `user()`, `group()` and `channel()`.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "HearthTestBot",
        bot_first_name: str = "Hearth",
        bot_id: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        strict_html: bool = True,
        group_privacy: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`strict_html` refuses a bare "&" in HTML that Telegram would let through (see
        html_check); `clock` gives the unix time used for message dates."""
        self.token = token
        bot_user = {
            "id": bot_id if bot_id is not None else _id_from_token(token),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        world = World(bot_user, clock)
        world.group_privacy = group_privacy
        stats = SandboxStats()
        self._core = SandboxCore(
            token=token,
            world=world,
            webhook=WebhookDelivery(world.updates, stats),
            strict_html=strict_html,
            stats=stats,
        )
        self._population = Population(world)
        control = ControlRoutes(world, self._population).routes()
        self._server = LoopbackServer(build_app(self._core, control), host, port)
        self._host = host

    # -- running -----------------------------------------------------------------------

    async def start(self) -> None:
        self._core.closing.clear()
        await self._server.start()

    async def stop(self) -> None:
        """Stop serving. Waiting getUpdates calls answer [] at once, delays end early."""
        self._core.close()
        await self._core.webhook.delete()
        await self._server.stop()

    async def __aenter__(self) -> BotApiSandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def api_root(self) -> str:
        """e.g. "http://127.0.0.1:PORT"."""
        return f"http://{self._host}:{self._server.port}"

    @property
    def base_url(self) -> str:
        """What python-telegram-bot takes as base_url."""
        return f"{self.api_root}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_root}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        return dict(self._core.world.bot_user)

    # -- people ------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
    ) -> SimulatedUser:
        """A person (created on first use); her private chat with the bot has her id."""
        return self._population.user(
            user_id,
            first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
        )

    def group(self, chat_id: int, title: str, *, username: str | None = None) -> SimulatedGroup:
        return self._population.group(chat_id, title, username=username)

    def channel(self, chat_id: int, title: str, *, username: str | None = None) -> SimulatedChannel:
        return self._population.channel(chat_id, title, username=username)

    # -- what happened -----------------------------------------------------------------

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Every Bot API call received: (method name as documented, parameters)."""
        return list(self._core.world.calls)

    def call_count(self, method: str) -> int:
        name = _method_name(method)
        return sum(1 for called, _ in self._core.world.calls if called == name)

    def messages_in(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in any chat, in order."""
        chat = self._core.world.chats.get(chat_id)
        return [] if chat is None else list(chat.bot_messages)

    @property
    def transcript(self) -> list[TranscriptEntry]:
        return list(self._core.world.transcript)

    def format_transcript(self, chat_id: int | None = None) -> str:
        """The conversation turn by turn, e.g. "Alice: /start" then
        "Hearth -> Alice: Welcome ... [Invite my partner]"."""
        entries = [e for e in self._core.world.transcript if chat_id in (None, e.chat_id)]
        return format_transcript(entries, self._core.world.bot_name)

    @property
    def commands(self) -> list[dict[str, Any]]:
        """The default command menu that setMyCommands stored."""
        return self.commands_for()

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str | None = None
    ) -> list[dict[str, Any]]:
        return list(self._core.world.commands.get(commands_key(scope, language_code), []))

    @property
    def profile(self) -> dict[str, str]:
        """What setMyName / setMyDescription / setMyShortDescription stored."""
        return dict(self._core.world.profile)

    @property
    def left_chats(self) -> list[int]:
        return list(self._core.world.left_chats)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot."""
        return self._core.world.updates.pending

    def inject_update(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (any JSON fields; the sandbox assigns its update_id)."""
        return self._core.world.updates.push_raw(fields)

    @property
    def webhook_url(self) -> str | None:
        return self._core.webhook.url

    @property
    def update_count(self) -> int:
        """Updates made so far; with the bot's handled-update count, tells when it is idle."""
        return self._core.world.updates.created

    async def wait_for_poller(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a getUpdates call is being held open (the bot is listening)."""
        updates = self._core.world.updates
        if not await updates.changed.wait_until(lambda: updates.holding_polls > 0, timeout):
            raise AssertionError(f"no getUpdates call was waiting within {timeout:g}s")

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[dict[str, Any]]:
        """Wait for `count` more calls of `method` than so far; returns their parameters.

        E.g. two more getUpdates mean the bot has fetched and then confirmed what was queued.
        """
        name = _method_name(method)
        calls = self._core.world.calls
        seen = len(calls)

        def new_calls() -> list[dict[str, Any]]:
            return [params for called, params in calls[seen:] if called == name]

        if not await self._core.world.changed.wait_until(
            lambda: len(new_calls()) >= count, timeout
        ):
            raise AssertionError(f"{len(new_calls())} of {count} {name} calls in {timeout:g}s")
        return new_calls()[:count]

    async def wait_until_delivered(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has confirmed (or the webhook delivered) every update."""
        updates = self._core.world.updates
        if not await updates.changed.wait_until(lambda: len(updates) == 0, timeout):
            raise AssertionError(f"{len(updates)} updates still pending after {timeout:g}s")

    # -- faults and limits -------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self._core.faults

    @property
    def stats(self) -> SandboxStats:
        return self._core.stats

    def enforce_rate_limits(
        self,
        global_per_second: float = 30.0,
        per_chat_per_second: float = 1.0,
        burst: int = 1,
        global_burst: int | None = None,
    ) -> None:
        """Answer sends beyond Telegram's flood limits with 429 and retry_after.

        `burst` is how many messages one chat may take at once before its rate applies;
        `global_burst` the same for all chats together (default: one second's worth).
        """
        self._core.limiter = RateLimiter(
            global_per_second,
            per_chat_per_second,
            burst,
            global_burst if global_burst is not None else max(1, int(global_per_second)),
        )

    def disable_rate_limits(self) -> None:
        self._core.limiter = None


def _method_name(method: str) -> str:
    """The documented spelling, since Telegram (and so `calls`) ignores case."""
    found = find_method(method)
    return found.name if found is not None else method


def _id_from_token(token: str) -> int:
    """A bot token starts with the bot's id, as in "123456:ABC..."."""
    prefix = token.split(":", 1)[0]
    return int(prefix) if prefix.isdigit() else 123456
