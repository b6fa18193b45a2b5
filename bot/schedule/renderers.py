"""How the schedule's outbox messages read in Telegram."""

from __future__ import annotations

from bot.delivery.render import Renderers, text_parts
from bot.schedule import keyboards, texts
from bot.schedule.messages import (
    PausedByPartner,
    ResumedByPartner,
    TimeChangedByPartner,
    ZoneQuestion,
)


def register(renderers: Renderers) -> None:
    renderers.add(
        ZoneQuestion,
        lambda m: text_parts(texts.ZONE_QUESTION, keyboards.zone_question(m.options)),
    )
    renderers.add(
        PausedByPartner,
        lambda m: text_parts(texts.paused_by_partner(m.partner_name, m.until_text)),
    )
    renderers.add(ResumedByPartner, lambda m: text_parts(texts.resumed_by_partner(m.partner_name)))
    renderers.add(
        TimeChangedByPartner,
        lambda m: text_parts(texts.time_changed_by_partner(m.partner_name, m.time_text)),
    )
