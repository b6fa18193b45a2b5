"""How privacy's outbox messages read in Telegram."""

from __future__ import annotations

from bot.delivery.render import Renderers, text_parts
from bot.privacy import texts
from bot.privacy.messages import PartnerLeft


def register(renderers: Renderers) -> None:
    renderers.add(PartnerLeft, lambda m: text_parts(texts.PARTNER_LEFT))
