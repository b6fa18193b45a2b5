"""Thin handlers for check-ins: /checkin, /checkins, /trend, the rating and note steps,
and scheduling a reconnect talk."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from html import escape

from telegram import Update
from telegram.constants import ParseMode

from bot.checkins import keyboards as checkin_keyboards
from bot.checkins import texts as checkin_texts
from bot.checkins.rules import RATINGS
from bot.checkins.service import (
    CadenceView,
    CheckInService,
    CheckInStarted,
    ReconnectScheduled,
)
from bot.checkins.trend_chart import TrendPoint, render_trend_png, summarise_trend
from bot.kernel.results import Refused
from bot.kernel.text_input import ascii_number
from bot.telegram import texts
from bot.telegram.chat import Context, edit, person_of, reply

MIN_TREND_POINTS = 2


def _refusal_text(refused: Refused) -> str:
    return checkin_texts.CHECKIN_REFUSALS.get(refused.reason.value) or texts.refusal(refused)


def _ids(data: str, prefix: str, parts: int) -> list[str] | None:
    """Split callback data after its prefix; None when it is not of the expected shape."""
    values = data.removeprefix(prefix).split(":")
    if len(values) != parts or ascii_number(values[0]) is None:
        return None
    return values


def _rating_of(text: str) -> int | None:
    """A rating from callback data (ASCII digits only), if it is one of the ratings."""
    rating = ascii_number(text, 1)
    return rating if rating in RATINGS else None


@dataclass
class CheckInHandlers:
    checkins: CheckInService

    async def checkin(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        outcome = await self.checkins.start_now(person_of(user))
        if isinstance(outcome, CheckInStarted):
            await reply(message, checkin_texts.started())
        else:
            await reply(message, _refusal_text(outcome))

    async def cadence(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        view = await self.checkins.cadence_of(user.id)
        if isinstance(view, Refused):
            await reply(message, _refusal_text(view))
            return
        await reply(
            message,
            checkin_texts.cadence(view.cadence, view.weekday, view.next_text),
            checkin_keyboards.cadence(view.cadence, view.weekday),
        )

    async def cadence_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        data = query.data
        person = person_of(query.from_user)
        if data.startswith(checkin_keyboards.CADENCE_PREFIX):
            choice = data.removeprefix(checkin_keyboards.CADENCE_PREFIX)
            valid = choice in dict(checkin_keyboards.CADENCES)
            view = await self.checkins.set_cadence(person, cadence=choice) if valid else None
        else:
            day = ascii_number(data.removeprefix(checkin_keyboards.WEEKDAY_PREFIX), 1)
            valid = day is not None and day < len(checkin_texts.WEEKDAYS)
            view = await self.checkins.set_cadence(person, weekday=day) if valid else None
        if not isinstance(view, CadenceView):
            await query.answer(texts.BUTTON_EXPIRED)
            return
        await query.answer()
        await edit(
            query,
            checkin_texts.cadence(view.cadence, view.weekday, view.next_text),
            checkin_keyboards.cadence(view.cadence, view.weekday),
        )

    async def rating_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        values = _ids(query.data, checkin_keyboards.RATE_PREFIX, 2)
        rating = _rating_of(values[1]) if values else None
        if values is None or rating is None:
            await query.answer(texts.BUTTON_EXPIRED)
            return
        outcome = await self.checkins.rate(person_of(query.from_user), int(values[0]), rating)
        if isinstance(outcome, Refused):
            await query.answer(_refusal_text(outcome))
            return
        word = checkin_texts.RATING_WORDS[outcome.rating]
        await query.answer(word)
        await edit(
            query,
            checkin_texts.rated(word, outcome.partner_name, outcome.revealed),
            checkin_keyboards.note_choice(outcome.checkin_id),
        )

    async def note_button(self, update: Update, context: Context) -> None:
        """ "Add a note": the next text is the note (the bot says so; it expires)."""
        query = update.callback_query
        if query is None or query.data is None:
            return
        values = _ids(query.data, checkin_keyboards.NOTE_PREFIX, 1)
        if values is None:
            await query.answer(texts.BUTTON_EXPIRED)
            return
        outcome = await self.checkins.start_note(person_of(query.from_user), int(values[0]))
        if isinstance(outcome, Refused):
            await query.answer(_refusal_text(outcome))
            return
        await query.answer()
        await edit(query, checkin_texts.note_started(outcome.partner_name, outcome.revealed))

    async def skip_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        values = _ids(query.data, checkin_keyboards.SKIP_PREFIX, 1)
        if values is None:
            await query.answer(texts.BUTTON_EXPIRED)
            return
        outcome = await self.checkins.skip_note(person_of(query.from_user), int(values[0]))
        if isinstance(outcome, Refused):
            await query.answer(_refusal_text(outcome))
            return
        await query.answer()
        await edit(query, checkin_texts.note_skipped())

    async def reconnect_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        values = _ids(query.data, checkin_keyboards.RECONNECT_PREFIX, 2)
        if values is None:
            await query.answer(texts.BUTTON_EXPIRED)
            return
        outcome = await self.checkins.schedule_reconnect(
            person_of(query.from_user), int(values[0]), values[1]
        )
        if not isinstance(outcome, ReconnectScheduled):
            await query.answer(texts.BUTTON_EXPIRED)
            return
        await query.answer()
        await context.bot.send_message(
            query.message.chat.id,
            checkin_texts.reconnect_scheduled(outcome.when_text),
            parse_mode=ParseMode.HTML,
        )

    async def trend(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        trend = await self.checkins.trend(user.id)
        if isinstance(trend, Refused):
            await reply(message, _refusal_text(trend))
            return
        if len(trend.points) < MIN_TREND_POINTS:
            await reply(message, checkin_texts.TREND_EMPTY)
            return
        points = [TrendPoint(day, mine, theirs) for day, mine, theirs in trend.points]
        # Rendering takes a moment of CPU: keep the event loop free meanwhile.
        picture = await asyncio.to_thread(render_trend_png, points, "You", trend.partner_name)
        first, second = summarise_trend(points, trend.partner_name)
        caption = f"{checkin_texts.TREND_CAPTION_HEADER}\n{escape(first)}\n{escape(second)}"
        await message.reply_photo(picture, caption=caption, parse_mode=ParseMode.HTML)
