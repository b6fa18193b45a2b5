"""Thin handlers for /topics: the deck and stage buttons of a pair."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update

from bot.kernel.results import Refused
from bot.pairing.service import PairingService
from bot.telegram import texts
from bot.telegram.chat import Context, edit, person_of, reply
from bot.topics import keyboards as topics_keyboards
from bot.topics import texts as topics_texts
from bot.topics.service import TopicService


@dataclass
class TopicHandlers:
    topics: TopicService
    pairing: PairingService

    async def topics_command(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        state = await self.pairing.status(person_of(user))
        if state.pair_id is None:
            await reply(message, texts.STATUS_UNPAIRED)
            return
        await reply(message, topics_texts.TOPICS_HEADER, await self._topics_keyboard(state.pair_id))

    async def _topics_keyboard(self, pair_id: int) -> InlineKeyboardMarkup:
        choices = await self.topics.topics_for(pair_id)
        return topics_keyboards.topics(choices, await self.topics.stages_for(pair_id))

    async def topic_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        state = await self.pairing.status(person_of(query.from_user))
        if state.pair_id is None:
            await query.answer(texts.BUTTON_EXPIRED)
            return
        deck_id = query.data.removeprefix(topics_keyboards.TOPIC_PREFIX)
        outcome = await self.topics.toggle_topic(
            state.pair_id, deck_id, by=person_of(query.from_user)
        )
        if isinstance(outcome, Refused):
            await query.answer(texts.BUTTON_EXPIRED)
            return
        await query.answer(topics_texts.TOPIC_ON if outcome else topics_texts.TOPIC_OFF)
        await edit(query, topics_texts.TOPICS_HEADER, await self._topics_keyboard(state.pair_id))
