"""Simulated people: users who write to the bot, press its buttons and block it; the groups
and channels they add it to. Each action becomes the update Telegram would send."""

from __future__ import annotations

import re
from typing import NoReturn

from sandbox.html_check import utf16_length
from sandbox.markup import raw_button
from sandbox.media import STAND_IN_CONTENT, STAND_IN_MIME_TYPES, media_object
from sandbox.records import BotMessage, CallbackAnswer, TranscriptEntry, format_transcript
from sandbox.state import JSON, CallbackQueryRecord, ChatRecord, World

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")
RECENT_TURNS = 15  # how much of a chat an assertion message shows


def command_entities(text: str) -> list[JSON]:
    """Telegram apps mark a leading /command, which is what CommandHandler looks for."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_length(match.group())}]


def _emoji_reaction(emoji: str) -> JSON:
    return {"type": "emoji", "emoji": emoji}


def _text_content(text: str) -> JSON:
    content: JSON = {"text": text}
    entities = command_entities(text)
    if entities:
        content["entities"] = entities
    return content


class SimulatedChat:
    """A chat as its people see it: the bot's messages there, read in order.

    `expect()` moves a read cursor, so each call returns the next message not yet read.
    `expect()` and `expect_edit()` return snapshots: a variable keeps the message as it
    was seen, buttons included, even after the bot edits it. `inbox` holds the live ones.
    """

    def __init__(self, world: World, chat_id: int) -> None:
        self._world = world
        self.chat_id = chat_id
        self._read = 0
        self._edits_seen: dict[int, int] = {}

    @property
    def chat(self) -> ChatRecord:
        return self._world.chats[self.chat_id]

    @property
    def title(self) -> str:
        return self.chat.title

    @property
    def inbox(self) -> list[BotMessage]:
        """Every message the bot sent here, deleted ones included (marked `deleted`)."""
        return list(self.chat.bot_messages)

    @property
    def last_message(self) -> BotMessage | None:
        messages = self.chat.bot_messages
        return messages[-1] if messages else None

    @property
    def unread(self) -> list[BotMessage]:
        return self.chat.bot_messages[self._read :]

    # A `timeout` argument (ASYNC109) reads better in tests than wrapping every call.
    async def expect(self, contains: str | None = None, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """The bot's next unread message here.

        `contains` must be in its text or caption, as sent (markup included) or as read.
        """
        messages = self.chat.bot_messages
        arrived = await self._world.changed.wait_until(lambda: len(messages) > self._read, timeout)
        if not arrived:
            self._fail(f"got no new message from the bot within {timeout:g}s")
        message = messages[self._read]
        self._read += 1
        if contains is not None and not message.contains(contains):
            self._fail(f"expected a message containing {contains!r}, got {message.text!r}")
        return message.snapshot()

    async def expect_edit(self, message_id: int, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Wait for the next edit of the bot's message `message_id`; returns it as edited."""
        message = self.chat.bot_message(message_id)
        if message is None:
            self._fail(f"the bot has no message #{message_id} here")
        seen = self._edits_seen.get(message_id, 0)
        edited = await self._world.changed.wait_until(lambda: len(message.edits) > seen, timeout)
        if not edited:
            self._fail(f"message #{message_id} was not edited within {timeout:g}s")
        self._edits_seen[message_id] = seen + 1
        return message.snapshot()

    async def expect_no_message(self, timeout: float = 0.3) -> None:  # noqa: ASYNC109
        """Pass when the bot sends nothing new here within `timeout` seconds."""
        messages = self.chat.bot_messages
        if await self._world.changed.wait_until(lambda: len(messages) > self._read, timeout):
            self._fail(f"expected no message, got {messages[self._read].text!r}")

    def format_transcript(self, last: int | None = None) -> str:
        entries = [e for e in self._world.transcript if e.chat_id == self.chat_id]
        return format_transcript(entries[-last:] if last else entries, self._world.bot_name)

    async def _wait_bot_left(self, timeout: float) -> None:  # noqa: ASYNC109
        left = self._world.left_chats
        if not await self._world.changed.wait_until(lambda: self.chat_id in left, timeout):
            self._fail(f"the bot did not leave within {timeout:g}s")

    def _fail(self, problem: str) -> NoReturn:
        recent = self.format_transcript(last=RECENT_TURNS) or "(nothing yet)"
        raise AssertionError(f"{self.title}: {problem}.\nRecent conversation:\n{recent}")

    # -- what people do here ----------------------------------------------------------

    def _post(self, sender: JSON | None, content: JSON, who: str, shown: str, kind: str) -> JSON:
        """Store a message from a person (or the channel) and queue it if the bot sees it.

        `shown` is how the transcript tells it, under the turn kind `kind`.
        """
        message = self._world.new_message(self.chat, sender, content)
        if self._bot_sees(message):
            update_kind = "channel_post" if self.chat.type == "channel" else "message"
            self._world.updates.push(update_kind, message)
        self._world.note(
            TranscriptEntry(
                chat_id=self.chat_id,
                who=who,
                text=shown,
                kind=kind,
                chat_title=self.title,
                message_id=int(message["message_id"]),
            )
        )
        return dict(message)

    def _bot_sees(self, message: JSON) -> bool:
        return True

    def _press(
        self,
        presser: JSON,
        callback_data: str,
        message_id: int | None,
        require_button: bool,
    ) -> str:
        message = self._message_to_press(callback_data, message_id, require_button)
        query_id = str(4_000_000_000_000 + self._world.next_id())
        self._world.callback_queries[query_id] = CallbackQueryRecord(
            query_id, int(presser["id"]), self.chat_id, message.message_id, callback_data
        )
        self._world.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": presser,
                "message": message.raw,
                "chat_instance": str(abs(self.chat_id) * 7919 + 17),
                "data": callback_data,
            },
        )
        label = next(
            (b.text for row in message.buttons for b in row if b.data == callback_data),
            callback_data,
        )
        self._note_action(presser, f"pressed [{label}]", "press")
        return query_id

    def _message_to_press(
        self, callback_data: str, message_id: int | None, require_button: bool
    ) -> BotMessage:
        live = [m for m in reversed(self.chat.bot_messages) if not m.deleted]
        if message_id is not None:
            live = [m for m in live if m.message_id == message_id]
        with_button = [m for m in live if m.has_callback(callback_data)]
        if with_button:
            return with_button[0]
        if require_button or not live:
            buttons = [b for m in self.chat.bot_messages for row in m.buttons for b in row]
            self._fail(
                f"no message from the bot has a button with callback_data {callback_data!r}; "
                f"buttons here: {buttons}"
            )
        return live[0]

    def _callback_data_of(self, text: str, message_id: int | None) -> str:
        for message in reversed(self.chat.bot_messages):
            if message.deleted or message_id not in (None, message.message_id):
                continue
            button = raw_button(message.raw, text)
            if button is None:
                continue
            if not isinstance(button.get("callback_data"), str):
                self._fail(f"[{text}] is not a callback button, it has nothing to press")
            return str(button["callback_data"])
        self._fail(f"no message from the bot has a button [{text}]")

    def _note_action(self, person: JSON, text: str, kind: str) -> None:
        self._world.note(
            TranscriptEntry(
                chat_id=self.chat_id,
                who=str(person["first_name"]),
                text=text,
                kind=kind,
                chat_title=self.title,
            )
        )


