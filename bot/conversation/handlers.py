"""Thin handlers for incoming messages: each goes where the conversation rule says, and
the reply names where it went (or asks with buttons when two places are plausible)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Message, Update

from bot.checkins import texts as checkin_texts
from bot.checkins.service import NoteSaved
from bot.conversation import keyboards
from bot.conversation import texts as conversation_texts
from bot.conversation.rules import AnswerRound, NoteCheckIn, ReplaceAnswer, ToPartner
from bot.conversation.service import (
    DROP_CODE,
    Asked,
    ConversationService,
    Dropped,
    Option,
    Outcome,
    option_code,
)
from bot.kernel.results import Refusal, Refused
from bot.kernel.text_input import ascii_number
from bot.rounds.service import IncomingAnswer, Relayed
from bot.telegram import texts
from bot.telegram.chat import Context, edit, person_of, reply


def incoming_of(message: Message) -> IncomingAnswer | None:
    """The answer a message carries, or None for kinds Hearth does not take."""
    kind, file_id = _media_of(message)
    if kind is None:
        return None
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    return IncomingAnswer(
        kind=kind,
        body=message.text if kind == "text" else message.caption,
        file_id=file_id,
        chat_id=message.chat.id,
        message_id=message.message_id,
        reply_to_message_id=reply_to,
    )


def _media_of(message: Message) -> tuple[str | None, str | None]:
    if message.text is not None:
        return "text", None
    if message.voice is not None:
        return "voice", message.voice.file_id
    if message.photo:
        return "photo", message.photo[-1].file_id
    if message.video is not None:
        return "video", message.video.file_id
    if message.video_note is not None:
        return "video_note", message.video_note.file_id
    return None, None


@dataclass
class ConversationHandlers:
    conversation: ConversationService

    async def message(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        incoming = incoming_of(message)
        if incoming is None:
            await reply(message, texts.UNSUPPORTED_MESSAGE)
            return
        outcome = await self.conversation.handle_message(person_of(user), incoming)
        if isinstance(outcome, Asked):
            text, keyboard = ask_text(outcome)
            await reply(message, text, keyboard)
        else:
            await reply(message, outcome_text(outcome))

    async def route_button(self, update: Update, context: Context) -> None:
        """A tap on "where should this go?": the kept message goes there."""
        query = update.callback_query
        if query is None or query.data is None:
            return
        held_text, _, choice = query.data.removeprefix(keyboards.ROUTE_PREFIX).partition(":")
        held = ascii_number(held_text)
        if held is None:
            await query.answer(texts.BUTTON_EXPIRED)
            return
        outcome = await self.conversation.choose(person_of(query.from_user), held, choice)
        if isinstance(outcome, Refused) and outcome.reason is Refusal.STALE_BUTTON:
            await query.answer(texts.BUTTON_EXPIRED)
            return
        await query.answer()
        if isinstance(outcome, Asked):  # cannot happen for a chosen option; keep it safe
            return
        await edit(query, outcome_text(outcome))

    async def end_steps(self, update: Update, context: Context) -> None:
        """Runs before every command: a command ends a step the person started."""
        user = update.effective_user
        if user is not None:
            await self.conversation.end_steps(user.id)


def ask_text(asked: Asked) -> tuple[str, InlineKeyboardMarkup]:
    only_partner = all(isinstance(option, ToPartner) for option in asked.options)
    answered = any(isinstance(option, ReplaceAnswer) for option in asked.options)
    choices = [
        (_label(option, asked.partner_name), option_code(option)) for option in asked.options
    ]
    choices.append((conversation_texts.ROUTE_DROP, DROP_CODE))
    return (
        conversation_texts.ask_where(
            asked.partner_name, only_partner=only_partner, answered=answered
        ),
        keyboards.route(asked.held_id, choices),
    )


def _label(option: Option, partner_name: str) -> str:
    if isinstance(option, AnswerRound):
        return conversation_texts.ROUTE_ANSWER
    if isinstance(option, ReplaceAnswer):
        return conversation_texts.ROUTE_REPLACE
    if isinstance(option, NoteCheckIn):
        return conversation_texts.ROUTE_NOTE
    return conversation_texts.route_to_partner(partner_name)


def outcome_text(outcome: Outcome) -> str:
    """The acknowledgement: it names where the message went."""
    if isinstance(outcome, Relayed):
        return conversation_texts.relay_sent(outcome.partner_name)
    if isinstance(outcome, NoteSaved):
        return checkin_texts.note_saved(outcome.partner_name, outcome.sent_now)
    if isinstance(outcome, Dropped):
        return conversation_texts.DROPPED
    if isinstance(outcome, Refused):
        if outcome.reason is Refusal.NOT_PAIRED:
            return texts.NOT_PAIRED_YET_MESSAGE
        return checkin_texts.CHECKIN_REFUSALS.get(outcome.reason.value) or texts.refusal(outcome)
    if isinstance(outcome, Asked):
        return ask_text(outcome)[0]
    return conversation_texts.saved(
        outcome.partner_name,
        outcome.question,
        replaced=outcome.replaced,
        earlier_date=outcome.earlier_date,
        revealed=outcome.revealed,
    )
