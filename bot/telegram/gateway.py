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
from bot.telegram.outbound import UnknownKind, render


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
        try:
            rendered = render(message.kind, message.params)
        except (UnknownKind, KeyError) as error:
            raise PermanentFailure(f"cannot render {message.kind}: {error!r}") from None
        try:
            sent = await self._bot.send_message(
                chat_id=message.recipient_id,
                text=rendered.text,
                parse_mode=ParseMode.HTML,
                reply_markup=rendered.keyboard,
                disable_web_page_preview=True,
            )
        except RetryAfter as error:
            raise RetryLater(retry_after_seconds(error)) from None
        except Forbidden:
            raise RecipientBlocked() from None
        except BadRequest as error:
            raise PermanentFailure(error.message) from None
        except NetworkError as error:
            raise TransientFailure(error.message) from None
        return sent.message_id
