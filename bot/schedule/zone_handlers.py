"""Where a partner lives, asked at pairing: zone buttons, "share my location" and the
location message itself. (`/timezone Berlin` stays in round_handlers.)"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ParseMode

from bot.schedule import keyboards
from bot.schedule import texts as schedule_texts
from bot.schedule.service import PairSettingsService, ZoneSet
from bot.telegram import texts
from bot.telegram.chat import Context, edit, person_of


@dataclass
class ZoneHandlers:
    settings: PairSettingsService

    async def zone_button(self, update: Update, context: Context) -> None:
        """A zone button (its name after the prefix), or the one that asks for a location."""
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        choice = query.data.removeprefix(keyboards.ZONE_PREFIX)
        if choice == keyboards.ZONE_LOCATION:
            await query.answer()
            await context.bot.send_message(
                query.message.chat.id,
                schedule_texts.ZONE_LOCATION_ASK,
                parse_mode=ParseMode.HTML,
                reply_markup=_location_keyboard(),
            )
            return
        outcome = await self.settings.set_timezone(person_of(query.from_user), choice)
        if not isinstance(outcome, ZoneSet):
            await query.answer(texts.BUTTON_EXPIRED)
            return
        await query.answer()
        await edit(query, schedule_texts.zone_set(outcome.now_text, outcome.question_time_text))

    async def location(self, update: Update, context: Context) -> None:
        """A shared location: its zone becomes the person's (the place itself is not kept)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.location is None:
            return
        outcome = await self.settings.set_zone_at(
            person_of(user), message.location.latitude, message.location.longitude
        )
        text = (
            schedule_texts.zone_set(outcome.now_text, outcome.question_time_text)
            if isinstance(outcome, ZoneSet)
            else schedule_texts.ZONE_NOT_FOUND_AT_LOCATION
        )
        await message.reply_text(
            text, parse_mode=ParseMode.HTML, reply_markup=ReplyKeyboardRemove()
        )


def _location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(schedule_texts.SHARE_LOCATION_BUTTON, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
