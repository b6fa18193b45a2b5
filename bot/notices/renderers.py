"""How a notice about a shared setting reads in Telegram."""

from __future__ import annotations

from bot.delivery.render import Renderers, text_parts
from bot.notices import texts
from bot.notices.messages import SettingChanged


def register(renderers: Renderers) -> None:
    renderers.add(SettingChanged, lambda m: text_parts(texts.setting_changed(m)))
