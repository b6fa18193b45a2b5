"""The outbox sender's way out: renders a queued message and sends it with PTB,
translating Telegram's errors into the sender's terms."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.services.outbox import (
    Outbound,
    PermanentFailure,
    RecipientBlocked,
    RetryLater,
    TransientFailure,
)
from bot.telegram.outbound import CopyPart, Part, UnknownKind, render


def retry_after_seconds(error: RetryAfter) -> float:
    value: object = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    assert isinstance(value, int | float)
    return float(value)


class TelegramGateway:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, message: Outbound) -> int | None:
        """Send every part in order; the id of the last one is kept (replies to it route)."""
        try:
            parts = render(message.kind, message.params)
        except (UnknownKind, KeyError, TypeError) as error:
            raise PermanentFailure(
                f"cannot render {message.kind}: {type(error).__name__}"
            ) from None
        last_id: int | None = None
        for part in parts:
            last_id = await self._send_part(message.recipient_id, part)
        return last_id

    async def _send_part(self, chat_id: int, part: Part) -> int:
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
