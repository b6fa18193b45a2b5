"""Thin handlers for check-ins: /checkin, /checkins, /trend, the rating and note steps,
and scheduling a reconnect talk."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from html import escape

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationHandlerStop

from bot.domain.text_input import ascii_number
from bot.services.checkins import (
    CadenceView,
    CheckInDone,
    CheckInService,
    CheckInStarted,
    RatingSaved,
    ReconnectScheduled,
)
from bot.services.results import Refused
from bot.telegram import checkin_keyboards, checkin_texts, texts
from bot.telegram.handlers import Context, edit, person_of, reply
from bot.telegram.trend_chart import TrendPoint, render_trend_png, summarise_trend

MIN_TREND_POINTS = 2


def _refusal_text(refused: Refused) -> str:
    return checkin_texts.CHECKIN_REFUSALS.get(refused.reason.value) or texts.refusal(refused)


def _ids(data: str, prefix: str, parts: int) -> list[str] | None:
    """Split callback data after its prefix; None when it is not of the expected shape."""
    values = data.removeprefix(prefix).split(":")
    if len(values) != parts or ascii_number(values[0]) is None:
        return None
    return values


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
        if values is None or ascii_number(values[1]) is None:
            await query.answer(texts.BUTTON_EXPIRED)
            return
        outcome = await self.checkins.rate(
            person_of(query.from_user), int(values[0]), int(values[1])
        )
        if isinstance(outcome, Refused):
            await query.answer(_refusal_text(outcome))
            return
        await query.answer(checkin_texts.RATING_WORDS[outcome.rating])
        await edit(query, _rated_text(outcome), checkin_keyboards.skip_note(outcome.checkin_id))

    async def skip_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        values = _ids(query.data, checkin_keyboards.SKIP_PREFIX, 1)
        if values is None:
            await query.answer(texts.BUTTON_EXPIRED)
            return
        outcome = await self.checkins.finish(person_of(query.from_user), int(values[0]), None)
        if isinstance(outcome, Refused):
            await query.answer(_refusal_text(outcome))
            return
        await query.answer()
        await edit(query, _done_text(outcome))

    async def note_message(self, update: Update, context: Context) -> None:
        """A message while a check-in waits for this person's note: it is the note.

        Runs before the daily-answer handler and stops it, so a note never becomes an
        answer to the daily question."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        checkin_id = await self.checkins.pending_note(user.id)
        if checkin_id is None:
            return
        outcome = await self.checkins.finish(person_of(user), checkin_id, message.text)
        if isinstance(outcome, CheckInDone):
            await reply(message, _done_text(outcome))
        else:
            await reply(message, _refusal_text(outcome))
        raise ApplicationHandlerStop

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
        picture = await asyncio.to_thread(
            render_trend_png, points, trend.name_a, trend.name_b, trend.zone
        )
        first, second = summarise_trend(points, trend.name_a, trend.name_b)
        caption = f"{checkin_texts.TREND_CAPTION_HEADER}\n{escape(first)}\n{escape(second)}"
        await message.reply_photo(picture, caption=caption, parse_mode=ParseMode.HTML)


def _rated_text(outcome: RatingSaved) -> str:
    word = checkin_texts.RATING_WORDS[outcome.rating]
    return f"You chose: {escape(word)} ({outcome.rating} of 5).\n\n{checkin_texts.NOTE_QUESTION}"


def _done_text(outcome: CheckInDone) -> str:
    if outcome.revealed:
        return checkin_texts.REVEALED_SOON
    return checkin_texts.done(outcome.partner_name)
