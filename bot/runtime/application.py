"""Builds the python-telegram-bot Application and wires the handlers to it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    MessageReactionHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.admin.handlers import AdminHandlers
from bot.checkins import keyboards as checkin_keyboards
from bot.checkins.handlers import CheckInHandlers
from bot.conversation import keyboards as conversation_keyboards
from bot.conversation.handlers import ConversationHandlers
from bot.pairing import keyboards as pairing_keyboards
from bot.pairing.handlers import PairingHandlers
from bot.privacy.handlers import DELETE_NO, DELETE_YES, PrivacyHandlers
from bot.rounds import keyboards as rounds_keyboards
from bot.rounds.handlers import RoundHandlers
from bot.runtime.poison import HearthBot, SetAside
from bot.schedule import keyboards as schedule_keyboards
from bot.schedule.handlers import ScheduleHandlers
from bot.schedule.zone_handlers import ZoneHandlers
from bot.telegram import texts
from bot.telegram.chat import on_error
from bot.topics import keyboards as topics_keyboards
from bot.topics.handlers import TopicHandlers

HearthApplication = Application[Any, Any, Any, Any, Any, Any]


class UpdateCounter:
    """Counts updates whose handlers have all finished (whatever they raised or stopped).

    Metrics read the count; tests and the demo wait on it instead of sleeping.
    """

    def __init__(self) -> None:
        self.handled = 0
        self._changed = asyncio.Condition()

    async def count(self) -> None:
        async with self._changed:
            self.handled += 1
            self._changed.notify_all()

    async def wait_for(self, total: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.handled >= total)


# Updates whose handlers run at once (more may wait for their chat's turn). More than the
# database pool has connections (10 + 10 overflow) only makes handlers queue for a
# connection, where they time out after 30 s under a backlog (bench.answers at 256:
# "QueuePool limit ... reached" and an error reply instead of the acknowledgement).
WORKING_AT_ONCE = 16


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates from different chats run concurrently; one chat's run in order.

    An answer followed by its edit, or two quick button presses, must not overtake
    each other, but one busy couple must not hold up everybody else.
    """

    def __init__(
        self,
        counter: UpdateCounter,
        max_concurrent_updates: int = 256,
        working_at_once: int = WORKING_AT_ONCE,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._counter = counter
        # Taken after the chat's lock, so updates waiting for their chat hold no slot.
        self._working = asyncio.Semaphore(working_at_once)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat_id = _chat_key(update)
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._waiting[chat_id] = self._waiting.get(chat_id, 0) + 1
        try:
            async with lock, self._working:
                await coroutine
        finally:
            await self._counter.count()
            self._waiting[chat_id] -= 1
            if self._waiting[chat_id] == 0:
                del self._waiting[chat_id]
                del self._locks[chat_id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _chat_key(update: object) -> int:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return 0


def build_application(
    token: str,
    base_url: str,
    base_file_url: str,
    counter: UpdateCounter,
    set_aside: SetAside | None = None,
) -> HearthApplication:
    bot = HearthBot(
        token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1, read_timeout=40),
        set_aside=set_aside or SetAside(),
    )
    return (
        Application.builder().bot(bot).concurrent_updates(PerChatUpdateProcessor(counter)).build()
    )


# Before every other handler: a command ends a step the person had started.
STEPS_GROUP = -1


def register_handlers(
    application: HearthApplication,
    pairing: PairingHandlers,
    rounds: RoundHandlers,
    schedule: ScheduleHandlers,
    topics: TopicHandlers,
    checkins: CheckInHandlers,
    privacy: PrivacyHandlers,
    admin: AdminHandlers,
    conversation: ConversationHandlers,
    zones: ZoneHandlers,
) -> None:
    private = filters.ChatType.PRIVATE
    group_or_channel = filters.ChatType.GROUPS | filters.ChatType.CHANNEL
    answers = filters.TEXT | filters.PHOTO | filters.VOICE | filters.VIDEO | filters.VIDEO_NOTE
    commands = {
        "start": pairing.start,
        "pair": pairing.pair,
        "status": schedule.status,
        "unpair": pairing.unpair,
        "help": pairing.help,
        "time": schedule.time,
        "timezone": schedule.timezone,
        "edit": rounds.edit_command,
        "skip": rounds.skip,
        "history": rounds.history,
        "topics": topics.topics_command,
        "pause": schedule.pause,
        "resume": schedule.resume,
        "reminders": schedule.reminders,
        "checkin": checkins.checkin,
        "checkins": checkins.cadence,
        "trend": checkins.trend,
        "privacy": privacy.privacy_command,
        "mydata": privacy.mydata,
        "deletemydata": privacy.deletemydata,
        "stats": admin.stats,
    }
    buttons = {
        f"^{pairing_keyboards.INVITE}$": pairing.invite_button,
        f"^{pairing_keyboards.ACCEPT_PREFIX}": pairing.accept_button,
        f"^{pairing_keyboards.DECLINE}$": pairing.decline_button,
        f"^{pairing_keyboards.UNPAIR_PREFIX}": pairing.unpair_button,
        f"^{pairing_keyboards.KEEP_PAIR}$": pairing.keep_button,
        f"^{rounds_keyboards.REACTION_PREFIX}": rounds.reaction,
        f"^{rounds_keyboards.HISTORY_PAGE_PREFIX}": rounds.history_page,
        f"^{rounds_keyboards.HISTORY_ROUND_PREFIX}": rounds.history_round,
        f"^{topics_keyboards.TOPIC_PREFIX}": topics.topic_button,
        f"^{checkin_keyboards.RATE_PREFIX}": checkins.rating_button,
        f"^{checkin_keyboards.SKIP_PREFIX}": checkins.skip_button,
        f"^{checkin_keyboards.NOTE_PREFIX}": checkins.note_button,
        f"^{conversation_keyboards.ROUTE_PREFIX}": conversation.route_button,
        f"^{checkin_keyboards.RECONNECT_PREFIX}": checkins.reconnect_button,
        f"^({checkin_keyboards.CADENCE_PREFIX}|{checkin_keyboards.WEEKDAY_PREFIX})": (
            checkins.cadence_button
        ),
        f"^({DELETE_YES}|{DELETE_NO})$": privacy.delete_button,
        f"^{schedule_keyboards.ZONE_PREFIX}": zones.zone_button,
    }
    application.add_handlers(
        [
            ChatMemberHandler(pairing.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageReactionHandler(
                rounds.telegram_reaction,
                message_reaction_types=MessageReactionHandler.MESSAGE_REACTION_UPDATED,
            ),
            MessageHandler(group_or_channel & ~filters.StatusUpdate.ALL, pairing.group_message),
            *(
                CommandHandler(name, callback, filters=private)
                for name, callback in commands.items()
            ),
            *(CallbackQueryHandler(callback, pattern=p) for p, callback in buttons.items()),
            CallbackQueryHandler(pairing.unknown_button),
            MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, rounds.edited),
            MessageHandler(private & filters.COMMAND, pairing.unknown_command),
            MessageHandler(private & filters.UpdateType.MESSAGE & filters.LOCATION, zones.location),
            MessageHandler(private & filters.UpdateType.MESSAGE & answers, conversation.message),
            MessageHandler(
                private & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL,
                pairing.unsupported_message,
            ),
        ]
    )
    application.add_handler(
        MessageHandler(private & filters.COMMAND, conversation.end_steps), group=STEPS_GROUP
    )
    application.add_error_handler(on_error)


async def publish_commands(application: HearthApplication) -> None:
    await application.bot.set_my_commands(
        [BotCommand(command, description) for command, description in texts.COMMANDS]
    )
