"""How pairing's outbox messages read in Telegram."""

from __future__ import annotations

from bot.delivery.render import Renderers, text_parts
from bot.pairing import texts
from bot.pairing.messages import PairedWith, PartnerBack, PartnerBlocked, UnpairedByPartner


def register(renderers: Renderers) -> None:
    renderers.add(PairedWith, lambda m: text_parts(texts.paired_with(m.partner_name)))
    renderers.add(
        UnpairedByPartner, lambda m: text_parts(texts.unpaired_by_partner(m.partner_name))
    )
    renderers.add(PartnerBlocked, lambda m: text_parts(texts.partner_blocked(m.partner_name)))
    renderers.add(PartnerBack, lambda m: text_parts(texts.partner_back(m.partner_name)))
