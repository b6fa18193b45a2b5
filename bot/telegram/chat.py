"""What every feature's handlers share: the context type, who a user is, replying and
editing in HTML, and the kind reply when a handler fails."""

from __future__ import annotations

import logging

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.kernel.people import PersonInfo
from bot.telegram import texts

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE


def person_of(user: User) -> PersonInfo:
    return PersonInfo(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


async def reply(message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    await message.reply_text(
        text, parse_mode=ParseMode.HTML, reply_markup=keyboard, disable_web_page_preview=True
    )


async def edit(
    query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the message that held the buttons, so a button cannot be pressed twice."""
    try:
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=keyboard, disable_web_page_preview=True
        )
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


async def on_error(update: object, context: Context) -> None:
    """Log what failed (never the message text) and tell the person kindly."""
    error = context.error
    log.error(
        "error while handling an update: %s",
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__) if error else None,
    )
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.SOMETHING_WENT_WRONG, show_alert=True)
        elif update.effective_message is not None and _is_private(update):
            await reply(update.effective_message, texts.SOMETHING_WENT_WRONG)
    except TelegramError:
        log.warning("could not tell the person about the error")


def _is_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE
