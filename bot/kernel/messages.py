"""What the outbox carries: each kind of message is a frozen dataclass (in its feature's
`messages.py`), stored as its fields' JSON and rebuilt from it when it is sent.

Services build messages; renderers (in each feature's `renderers.py`) turn them into what
Telegram is sent. Rows already queued by an older release are plain JSON of the same
field names, so they rebuild the same way; a field an older row lacks takes its default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, ClassVar, Self


@dataclass(frozen=True)
class Message:
    """Base of every outbox message. `kind` names it in the `outbox.kind` column."""

    kind: ClassVar[str]

    def to_params(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        """Rebuild from stored JSON; unknown keys (from a newer or older release) are
        ignored and missing ones take the field's default."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in params.items() if key in names})


@dataclass(frozen=True)
class Queued:
    """One message on its way into the outbox, with where and when it goes."""

    recipient_id: int
    message: Message
    dedupe_key: str
    priority: int = 10
    not_before: datetime | None = None
    # A reply to what the recipient just did: never held for quiet hours.
    direct: bool = False
