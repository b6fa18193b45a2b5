"""What Hearth says around the daily question: the nudge, the reveal, relays, reactions,
reminders, /edit, /skip and /history. HTML parse mode: every piece of user text is escaped.
"""

from __future__ import annotations

from html import escape

from bot.kernel.words import plural
from bot.rounds.messages import SharedAnswer
from bot.telegram.texts import MEDIA_WORDS, name


def nudge(partner_name: str, earlier_question: str | None = None) -> str:
    if earlier_question:
        return (
            f"{name(partner_name)} has answered an earlier question:\n"
            f"<i>{escape(earlier_question)}</i>\n\n"
            "Reply to this message to answer it and see theirs."
        )
    return f"{name(partner_name)} has answered today's question; answer to see theirs."


def reveal_with_text(question: str, partner_name: str, body: str | None) -> str:
    return (
        "✨ <b>You've both answered.</b>\n\n"
        f"<i>{escape(question)}</i>\n\n"
        f"{name(partner_name)}:\n{escape(body or '')}"
    )


def reveal_with_media(question: str, partner_name: str, kind: str) -> str:
    return (
        "✨ <b>You've both answered.</b>\n\n"
        f"<i>{escape(question)}</i>\n\n"
        f"{name(partner_name)} answered with {MEDIA_WORDS.get(kind, 'a message')}:"
    )


def reveal_closing(partner_name: str, own: SharedAnswer, streak: int) -> str:
    if own.kind == "text":
        mine = f"<b>You</b>:\n{escape(own.body or '')}"
    else:
        mine = f"<b>You</b> answered with {MEDIA_WORDS.get(own.kind, 'a message')}."
    celebration = f"\n\n{streak_line(streak)}" if streak >= 2 else ""
    return (
        f"{mine}{celebration}\n\n"
        f"Reply to this message to tell {name(partner_name)} something, or send a reaction."
    )


def streak_line(streak: int) -> str:
    # Questions, not days: a pause freezes the streak (bot/rounds/rules.py).
    line = f"🔥 {plural(streak, 'question', 'questions')} in a row answered together."
    if streak >= 30:
        return f"{line} What a habit you've built."
    if streak >= 7:
        return f"{line} Lovely."
    return line


def relayed_text(partner_name: str, body: str) -> str:
    return f"💬 {name(partner_name)} replied:\n{escape(body)}"


def relayed_media(partner_name: str) -> str:
    return f"💬 {name(partner_name)} replied:"


def reaction_received(partner_name: str, emoji: str) -> str:
    return f"{name(partner_name)} reacted {emoji} to your answer."


def reaction_sent(partner_name: str, emoji: str, already_sent: bool = False) -> str:
    if already_sent:
        return f"You've already sent {emoji} to {partner_name}"
    return f"Sent {emoji} to {partner_name}"


def reminder(question: str) -> str:
    return (
        "A gentle reminder: today's question is waiting for you, whenever you have a moment.\n\n"
        f"<i>{escape(question)}</i>"
    )


def round_closed(partner_name: str, question: str) -> str:
    return (
        f"This question has closed before {name(partner_name)} answered: "
        f"<i>{escape(question)}</i>\n\n"
        "Your answer stays private; it won't be shown. Busy weeks happen. "
        "A new question comes tomorrow."
    )


def edit_started(question: str) -> str:
    return (
        f"Send your new answer to <i>{escape(question)}</i> and it will replace the old one. "
        "(Within ten minutes; any command cancels.)"
    )


def question_swapped(partner_name: str) -> str:
    return f"{name(partner_name)} swapped today's question for a different one:"


def skipped(question: str) -> str:
    return (
        "Here's a different question for today. Your partner gets it too.\n\n"
        f"<i>{escape(question)}</i>"
    )


def history_header(page: int, pages: int) -> str:
    return f"Your past questions (page {page + 1} of {pages}). Tap one to see both answers again."


HISTORY_EMPTY = "Nothing here yet. Once you've both answered a question, it appears here."


def history_round_text(question: str, day_text: str) -> str:
    return f"🗓️ {escape(day_text)}\n<i>{escape(question)}</i>"


def history_answer(who: str, kind: str, body: str | None) -> str:
    if kind == "removed":
        return history_missing(who)
    if kind == "text":
        return f"{name(who)}:\n{escape(body or '')}"
    return f"{name(who)} answered with {MEDIA_WORDS.get(kind, 'a message')}:"


def history_missing(who: str) -> str:
    # Only an erased person's answer is removed (/deletemydata); their name went with it.
    return "Your former partner's answer was removed at their request."
