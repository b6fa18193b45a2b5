"""What Hearth says when it asks where a message goes, and when it saves or passes one on. HTML
parse mode: every piece of user text is escaped.
"""

from __future__ import annotations

from datetime import date
from html import escape

from bot.telegram.texts import name, short_date


def saved(
    partner_name: str,
    question: str,
    *,
    replaced: bool,
    earlier_date: date | None = None,
    revealed: bool = False,
) -> str:
    """The acknowledgement always names the question the answer went to."""
    head = "Updated." if replaced else "Saved."
    when = f" the question from {short_date(earlier_date)}" if earlier_date else ""
    after = (
        "You've both answered, so here are your answers. ✨"
        if revealed
        else f"You'll both see each other's answers once {name(partner_name)} has answered."
    )
    return f"{head} Your answer to{when}:\n<i>{escape(question)}</i>\n\n{after}"


ROUTE_ANSWER = "My answer to today's question"


ROUTE_REPLACE = "Replace my answer"


ROUTE_NOTE = "A note for the check-in"


ROUTE_DROP = "Keep it to myself"


def route_to_partner(partner_name: str) -> str:
    return f"Send it to {partner_name}"


def ask_where(partner_name: str, *, only_partner: bool, answered: bool) -> str:
    if only_partner:
        return (
            "There's no open question right now. "
            f"Would you like me to send this to {name(partner_name)}?"
        )
    if answered:
        return "You've already answered today's question. Where should this message go?"
    return "Where should this message go?"


DROPPED = "Okay, I've kept it to yourself. Nothing was sent."


def relay_sent(partner_name: str) -> str:
    return f"Sent to {name(partner_name)}. 💌"
