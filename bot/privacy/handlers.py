"""Thin handlers for /privacy, /mydata and /deletemydata."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.privacy import texts as privacy_texts
from bot.privacy.service import PrivacyService
from bot.telegram.chat import Context, edit, person_of, reply

DELETE_YES = "del:yes"
DELETE_NO = "del:no"


def confirm_delete() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(privacy_texts.DELETE_BUTTON, callback_data=DELETE_YES),
                InlineKeyboardButton(privacy_texts.KEEP_BUTTON, callback_data=DELETE_NO),
            ]
        ]
    )


@dataclass
class PrivacyHandlers:
    privacy: PrivacyService
    encrypted: bool

    async def privacy_command(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None:
            await reply(message, privacy_texts.privacy(self.encrypted))

    async def mydata(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        data = await self.privacy.export(user.id)
        if data is None:
            await reply(message, privacy_texts.MYDATA_NOTHING)
            return
        content = json.dumps(data, ensure_ascii=False, indent=2).encode()
        await message.reply_document(
            InputFile(io.BytesIO(content), filename="hearth-my-data.json"),
            caption=privacy_texts.MYDATA_CAPTION,
        )

    async def deletemydata(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None:
            await reply(message, privacy_texts.CONFIRM_DELETE, confirm_delete())

    async def delete_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        if query.data != DELETE_YES:
            await edit(query, privacy_texts.DELETE_KEPT)
            return
        await self.privacy.erase(person_of(query.from_user))
        await edit(query, privacy_texts.DELETED)
