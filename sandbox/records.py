"""What the sandbox records about a conversation, in forms that tests read easily."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Button(NamedTuple):
    """An inline keyboard button: its text, and its callback_data (or its url for links)."""

    text: str
    data: str | None


ButtonRows = list[list[Button]]


@dataclass(frozen=True)
class MessageEdit:
    """The text and buttons a bot message had after one edit."""

    method: str
    text: str
    plain_text: str
    buttons: ButtonRows


@dataclass
class BotMessage:
    """A message the bot sent, as it stands now.

    `text` is its text or caption as the bot sent it, markup included (with `parse_mode`);
    `plain_text` is what the person reads once Telegram has parsed the markup. Edits
    change them and `buttons` in place and are appended to `edits`; `original_text`
    keeps the first version.
    """

    chat_id: int
    message_id: int
    kind: str
    text: str
    plain_text: str
    parse_mode: str | None
    buttons: ButtonRows
    raw: dict[str, Any]
    reply_to_message_id: int | None = None
    copy_of: tuple[int, int] | None = None
    original_text: str = ""
    edits: list[MessageEdit] = field(default_factory=list)
    deleted: bool = False

    def __post_init__(self) -> None:
        if not self.original_text:
            self.original_text = self.text

    @property
    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def find_button(self, text: str) -> Button | None:
        for row in self.buttons:
            for button in row:
                if button.text == text:
                    return button
        return None

    def snapshot(self) -> BotMessage:
        """A copy that later edits and deletes leave as it is."""
        return copy.deepcopy(self)

    def contains(self, fragment: str) -> bool:
        """True when the text as sent or as read holds `fragment`."""
        return fragment in self.text or fragment in self.plain_text

    def has_callback(self, data: str) -> bool:
        return any(button.data == data for row in self.buttons for button in row)

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly view, for the control API."""
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "kind": self.kind,
            "text": self.text,
            "plain_text": self.plain_text,
            "parse_mode": self.parse_mode,
            "buttons": [[list(button) for button in row] for row in self.buttons],
            "reply_to_message_id": self.reply_to_message_id,
            "edits": len(self.edits),
            "deleted": self.deleted,
        }


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery to one button press."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass(frozen=True)
class TranscriptEntry:
    """One turn of the conversation: who did what in which chat.

    `who` is the person's first name, or "bot". `kind` is one of: message, command, media,
    press, edit, answer, delete, member (joins, leaves, blocks), reaction.
    """

    chat_id: int
    who: str
    text: str
    buttons: tuple[str, ...] = ()
    kind: str = "message"
    chat_title: str = ""
    message_id: int | None = None

    def describe(self, bot_name: str) -> str:
        """One readable line, e.g. "Hearth -> Alice: Welcome [Invite my partner]"."""
        buttons = "".join(f" [{text}]" for text in self.buttons)
        if self.who != "bot":
            # Private chats have positive ids, groups and channels negative ones.
            place = "" if self.chat_id > 0 else f" in {self.chat_title}"
            if self.kind in ("message", "command", "media"):
                return f"{self.who}{place}: {self.text}"
            return f"{self.who}{place} {self.text}"
        if self.kind == "message":
            return f"{bot_name} -> {self.chat_title}: {self.text}{buttons}"
        if self.kind == "edit":
            return (
                f"{bot_name} edited #{self.message_id} -> {self.chat_title}: {self.text}{buttons}"
            )
        return f"{bot_name} {self.text}"

    def to_json(self) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "who": self.who,
            "text": self.text,
            "buttons": list(self.buttons),
            "kind": self.kind,
            "chat_title": self.chat_title,
            "message_id": self.message_id,
        }


def format_transcript(entries: Iterable[TranscriptEntry], bot_name: str) -> str:
    return "\n".join(entry.describe(bot_name) for entry in entries)