class SimulatedUser(SimulatedChat):
    """A person in a private chat with the bot (the chat id is the user id)."""

    def __init__(self, world: World, user: JSON) -> None:
        super().__init__(world, int(user["id"]))
        self.user = user

    @property
    def id(self) -> int:
        return self.chat_id

    @property
    def first_name(self) -> str:
        return str(self.user["first_name"])

    @property
    def username(self) -> str | None:
        username = self.user.get("username")
        return None if username is None else str(username)

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return list(self._world.callback_answers.get(self.id, []))

    async def send_text(self, text: str) -> JSON:
        """Write `text` to the bot; a leading /command gets its bot_command entity."""
        kind = "command" if command_entities(text) else "message"
        return self._write(_text_content(text), kind, text)

    async def send_command(self, command: str, payload: str | None = None) -> JSON:
        """`/start` or `/start payload` (how a deep link arrives)."""
        command = command if command.startswith("/") else f"/{command}"
        text = command if payload is None else f"{command} {payload}"
        return self._write(_text_content(text), "command", text)

    async def reply_to(self, message_id: int, text: str) -> JSON:
        target = self.chat.messages.get(message_id)
        if target is None:
            self._fail(f"there is no message #{message_id} to reply to")
        reply = {key: value for key, value in target.items() if key != "reply_to_message"}
        return self._write({**_text_content(text), "reply_to_message": reply}, "message", text)

    async def react(self, message_id: int, *emojis: str) -> JSON:
        """Set her emoji reactions on a message (none: take hers away). The bot gets a
        message_reaction update, shaped as Telegram's, if it asked for those."""
        self._ensure_reachable()
        if message_id not in self.chat.messages and self.chat.bot_message(message_id) is None:
            self._fail(f"there is no message #{message_id} to react to")
        key = (message_id, self.id)
        old = self.chat.reactions.get(key, [])
        self.chat.reactions[key] = list(emojis)
        update: JSON = {
            "chat": self.chat.chat,
            "message_id": message_id,
            "user": self.user,
            "date": self._world.now(),
            "old_reaction": [_emoji_reaction(emoji) for emoji in old],
            "new_reaction": [_emoji_reaction(emoji) for emoji in emojis],
        }
        self._world.updates.push("message_reaction", update)
        shown = " ".join(emojis) if emojis else "nothing"
        self._note_action(self.user, f"reacted {shown} to #{message_id}", "reaction")
        return update

    async def edit(self, message_id: int, new_text: str) -> JSON:
        """Edit one of her own messages: the bot gets an edited_message update."""
        message = self.chat.messages.get(message_id)
        if message is None or message.get("from", {}).get("id") != self.id:
            self._fail(f"{self.first_name} has no message #{message_id} to edit")
        message.pop("entities", None)
        message.update(_text_content(new_text), edit_date=self._world.now())
        self._world.updates.push("edited_message", message)
        self._note_action(self.user, f"edited #{message_id}: {new_text}", "edit")
        return dict(message)

    async def press(
        self,
        callback_data: str,
        *,
        message_id: int | None = None,
        require_button: bool = False,
    ) -> str:
        """Press the inline button with `callback_data` on the newest bot message that has it
        (or on message `message_id`). Returns the callback query id.

        When no message has such a button, the data goes with the newest bot message, as a
        tampered client can send it: bots must check what a callback names. Pass
        `require_button=True` to fail instead.
        """
        self._ensure_reachable()
        return self._press(self.user, callback_data, message_id, require_button)

    async def press_button(self, text: str, *, message_id: int | None = None) -> str:
        """Press the button labelled `text` on the newest bot message that shows it."""
        return await self.press(self._callback_data_of(text, message_id), message_id=message_id)

    async def expect_answer(
        self,
        query_id: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """The bot's answerCallbackQuery to press `query_id` (default: her latest press)."""
        if query_id is None:
            mine = [q for q in self._world.callback_queries.values() if q.user_id == self.id]
            if not mine:
                self._fail(f"{self.first_name} has pressed no button")
            query_id = mine[-1].query_id
        answers = self._world.callback_answers.setdefault(self.id, [])

        def answered() -> CallbackAnswer | None:
            return next((a for a in answers if a.callback_query_id == query_id), None)

        if not await self._world.changed.wait_until(lambda: answered() is not None, timeout):
            self._fail(f"the bot did not answer the button press within {timeout:g}s")
        answer = answered()
        assert answer is not None
        return answer

    async def wait_callback_answers(
        self,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[CallbackAnswer]:
        """Wait until the bot has answered `count` of her button presses; returns them all."""
        answers = self._world.callback_answers.setdefault(self.id, [])
        if not await self._world.changed.wait_until(lambda: len(answers) >= count, timeout):
            self._fail(f"{len(answers)} of {count} button presses answered after {timeout:g}s")
        return list(answers)

    async def send_photo(self, caption: str | None = None, *, content: bytes | None = None) -> JSON:
        return self._send_media("photo", caption, content)

    async def send_voice(self, caption: str | None = None, *, content: bytes | None = None) -> JSON:
        return self._send_media("voice", caption, content)

    async def send_video(self, caption: str | None = None, *, content: bytes | None = None) -> JSON:
        return self._send_media("video", caption, content)

    async def send_video_note(self, *, content: bytes | None = None) -> JSON:
        return self._send_media("video_note", None, content)

    async def send_sticker(self, *, content: bytes | None = None) -> JSON:
        return self._send_media("sticker", None, content)

    async def send_document(
        self,
        caption: str | None = None,
        *,
        content: bytes | None = None,
        file_name: str = "notes.pdf",
    ) -> JSON:
        return self._send_media("document", caption, content, file_name)

    @property
    def reply_keyboard(self) -> list[list[JSON]] | None:
        """The reply keyboard the bot shows under the input field, if any."""
        return self.chat.reply_keyboard

    async def send_location(self, latitude: float, longitude: float) -> JSON:
        """Send a location, as Telegram's "share my location" (or the attachment menu)."""
        if self.chat.one_time_keyboard:
            self.chat.reply_keyboard = None
        body: JSON = {"location": {"latitude": latitude, "longitude": longitude}}
        return self._write(body, "media", f"[location] {latitude:.4f}, {longitude:.4f}")

    async def share_location_via_button(self, latitude: float, longitude: float) -> JSON:
        """Tap the reply keyboard's request_location button and share this location (it
        fails if the bot shows no such button)."""
        buttons = [b for row in self.chat.reply_keyboard or [] for b in row]
        if not any(button.get("request_location") for button in buttons):
            self._fail("no reply keyboard button asks for a location")
        return await self.send_location(latitude, longitude)

    async def block_bot(self) -> None:
        """Block the bot: it gets my_chat_member (kicked) and 403 on every send here."""
        self.chat.blocked = True
        self._world.push_bot_membership(self.chat, self.user, "member", "kicked")
        self._note_action(self.user, "blocked the bot", "member")

    async def unblock_bot(self) -> None:
        self.chat.blocked = False
        self._world.push_bot_membership(self.chat, self.user, "kicked", "member")
        self._note_action(self.user, "unblocked the bot", "member")

    def _send_media(
        self, kind: str, caption: str | None, content: bytes | None, file_name: str | None = None
    ) -> JSON:
        record = self._world.add_file(
            kind, content or STAND_IN_CONTENT[kind], file_name, STAND_IN_MIME_TYPES[kind]
        )
        body: JSON = {kind: media_object(kind, record)}
        if caption:
            body["caption"] = caption
        return self._write(body, "media", f"[{kind}] {caption or ''}".rstrip())

    def _write(self, content: JSON, kind: str, shown: str) -> JSON:
        self._ensure_reachable()
        self.chat.started = True
        return self._post(self.user, content, self.first_name, shown, kind)

    def _ensure_reachable(self) -> None:
        if self.chat.blocked:
            self._fail(f"{self.first_name} blocked the bot; call unblock_bot() first")


class SimulatedGroup(SimulatedChat):
    """A group chat. With privacy mode (Telegram's default for bots) the bot sees only
    commands, replies to its messages, mentions of it and service messages."""

    async def add_bot(self, by: SimulatedUser) -> None:
        """`by` adds the bot: my_chat_member (left -> member) and a new_chat_members message."""
        old_status, self.chat.bot_status = self.chat.bot_status, "member"
        self._world.push_bot_membership(self.chat, by.user, old_status, "member")
        content = {"new_chat_members": [self._world.bot_user]}
        self._post(by.user, content, by.first_name, "added the bot", "member")

    async def remove_bot(self, by: SimulatedUser) -> None:
        old_status, self.chat.bot_status = self.chat.bot_status, "kicked"
        self._world.push_bot_membership(self.chat, by.user, old_status, "kicked")
        self._note_action(by.user, "removed the bot", "member")

    async def send_text(self, user: SimulatedUser, text: str) -> JSON:
        kind = "command" if command_entities(text) else "message"
        return self._post(user.user, _text_content(text), user.first_name, text, kind)

    async def send_command(
        self, user: SimulatedUser, command: str, payload: str | None = None
    ) -> JSON:
        command = command if command.startswith("/") else f"/{command}"
        return await self.send_text(user, command if payload is None else f"{command} {payload}")

    async def press(self, user: SimulatedUser, callback_data: str) -> str:
        return self._press(user.user, callback_data, None, False)

    async def wait_left(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has left this group (leaveChat)."""
        await self._wait_bot_left(timeout)

    def _bot_sees(self, message: JSON) -> bool:
        if self.chat.bot_status not in ("member", "administrator"):
            return False
        if not self._world.group_privacy or "text" not in message:
            return True
        text = str(message["text"])
        reply = message.get("reply_to_message") or {}
        mention = f"@{self._world.bot_user.get('username', '')}".lower()
        return (
            bool(command_entities(text))
            or mention in text.lower()
            or reply.get("from", {}).get("id") == self._world.bot_user["id"]
        )


class SimulatedChannel(SimulatedChat):
    """A channel: the bot must be an administrator to post; posts arrive as channel_post."""

    async def add_bot(self, by: SimulatedUser) -> None:
        old_status, self.chat.bot_status = self.chat.bot_status, "administrator"
        self._world.push_bot_membership(self.chat, by.user, old_status, "administrator")
        self._note_action(by.user, "made the bot an administrator", "member")

    async def remove_bot(self, by: SimulatedUser) -> None:
        old_status, self.chat.bot_status = self.chat.bot_status, "left"
        self._world.push_bot_membership(self.chat, by.user, old_status, "left")
        self._note_action(by.user, "removed the bot", "member")

    async def wait_left(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        await self._wait_bot_left(timeout)

    async def post_text(self, text: str) -> JSON:
        return self._post(None, _text_content(text), self.title, text, "message")

    def _bot_sees(self, message: JSON) -> bool:
        return self.chat.bot_status == "administrator"


class Population:
    """The people, groups and channels of one sandbox; asking twice gives the same one."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._users: dict[int, SimulatedUser] = {}
        self._groups: dict[int, SimulatedGroup] = {}
        self._channels: dict[int, SimulatedChannel] = {}

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
    ) -> SimulatedUser:
        if user_id in self._users:
            return self._users[user_id]
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name or f"User {user_id}"}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        chat: JSON = {"type": "private"}
        chat.update(
            {key: user[key] for key in ("id", "first_name", "last_name", "username") if key in user}
        )
        self._world.users[user_id] = user
        self._world.chats[user_id] = ChatRecord(chat=chat, bot_status="member")
        self._users[user_id] = SimulatedUser(self._world, user)
        return self._users[user_id]

    def find_user(self, user_id: int) -> SimulatedUser | None:
        return self._users.get(user_id)

    def group(self, chat_id: int, title: str, *, username: str | None = None) -> SimulatedGroup:
        if chat_id not in self._groups:
            # Supergroup ids start with -100; plain group ids are other negative numbers.
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            self._add_chat(chat_id, title, kind, username)
            self._groups[chat_id] = SimulatedGroup(self._world, chat_id)
        return self._groups[chat_id]

    def channel(self, chat_id: int, title: str, *, username: str | None = None) -> SimulatedChannel:
        if chat_id not in self._channels:
            self._add_chat(chat_id, title, "channel", username)
            self._channels[chat_id] = SimulatedChannel(self._world, chat_id)
        return self._channels[chat_id]

    def _add_chat(self, chat_id: int, title: str, kind: str, username: str | None) -> None:
        if chat_id >= 0:
            raise ValueError("group and channel ids are negative")
        chat: JSON = {"id": chat_id, "title": title, "type": kind}
        if username is not None:
            chat["username"] = username
        self._world.chats[chat_id] = ChatRecord(chat=chat)
