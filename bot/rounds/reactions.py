"""Reactions after a reveal, from the buttons under it or from Telegram's own reactions
on it: the partner hears of each emoji once.

Both ways share one outbox key per (round, person, emoji), so the same emoji sent by a
button and again in Telegram, or pressed twice, reaches the partner once, and the person
who pressed is told it was already sent rather than "Sent" for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.models import Pair
from bot.db.people import PairRepository, PersonRepository
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.kernel.clock import Clock
from bot.kernel.people import PersonInfo
from bot.kernel.results import Refusal, Refused
from bot.rounds.messages import Reaction
from bot.rounds.repository import RoundRepository
from bot.rounds.service import PRIORITY_REPLY, REACTIONS, other_partner


@dataclass(frozen=True)
class Reacted:
    partner_name: str
    emoji: str
    already_sent: bool = False  # the partner heard of this emoji before


def reaction_key(round_id: int, person_id: int, emoji: str) -> str:
    # Without Telegram's optional variation selector: ❤️ from a button and ❤ from a
    # reaction are the same heart.
    return f"round:{round_id}:{person_id}:reaction:{emoji.replace(chr(0xFE0F), '')}"


class ReactionService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def react(self, person: PersonInfo, round_id: int, index: int) -> Reacted | Refused:
        """A reaction button under a reveal: only the two partners of that round may use it."""
        if not 0 <= index < len(REACTIONS):
            return Refused(Refusal.STALE_BUTTON)
        async with self._uow() as uow:
            pair = await _revealed_pair(uow, person.id, round_id)
            if pair is None:
                return Refused(Refusal.STALE_BUTTON)
            outcome = await self._relay(uow, pair, person, round_id, REACTIONS[index])
            await uow.commit()
        return outcome

    async def react_in_telegram(
        self, person: PersonInfo, chat_id: int, message_id: int, emojis: list[str]
    ) -> Reacted | None:
        """Telegram's own reaction, with the emojis the person newly added to a message.

        Only a reveal this person was sent counts (found by its recorded Telegram message
        id), and only while its pair is active; other messages and taken-back reactions
        (no new emoji) are left alone."""
        if not emojis or chat_id != person.id:
            return None
        async with self._uow() as uow:
            sent = await uow.outbox.sent_message(person.id, message_id)
            if sent is None or sent.kind != "reveal":
                return None
            round_id = int(sent.params["round_id"])
            pair = await _revealed_pair(uow, person.id, round_id)
            if pair is None:
                return None
            outcome = await self._relay(uow, pair, person, round_id, emojis[0])
            await uow.commit()
        return outcome

    async def _relay(
        self, uow: UnitOfWork, pair: Pair, person: PersonInfo, round_id: int, emoji: str
    ) -> Reacted:
        partner_id = other_partner(pair, person.id)
        key = reaction_key(round_id, person.id, emoji)
        already = await uow.outbox.has_key(key)
        if not already:
            await uow.outbox.enqueue(
                recipient_id=partner_id,
                dedupe_key=key,
                message=Reaction(partner_name=person.display_name, emoji=emoji, round_id=round_id),
                now=self._clock.now(),
                priority=PRIORITY_REPLY,
            )
        partner_name = await PersonRepository(uow.session).display_name_of(partner_id)
        return Reacted(partner_name=partner_name, emoji=emoji, already_sent=already)


async def _revealed_pair(uow: UnitOfWork, person_id: int, round_id: int) -> Pair | None:
    """The active pair of a revealed round, when this person is one of its partners."""
    target = await RoundRepository(uow.session).get(round_id)
    pair = await PairRepository(uow.session).get(target.pair_id) if target else None
    if target is None or pair is None or target.status != "revealed":
        return None
    if pair.status != "active" or person_id not in (pair.partner_a_id, pair.partner_b_id):
        return None
    return pair
