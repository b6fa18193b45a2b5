"""How check-ins' outbox messages read in Telegram."""

from __future__ import annotations

from bot.checkins import keyboards, texts
from bot.checkins.messages import (
    CheckInAsk,
    CheckInClosed,
    CheckInNote,
    CheckInReveal,
    ReconnectReminder,
    ReconnectScheduledByPartner,
)
from bot.delivery.render import Part, Renderers, text_parts


def _reveal(message: CheckInReveal) -> list[Part]:
    keyboard = keyboards.reconnect_times(message.checkin_id) if message.reconnect else None
    return text_parts(texts.reveal(message), keyboard)


def register(renderers: Renderers) -> None:
    renderers.add(CheckInAsk, lambda m: text_parts(texts.ASK, keyboards.ratings(int(m.checkin_id))))
    renderers.add(CheckInReveal, _reveal)
    renderers.add(CheckInClosed, lambda m: text_parts(texts.closed(m.partner_name, m.answered)))
    renderers.add(
        CheckInNote, lambda m: text_parts(texts.note_from_partner(m.partner_name, str(m.note)))
    )
    renderers.add(
        ReconnectScheduledByPartner,
        lambda m: text_parts(texts.reconnect_scheduled_by_partner(m.partner_name, m.when or "")),
    )
    renderers.add(
        ReconnectReminder,
        lambda m: text_parts(texts.reconnect_reminder(m.partner_name, m.prompt)),
    )
