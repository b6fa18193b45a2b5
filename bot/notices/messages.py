"""The notice a partner gets when the other changed a shared setting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.kernel.messages import Message


@dataclass(frozen=True)
class SettingChanged(Message):
    """`before` and `after` are the setting's values (reminders: {"enabled": bool};
    topics: deck id -> on; cadence: its fields), so changes within a few minutes fold into
    one notice and an undone change tells nobody. `labels`: deck titles by id."""

    kind = "setting_changed"
    setting: str
    partner_name: str
    before: dict[str, Any]
    after: dict[str, Any]
    labels: dict[str, str] = field(default_factory=dict)
