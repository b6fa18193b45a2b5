"""How a question reads in Telegram (HTML parse mode). Used by the daily rounds and by
`hearth prompts preview`, so a curator sees exactly what a partner will read."""

from __future__ import annotations

from html import escape


def daily_question(deck_title: str, text: str) -> str:
    """Today's question, as both partners receive it."""
    return (
        f"🕯️ <b>Today's question</b> · <i>{escape(deck_title)}</i>\n\n"
        f"{escape(text)}\n\n"
        "Answer here, in words, a voice note or a photo. "
        "You'll see each other's answers once you've both replied."
    )
