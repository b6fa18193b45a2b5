"""Thin handlers for daily rounds: answers, /edit, /skip, reactions and /history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, ReactionType, ReactionTypeEmoji, Update
from telegram.constants import ParseMode

from bot.conversation.handlers import incoming_of, outcome_text
from bot.kernel.people import PersonInfo
from bot.kernel.results import Refused
from bot.kernel.text_input import ascii_number
from bot.rounds import keyboards
from bot.rounds import texts as rounds_texts
from bot.rounds.reactions import Reacted, ReactionService
from bot.rounds.rules import added_emojis
from bot.rounds.service import (
    EditStarted,
    RoundService,
    Skipped,
)
from bot.telegram import texts
from bot.telegram.chat import Context, edit, person_of, reply
from bot.telegram.split import split_message


@dataclass
class RoundHandlers:
    rounds: RoundService
    reactions: ReactionService

    # --- answers ---------------------------------------------------------------------

    async def edited(self, update: Update, context: Context) -> None:
        message, user = update.edited_message, update.effective_user
        if message is None or user is None:
            return
        incoming = incoming_of(message)
        if incoming is None:
            return
        outcome = await self.rounds.edit_from_telegram(person_of(user), incoming)
        if outcome is not None:
            await reply(message, outcome_text(outcome))

    async def edit_command(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        outcome = await self.rounds.begin_edit(person_of(user))
        if isinstance(outcome, EditStarted):
            await reply(message, rounds_texts.edit_started(outcome.question))
        else:
            await reply(message, texts.refusal(outcome))

    async def skip(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        outcome = await self.rounds.skip(person_of(user))
        if isinstance(outcome, Skipped):
            await reply(message, rounds_texts.skipped(outcome.question))
        else:
            await reply(message, texts.refusal(outcome))

    # --- after the reveal ------------------------------------------------------------

    async def reaction(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        parts = query.data.removeprefix(keyboards.REACTION_PREFIX).split(":")
        numbers = [ascii_number(part, 11) for part in parts]
        if len(numbers) != 2 or numbers[0] is None or numbers[1] is None:
            await query.answer(texts.BUTTON_EXPIRED)
            return
        outcome = await self.reactions.react(person_of(query.from_user), numbers[0], numbers[1])
        if isinstance(outcome, Reacted):
            await query.answer(
                rounds_texts.reaction_sent(
                    outcome.partner_name, outcome.emoji, outcome.already_sent
                )
            )
        else:
            await query.answer(texts.BUTTON_EXPIRED)

    async def telegram_reaction(self, update: Update, context: Context) -> None:
        """Telegram's own reaction on a message: relayed when it is on a reveal. The
        partner's message is the only answer; the reactor sees their reaction in place."""
        reaction = update.message_reaction
        if reaction is None or reaction.user is None:
            return
        added = added_emojis(_emojis(reaction.old_reaction), _emojis(reaction.new_reaction))
        await self.reactions.react_in_telegram(
            person_of(reaction.user), reaction.chat.id, reaction.message_id, added
        )

    async def history(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        text, keyboard = await self._history_page(user.id, user.first_name, 0)
        await reply(message, text, keyboard)

    async def history_page(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        page = ascii_number(query.data.removeprefix(keyboards.HISTORY_PAGE_PREFIX), 6)
        await query.answer()
        if page is None:
            return
        text, keyboard = await self._history_page(
            query.from_user.id, query.from_user.first_name, page
        )
        await edit(query, text, keyboard)

    async def _history_page(
        self, user_id: int, first_name: str, page: int
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        listing = await self.rounds.history(PersonInfo(user_id, first_name), page)
        if not listing.entries:
            return rounds_texts.HISTORY_EMPTY, None
        labels = [(e.round_id, f"{e.day_text} · {_short(e.question)}") for e in listing.entries]
        return (
            rounds_texts.history_header(listing.page, listing.pages),
            keyboards.history(labels, listing.page, listing.pages),
        )

    async def history_round(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        round_id = ascii_number(query.data.removeprefix(keyboards.HISTORY_ROUND_PREFIX))
        if round_id is None:
            await query.answer(texts.BUTTON_EXPIRED)
            return
        view = await self.rounds.view_round(person_of(query.from_user), round_id)
        if isinstance(view, Refused):
            await query.answer(texts.BUTTON_EXPIRED)
            return
        await query.answer()
        chat_id = query.message.chat.id
        await _send_long(
            context, chat_id, rounds_texts.history_round_text(view.question, view.day_text)
        )
        for answer in (view.theirs, view.mine):
            if answer is None:
                continue
            text = rounds_texts.history_answer(answer.name, answer.kind, answer.body)
            await _send_long(context, chat_id, text)
            if answer.kind not in ("text", "removed"):
                await context.bot.copy_message(chat_id, answer.chat_id, answer.message_id)


async def _send_long(context: Context, chat_id: int, text: str) -> None:
    """Send `text` in as many messages as Telegram's length limit needs."""
    for part in split_message(text):
        await context.bot.send_message(chat_id, part, ParseMode.HTML)


def _emojis(reactions: Sequence[ReactionType]) -> list[str]:
    """Plain emoji reactions only (custom emoji and paid stars are not relayed)."""
    return [r.emoji for r in reactions if isinstance(r, ReactionTypeEmoji)]


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
