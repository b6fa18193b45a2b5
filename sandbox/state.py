"""The sandbox's world: people, chats, messages, files, callback queries and the transcript.

Messages are stored as the JSON objects Telegram sends, so an update and a method's result
hold exactly what a real Telegram would put there.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import ApiError, bad_request, forbidden
from sandbox.records import BotMessage, CallbackAnswer, TranscriptEntry
from sandbox.updates import UpdateQueue
from sandbox.waiting import ChangeSignal

JSON = dict[str, Any]


@dataclass
class ChatRecord:
    """A chat the sandbox knows, and the bot's standing in it."""

    chat: JSON
    started: bool = False  # private chats: the person has written to the bot
    blocked: bool = False  # private chats: the person blocked the bot
    bot_status: str = "left"  # groups and channels: member, administrator, left, kicked
    messages: dict[int, JSON] = field(default_factory=dict)  # everyone's, by message_id
    bot_messages: list[BotMessage] = field(default_factory=list)
    last_message_id: int = 0
    # Each person's emoji reactions, by (message_id, user id): what old_reaction reports.
    reactions: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    # The reply keyboard the person sees under their input field (rows of buttons, as the
    # bot sent them), until the bot removes it or a one-time keyboard is used.
    reply_keyboard: list[list[JSON]] | None = None
    one_time_keyboard: bool = False

    @property
    def id(self) -> int:
        return int(self.chat["id"])

    @property
    def type(self) -> str:
        return str(self.chat["type"])

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    @property
    def title(self) -> str:
        return str(self.chat.get("title") or self.chat.get("first_name") or self.id)

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def bot_message(self, message_id: int) -> BotMessage | None:
        for message in self.bot_messages:
            if message.message_id == message_id and not message.deleted:
                return message
        return None


@dataclass
class FileRecord:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def as_file(self) -> JSON:
        """The File object getFile answers with."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass
class CallbackQueryRecord:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_post_messages",
    "can_edit_messages",
)

_FILE_FOLDERS = {
    "photo": ("photos", ".jpg"),
    "voice": ("voice", ".oga"),
    "video": ("videos", ".mp4"),
    "video_note": ("video_notes", ".mp4"),
    "audio": ("music", ".mp3"),
    "animation": ("animations", ".mp4"),
    "sticker": ("stickers", ".webp"),
    "document": ("documents", ""),
}


class World:
    """Everything the simulated Telegram knows; shared by the Bot API and simulated people."""

    def __init__(self, bot_user: JSON, clock: Callable[[], float] = time.time) -> None:
        self.bot_user = bot_user
        self.clock = clock
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.files: dict[str, FileRecord] = {}
        self.files_by_path: dict[str, FileRecord] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.callback_answers: dict[int, list[CallbackAnswer]] = {}
        self.transcript: list[TranscriptEntry] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.commands: dict[str, list[JSON]] = {}
        self.left_chats: list[int] = []
        self.profile: dict[str, str] = {}  # setMyName, setMyDescription, ...
        self.group_privacy = True  # bots see only commands, mentions and replies in groups
        self.updates = UpdateQueue()
        self.changed = ChangeSignal()
        self._ids = itertools.count(1)

    def now(self) -> int:
        return int(self.clock())

    def next_id(self) -> int:
        """A number unique in this sandbox, for file and callback query ids."""
        return next(self._ids)

    @property
    def bot_name(self) -> str:
        return str(self.bot_user["first_name"])

    # -- chats -----------------------------------------------------------------------

    def find_chat(self, chat_id: int | str) -> ChatRecord | None:
        if isinstance(chat_id, int):
            return self.chats.get(chat_id)
        # "@username" names public groups and channels only, never a person's chat.
        username = chat_id.removeprefix("@").lower()
        for chat in self.chats.values():
            if not chat.is_private and str(chat.chat.get("username", "")).lower() == username:
                return chat
        return None

    def known_chat(self, chat_id: int | str) -> ChatRecord:
        chat = self.find_chat(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def chat_for_bot(self, chat_id: int | str) -> ChatRecord:
        """The chat the bot wants to write to, or the error Telegram gives it."""
        chat = self.known_chat(chat_id)
        _check_bot_may_write(chat)
        return chat

    # -- messages --------------------------------------------------------------------

    def record_call(self, method: str, params: dict[str, Any]) -> None:
        self.calls.append((method, params))
        self.changed.fire()

    def store_message(self, chat: ChatRecord, message: JSON) -> JSON:
        chat.messages[int(message["message_id"])] = message
        return message

    def new_message(self, chat: ChatRecord, sender: JSON | None, content: JSON) -> JSON:
        """A message in `chat` from `sender` (None: the channel itself), stored."""
        message: JSON = {"message_id": chat.next_message_id()}
        if sender is not None:
            message["from"] = sender
        if chat.type == "channel":
            message["sender_chat"] = chat.chat
        message.update(date=self.now(), chat=chat.chat)
        message.update(content)
        return self.store_message(chat, message)

    def push_bot_membership(self, chat: ChatRecord, actor: JSON, old: str, new: str) -> None:
        """Tell the bot its status in `chat` changed (a my_chat_member update)."""
        self.updates.push(
            "my_chat_member",
            {
                "chat": chat.chat,
                "from": actor,
                "date": self.now(),
                "old_chat_member": self.bot_member(old),
                "new_chat_member": self.bot_member(new),
            },
        )

    def bot_member(self, status: str) -> JSON:
        """The bot as a ChatMember with `status`, with the fields Telegram always sends."""
        member: JSON = {"status": status, "user": self.bot_user}
        if status == "kicked":
            member["until_date"] = 0
        if status == "administrator":
            member.update(dict.fromkeys(_ADMIN_RIGHTS, True), can_be_edited=False)
            member["is_anonymous"] = False
        return member

    def add_bot_message(self, message: BotMessage) -> None:
        self.chats[message.chat_id].bot_messages.append(message)
        self.changed.fire()

    def note(self, entry: TranscriptEntry) -> None:
        self.transcript.append(entry)
        self.changed.fire()

    # -- files -----------------------------------------------------------------------

    def add_file(
        self,
        kind: str,
        content: bytes,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> FileRecord:
        number = self.next_id()
        folder, extension = _FILE_FOLDERS.get(kind, ("documents", ""))
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        record = FileRecord(
            file_id=f"SBX-{kind}-{number:06d}-{self.bot_user['id']}",
            file_unique_id=f"U{number:08d}",
            file_path=f"{folder}/file_{number}{extension}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[record.file_id] = record
        self.files_by_path[record.file_path] = record
        return record


def _check_bot_may_write(chat: ChatRecord) -> None:
    if chat.is_private:
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        if not chat.started:
            raise forbidden("bot can't initiate conversation with a user")
        return
    where = f"{chat.type} chat"
    if chat.bot_status == "kicked":
        raise forbidden(f"bot was kicked from the {where}")
    if chat.bot_status == "left":
        raise forbidden(f"bot is not a member of the {where}")
    if chat.type == "channel" and chat.bot_status != "administrator":
        raise ApiError(400, "Bad Request: need administrator rights in the channel chat")
