"""Pairing's thin handlers: /start, /pair, /unpair, /help, the invite buttons, and what
Hearth does in groups and channels (explains it is private-only and leaves)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import (
    ChatMemberUpdated,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import TelegramError

from bot.kernel.people import PersonInfo
from bot.kernel.results import Refused
from bot.kernel.text_input import ascii_number
from bot.pairing import keyboards
from bot.pairing import texts as pairing_texts
from bot.pairing.service import InviteCreated, Paired, PairingService, Unpaired
from bot.schedule.service import PairSettingsService
from bot.telegram import texts
from bot.telegram.chat import Context, edit, person_of, reply

log = logging.getLogger(__name__)


@dataclass
class PairingHandlers:
    pairing: PairingService
    pair_settings: PairSettingsService
    invite_ttl_hours: int

    # --- commands -----------------------------------------------------------------

    async def start(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        payload = context.args[0] if context.args else ""
        person = person_of(user)
        if payload:
            await self._show_invite(message, person, payload)
            return
        status = await self.pairing.status(person)
        if status.partner_name is not None:
            await reply(message, pairing_texts.welcome_back(status.partner_name))
        else:
            await reply(message, pairing_texts.WELCOME, keyboards.invite_partner())

    async def pair(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        await reply(message, await self._invite_text(context, person_of(user)))

    async def unpair(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        question = await self.pairing.ask_to_unpair(person_of(user))
        if isinstance(question, Refused):
            await reply(message, texts.refusal(question))
            return
        await reply(
            message,
            pairing_texts.confirm_unpair(question.partner_name),
            keyboards.confirm_unpair(question.pair_id),
        )

    async def help(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        await self.pairing.register(person_of(user))
        await reply(message, pairing_texts.help_text())

    # --- buttons ------------------------------------------------------------------

    async def invite_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.message is None:
            return
        await query.answer()
        text = await self._invite_text(context, person_of(query.from_user))
        await context.bot.send_message(
            query.message.chat.id, text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
        )

    async def accept_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        token = query.data.removeprefix(keyboards.ACCEPT_PREFIX)
        outcome = await self.pairing.accept_invite(person_of(query.from_user), token)
        if isinstance(outcome, Paired):
            await query.answer()
            await edit(query, pairing_texts.paired_with(outcome.partner_name))
        else:
            await query.answer(texts.NOTHING_CHANGED)
            await edit(query, texts.refusal(outcome))

    async def decline_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        await edit(query, pairing_texts.INVITE_DECLINED)

    async def unpair_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        pair_id = _int_suffix(query.data, keyboards.UNPAIR_PREFIX)
        if pair_id is None:
            await query.answer(texts.BUTTON_EXPIRED)
            return
        outcome = await self.pairing.unpair(person_of(query.from_user), pair_id)
        if isinstance(outcome, Unpaired):
            await query.answer()
            await edit(query, pairing_texts.unpaired(outcome.partner_name))
        else:
            # A stale or foreign button: say so, and leave the message itself alone.
            await query.answer(texts.BUTTON_EXPIRED)

    async def keep_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        await edit(query, pairing_texts.UNPAIR_KEPT)

    async def unknown_button(self, update: Update, context: Context) -> None:
        """Forged, stale or foreign callback data: answer kindly, change nothing."""
        query = update.callback_query
        if query is not None:
            await query.answer(texts.BUTTON_EXPIRED)

    # --- everything else ----------------------------------------------------------

    async def unknown_command(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None:
            await reply(message, texts.UNKNOWN_COMMAND)

    async def unsupported_message(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None:
            await reply(message, texts.UNSUPPORTED_MESSAGE)

    async def group_message(self, update: Update, context: Context) -> None:
        """In a group or channel: explain once and leave, so nothing private is said there."""
        chat = update.effective_chat
        if chat is None:
            return
        await _say_private_only_and_leave(context, chat.id, chat.type)

    async def membership_changed(self, update: Update, context: Context) -> None:
        change = update.my_chat_member
        if change is None:
            return
        if change.chat.type == ChatType.PRIVATE:
            await self._private_membership(change)
        elif _bot_was_added(change):
            await _say_private_only_and_leave(context, change.chat.id, change.chat.type)

    async def _private_membership(self, change: ChatMemberUpdated) -> None:
        person = person_of(change.from_user)
        if change.new_chat_member.status == ChatMemberStatus.BANNED:
            await self.pair_settings.blocked(person.id)
        else:
            await self.pair_settings.unblocked(person)

    async def _show_invite(self, message: Message, person: PersonInfo, token: str) -> None:
        preview = await self.pairing.preview_invite(person, token)
        if isinstance(preview, Refused):
            await reply(message, texts.refusal(preview))
            return
        await reply(
            message,
            pairing_texts.invite_preview(preview.inviter_name),
            keyboards.accept_invite(token),
        )

    async def _invite_text(self, context: Context, person: PersonInfo) -> str:
        outcome = await self.pairing.create_invite(person)
        if not isinstance(outcome, InviteCreated):
            return texts.refusal(outcome)
        link = f"https://t.me/{context.bot.username}?start={outcome.token}"
        return pairing_texts.invite_created(link, self.invite_ttl_hours, outcome.revoked_older)


def _int_suffix(data: str, prefix: str) -> int | None:
    return ascii_number(data.removeprefix(prefix), 17)


def _bot_was_added(change: ChatMemberUpdated) -> bool:
    present = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR}
    return change.new_chat_member.status in present


async def _say_private_only_and_leave(context: Context, chat_id: int, chat_type: str) -> None:
    if chat_type != ChatType.CHANNEL:
        try:
            await context.bot.send_message(chat_id, pairing_texts.PRIVATE_ONLY)
        except TelegramError:
            log.info("could not explain before leaving chat %s", chat_id)
    try:
        await context.bot.leave_chat(chat_id)
    except TelegramError:  # e.g. a post that came before we left: we are already out
        log.info("could not leave chat %s (already left?)", chat_id)
