"""The outbox sender's way out: renders a queued message and sends it to the Bot API,
translating Telegram's errors into the sender's terms."""

from __future__ import annotations

import urllib.request
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter

from bot.delivery.render import CopyPart, Part, Renderers, UnknownKind
from bot.delivery.send_client import ApiRefused, ApiUnreachable, BotApiClient
from bot.delivery.sender import (
    Outbound,
    PermanentFailure,
    RecipientBlocked,
    RetryLater,
    TransientFailure,
)


def retry_after_seconds(error: RetryAfter) -> float:
    value: object = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    assert isinstance(value, int | float)
    return float(value)


class TelegramGateway:
    """Sends with the lean client (api_client.py) at most `max_connections` at a time;
    through PTB instead when a proxy is configured for the Bot API's address, since only
    PTB's stack (httpx) knows proxies."""

    def __init__(self, bot: Bot, renderers: Renderers, *, max_connections: int = 16) -> None:
        self._bot = bot
        self._renderers = renderers
        self._api = (
            None
            if _behind_proxy(bot.base_url)
            else BotApiClient(bot.base_url, max_connections=max_connections)
        )

    async def send(self, message: Outbound) -> int | None:
        """Send every part in order; the id of the last one is kept (replies to it route)."""
        try:
            parts = self._renderers.render(message.kind, message.params)
        except (UnknownKind, KeyError, TypeError) as error:
            raise PermanentFailure(
                f"cannot render {message.kind}: {type(error).__name__}"
            ) from None
        last_id: int | None = None
        for part in parts:
            if self._api is None:
                last_id = await self._send_part_with_ptb(message.recipient_id, part)
            else:
                last_id = await self._send_part(self._api, message.recipient_id, part)
        return last_id

    async def close(self) -> None:
        if self._api is not None:
            await self._api.aclose()

    async def _send_part(self, api: BotApiClient, chat_id: int, part: Part) -> int:
        if isinstance(part, CopyPart):
            method = "copyMessage"
            params: dict[str, Any] = {
                "chat_id": chat_id,
                "from_chat_id": part.from_chat_id,
                "message_id": part.message_id,
            }
        else:
            # What PTB's send_message(parse_mode=HTML, disable_web_page_preview=True) sends.
            method = "sendMessage"
            params = {
                "chat_id": chat_id,
                "text": part.text,
                "parse_mode": ParseMode.HTML.value,
                "link_preview_options": {"is_disabled": True},
            }
            if part.keyboard is not None:
                params["reply_markup"] = part.keyboard.to_dict()
        try:
            result = await api.call(method, params)
        except ApiRefused as error:
            raise _refusal(error) from None
        except ApiUnreachable as error:
            raise TransientFailure(str(error)) from None
        if not isinstance(result, dict) or not isinstance(result.get("message_id"), int):
            raise TransientFailure(f"{method}: no message_id in Telegram's answer")
        message_id: int = result["message_id"]
        return message_id

    async def _send_part_with_ptb(self, chat_id: int, part: Part) -> int:
        try:
            if isinstance(part, CopyPart):
                copied = await self._bot.copy_message(chat_id, part.from_chat_id, part.message_id)
                return copied.message_id
            sent = await self._bot.send_message(
                chat_id=chat_id,
                text=part.text,
                parse_mode=ParseMode.HTML,
                reply_markup=part.keyboard,
                disable_web_page_preview=True,
            )
            return sent.message_id
        except RetryAfter as error:
            raise RetryLater(retry_after_seconds(error)) from None
        except Forbidden:
            raise RecipientBlocked() from None
        except BadRequest as error:
            raise PermanentFailure(error.message) from None
        except NetworkError as error:
            raise TransientFailure(error.message) from None


def _refusal(error: ApiRefused) -> Exception:
    """Telegram's `ok: false` in the sender's terms, as PTB would have classed it."""
    if error.retry_after is not None:
        return RetryLater(error.retry_after)
    if error.error_code == 403:
        return RecipientBlocked()
    if error.error_code == 400:
        return PermanentFailure(error.description)
    if error.error_code in (401, 404):
        # PTB's InvalidToken: not about this message, so it is not failed; the drain
        # stops and the sender tries again later.
        return InvalidToken(error.description)
    return TransientFailure(error.description)  # 5xx and anything else: PTB's NetworkError


def _behind_proxy(url: str) -> bool:
    """Whether httpx (which reads the same variables) would send to `url` via a proxy."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    if not (proxies.get(parts.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")
