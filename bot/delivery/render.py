"""Turns a queued outbox row into what Telegram is sent: text parts (split at 4096
characters, never cut) and copies of partners' media.

Each feature registers a renderer per message type (`bot/<feature>/renderers.py`); the
composition root hands the filled `Renderers` to the gateway. A row's JSON is rebuilt into
its message type first, so a renderer only ever sees a typed message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup

from bot.kernel.messages import Message
from bot.telegram.split import split_message

M = TypeVar("M", bound=Message)


@dataclass(frozen=True)
class TextPart:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class CopyPart:
    """A partner's voice note, photo or video, shown with copyMessage."""

    from_chat_id: int
    message_id: int


Part = TextPart | CopyPart


class UnknownKind(Exception):
    pass


def text_parts(text: str, keyboard: InlineKeyboardMarkup | None = None) -> list[Part]:
    """Split long text; the buttons go under the last part."""
    chunks = split_message(text)
    parts: list[Part] = [TextPart(chunk) for chunk in chunks[:-1]]
    parts.append(TextPart(chunks[-1], keyboard))
    return parts


class Renderers:
    """Message kind -> (its type, its renderer)."""

    def __init__(self) -> None:
        self._by_kind: dict[str, tuple[type[Message], Callable[[Any], list[Part]]]] = {}

    def add(self, message_type: type[M], renderer: Callable[[M], list[Part]]) -> None:
        if message_type.kind in self._by_kind:
            raise ValueError(f"two renderers for {message_type.kind}")
        self._by_kind[message_type.kind] = (message_type, renderer)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._by_kind)

    def render(self, kind: str, params: Mapping[str, Any]) -> list[Part]:
        found = self._by_kind.get(kind)
        if found is None:
            raise UnknownKind(kind)
        message_type, renderer = found
        return renderer(message_type.from_params(params))
