"""Turns queued outbox messages (a kind and plain params) into text and buttons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.telegram import texts


@dataclass(frozen=True)
class Rendered:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


Renderer = Callable[[dict[str, Any]], Rendered]

_RENDERERS: dict[str, Renderer] = {
    "paired": lambda p: Rendered(texts.paired_with(p["partner_name"])),
    "unpaired_by_partner": lambda p: Rendered(texts.unpaired_by_partner(p["partner_name"])),
}


class UnknownKind(Exception):
    pass


def render(kind: str, params: dict[str, Any]) -> Rendered:
    renderer = _RENDERERS.get(kind)
    if renderer is None:
        raise UnknownKind(kind)
    return renderer(params)
