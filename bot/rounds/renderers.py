"""How the daily rounds' outbox messages read in Telegram."""

from __future__ import annotations

from bot.delivery.render import CopyPart, Part, Renderers, text_parts
from bot.rounds import keyboards, texts
from bot.rounds.messages import Nudge, Question, Reaction, Relay, Reminder, Reveal, RoundClosed
from bot.rounds.question_texts import daily_question


def _question(message: Question) -> list[Part]:
    question = daily_question(message.deck_title, message.text)
    if message.swapped_by:
        question = texts.question_swapped(message.swapped_by) + "\n\n" + question
    return text_parts(question)


def _nudge(message: Nudge) -> list[Part]:
    return text_parts(
        texts.nudge(message.partner_name, message.question if message.earlier else None)
    )


def _reveal(message: Reveal) -> list[Part]:
    partner, mine = message.partner_answer, message.own_answer
    closing = texts.reveal_closing(message.partner_name, mine, message.streak)
    keyboard = keyboards.reactions(message.round_id)
    if partner.kind == "text":
        shown = texts.reveal_with_text(message.question, message.partner_name, partner.body)
        return text_parts(shown + "\n\n" + closing, keyboard)
    parts = text_parts(
        texts.reveal_with_media(message.question, message.partner_name, partner.kind)
    )
    parts.append(CopyPart(partner.chat_id, partner.message_id))
    return parts + text_parts(closing, keyboard)


def _relay(message: Relay) -> list[Part]:
    answer = message.answer
    if answer.kind == "text":
        return text_parts(texts.relayed_text(message.partner_name, answer.body or ""))
    return [
        *text_parts(texts.relayed_media(message.partner_name)),
        CopyPart(answer.chat_id, answer.message_id),
    ]


def register(renderers: Renderers) -> None:
    renderers.add(Question, _question)
    renderers.add(Nudge, _nudge)
    renderers.add(Reveal, _reveal)
    renderers.add(Relay, _relay)
    renderers.add(Reaction, lambda m: text_parts(texts.reaction_received(m.partner_name, m.emoji)))
    renderers.add(Reminder, lambda m: text_parts(texts.reminder(m.question)))
    renderers.add(RoundClosed, lambda m: text_parts(texts.round_closed(m.partner_name, m.question)))
