"""What an operator may learn of an update that could not be handled: its kind only."""

from __future__ import annotations

from typing import Any

# The Bot API's update kinds: a key outside this list is never shown (it could be anything).
UPDATE_KINDS = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "message_reaction", "message_reaction_count",
        "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
        "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
        "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
        "removed_chat_boost",
    }
)  # fmt: skip


def update_kind(payload: dict[str, Any]) -> str:
    """`message`, `callback_query`, ... or `unknown`."""
    kinds = sorted(key for key in payload if key in UPDATE_KINDS)
    return kinds[0] if kinds else "unknown"


def update_id_of(payload: dict[str, Any]) -> int | None:
    update_id = payload.get("update_id")
    return update_id if isinstance(update_id, int) and not isinstance(update_id, bool) else None
