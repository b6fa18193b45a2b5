"""Thin handlers for daily rounds: answers, /edit, /skip, reactions, history, topics and
the schedule commands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, ReactionType, ReactionTypeEmoji, Update
from telegram.constants import ParseMode

from bot.conversation.handlers import incoming_of, outcome_text
from bot.kernel.people import PersonInfo
from bot.kernel.results import Refused
from bot.kernel.text_input import ascii_number
from bot.pairing.service import PairingService
from bot.rounds import keyboards
from bot.rounds.reactions import Reacted, ReactionService
from bot.rounds.rules import added_emojis
from bot.rounds.service import (
    EditStarted,
    RoundService,
    Skipped,
)
from bot.schedule.service import (
    PairSettingsService,
    Paused,
    RemindersSet,
    Resumed,
    TimeSet,
    ZoneChoices,
    ZoneSet,
)
from bot.telegram import texts
from bot.telegram.chat import Context, edit, person_of, reply
from bot.telegram.split import split_message
from bot.topics import keyboards as topics_keyboards
from bot.topics.service import TopicService


def _args_text(context: Context) -> str:
    return " ".join(context.args or []).strip()


@dataclass
class RoundHandlers:
    rounds: RoundService
    settings: PairSettingsService
    topics: TopicService
    pairing: PairingService
    reactions: ReactionService

    async def status(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        state = await self.pairing.status(person_of(user))
        if state.partner_name is None or state.paired_since is None or state.pair_id is None:
            await reply(message, texts.STATUS_UNPAIRED)
            return
        current = await self.settings.schedule_of(user.id)
        streak = await self.rounds.streak(state.pair_id)
        lines = [texts.status_paired(state.partner_name, state.paired_since)]
        if current is not None:
            lines.append(
                texts.status_schedule(
                    current.time_text,
                    current.zone,
                    current.paused,
                    current.paused_until_text,
                    streak,
                    current.reminders,
                    current.zone_known,
                )
            )
        await reply(message, "\n\n".join(lines))

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
            await reply(message, texts.edit_started(outcome.question))
        else:
            await reply(message, texts.refusal(outcome))

    async def skip(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        outcome = await self.rounds.skip(person_of(user))
        if isinstance(outcome, Skipped):
            await reply(message, texts.skipped(outcome.question))
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
                texts.reaction_sent(outcome.partner_name, outcome.emoji, outcome.already_sent)
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
            return texts.HISTORY_EMPTY, None
        labels = [(e.round_id, f"{e.day_text} · {_short(e.question)}") for e in listing.entries]
        return (
            texts.history_header(listing.page, listing.pages),
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
        await _send_long(context, chat_id, texts.history_round_text(view.question, view.day_text))
        for answer in (view.theirs, view.mine):
            if answer is None:
                continue
            text = texts.history_answer(answer.name, answer.kind, answer.body)
            await _send_long(context, chat_id, text)
            if answer.kind not in ("text", "removed"):
                await context.bot.copy_message(chat_id, answer.chat_id, answer.message_id)

    # --- topics ------------------------------------------------------------------------

    async def topics_command(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        state = await self.pairing.status(person_of(user))
        if state.pair_id is None:
            await reply(message, texts.STATUS_UNPAIRED)
            return
        await reply(message, texts.TOPICS_HEADER, await self._topics_keyboard(state.pair_id))

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
        await query.answer(texts.TOPIC_ON if outcome else texts.TOPIC_OFF)
        await edit(query, texts.TOPICS_HEADER, await self._topics_keyboard(state.pair_id))

    # --- schedule ----------------------------------------------------------------------

    async def time(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        text = _args_text(context)
        if not text:
            await reply(message, await self._schedule_summary(user.id) + "\n\n" + texts.TIME_HELP)
            return
        outcome = await self.settings.set_time(person_of(user), text)
        if isinstance(outcome, TimeSet):
            await reply(
                message, texts.time_set(outcome.time_text, outcome.zone, outcome.zone_known)
            )
        else:
            await reply(message, texts.refusal(outcome))

    async def timezone(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        text = _args_text(context)
        if not text:
            await reply(message, texts.ZONE_HELP)
            return
        outcome = await self.settings.set_timezone(person_of(user), text)
        if isinstance(outcome, ZoneSet):
            await reply(message, texts.zone_set(outcome.now_text, outcome.question_time_text))
        elif isinstance(outcome, ZoneChoices):
            await reply(message, texts.zone_choices(outcome.candidates, outcome.ambiguous))
        else:
            await reply(message, texts.refusal(outcome))

    async def pause(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        text = _args_text(context).removesuffix("days").removesuffix("d").strip()
        days = ascii_number(text, 2) if text else None
        if text and (days is None or not 1 <= days <= 60):
            await reply(message, texts.PAUSE_HELP)
            return
        outcome = await self.settings.pause(person_of(user), days)
        if isinstance(outcome, Paused):
            await reply(message, texts.paused(outcome.until_text))
        else:
            await reply(message, texts.refusal(outcome))

    async def resume(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        outcome = await self.settings.resume(person_of(user))
        if isinstance(outcome, Resumed):
            await reply(message, texts.resumed(outcome.next_text))
        else:
            await reply(message, texts.refusal(outcome))

    async def reminders(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        choice = _args_text(context).lower()
        if choice not in ("on", "off"):
            await reply(message, texts.REMINDERS_HELP)
            return
        outcome = await self.settings.set_reminders(person_of(user), choice == "on")
        if isinstance(outcome, RemindersSet):
            await reply(message, texts.reminders_set(outcome.enabled))
        else:
            await reply(message, texts.refusal(outcome))

    async def _schedule_summary(self, user_id: int) -> str:
        current = await self.settings.schedule_of(user_id)
        if current is None:
            return texts.STATUS_UNPAIRED
        return texts.status_schedule(
            current.time_text,
            current.zone,
            current.paused,
            current.paused_until_text,
            0,
            current.reminders,
            current.zone_known,
        )


async def _send_long(context: Context, chat_id: int, text: str) -> None:
    """Send `text` in as many messages as Telegram's length limit needs."""
    for part in split_message(text):
        await context.bot.send_message(chat_id, part, ParseMode.HTML)


def _emojis(reactions: Sequence[ReactionType]) -> list[str]:
    """Plain emoji reactions only (custom emoji and paid stars are not relayed)."""
    return [r.emoji for r in reactions if isinstance(r, ReactionTypeEmoji)]


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
