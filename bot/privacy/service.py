"""A person's own data: export it (`/mydata`), erase it (`/deletemydata`); and re-encryption
of everyone's words with a new key (`hearth reencrypt`).

What counts as a person's data: their person row, their pairings (the partner by first
name only), their own answers, their own check-in ratings and notes, and the invites they
made. A partner's answers are the partner's words, so they are neither exported nor
erased with this person's; the partner keeps them, and sees this person's side as removed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.people import PairRepository, PersonRepository
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.kernel.clock import Clock
from bot.kernel.people import PersonInfo
from bot.privacy.messages import PartnerLeft
from bot.privacy.repository import PrivacyRepository
from bot.rounds.service import PRIORITY_REPLY, other_partner

EXPORT_VERSION = 1
_KEPT_PARAMS = ("round_id", "checkin_id")  # enough to route a reply to an old message


@dataclass(frozen=True)
class Erased:
    partner_told: bool


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


class PrivacyService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    # --- export -------------------------------------------------------------------------

    async def export(self, person_id: int) -> dict[str, Any] | None:
        """Everything stored about this person, as JSON-ready values (None: nothing)."""
        async with self._uow(read_only=True) as uow:
            person = await PersonRepository(uow.session).get(person_id)
            if person is None:
                return None
            pairs = await PrivacyRepository(uow.session).pairs_of(person_id)
            partner_ids = [other_partner(pair, person_id) for pair in pairs]
            names = await PrivacyRepository(uow.session).first_names(partner_ids)
            answers = await PrivacyRepository(uow.session).answers_of(person_id)
            pair_ids = [pair.id for pair in pairs if pair.id is not None]
            checkins = await PrivacyRepository(uow.session).checkins_of(pair_ids)
            invites = await PrivacyRepository(uow.session).invites_of(person_id)
            written = await PrivacyRepository(uow.session).written_to_partners(person_id)
        side_a = {pair.id: pair.partner_a_id == person_id for pair in pairs}
        return {
            "format": f"hearth-export-{EXPORT_VERSION}",
            "exported_at": self._clock.now().isoformat(),
            "about": (
                "Everything Hearth stores about you. Your partner's answers are their own "
                "words, so they are not included."
            ),
            "person": {
                "telegram_id": person.id,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "username": person.username,
                "language_code": person.language_code,
                "timezone": person.timezone,
                "question_time": _iso(person.prompt_time),
                "blocked_bot_at": _iso(person.blocked_at),
                "first_seen_at": _iso(person.created_at),
                "last_seen_at": _iso(person.updated_at),
            },
            "pairs": [
                {
                    "partner_first_name": names.get(other_partner(pair, person_id), ""),
                    "status": pair.status,
                    "paired_at": _iso(pair.created_at),
                    "ended_at": _iso(pair.ended_at),
                    "timezone": pair.timezone,
                    "question_time": _iso(pair.prompt_time),
                    "paused_until": _iso(pair.paused_until),
                    "reminders": pair.reminders_enabled,
                    "checkin_cadence": pair.checkin_cadence,
                }
                for pair in pairs
            ],
            "answers": [
                {
                    "date": _iso(day),
                    "question": question,
                    "kind": answer.kind,
                    "text": answer.body,
                    "answered_at": _iso(answer.created_at),
                    "changed_at": _iso(answer.updated_at),
                }
                for answer, day, question in answers
            ],
            "checkins": [
                {
                    "date": _iso(checkin.local_date),
                    "rating": checkin.a_rating if side_a[checkin.pair_id] else checkin.b_rating,
                    # An empty note means the note was skipped.
                    "note": (checkin.a_note if side_a[checkin.pair_id] else checkin.b_note) or None,
                    "status": checkin.status,
                }
                for checkin in checkins
            ],
            "replies_to_partner": [
                {
                    "sent_at": _iso(row.created_at),
                    "kind": row.params.get("kind"),
                    "text": row.params.get("body"),
                }
                for row in written
                if row.kind == "relay"
            ],
            "reactions_to_partner": [
                {"sent_at": _iso(row.created_at), "emoji": row.params.get("emoji")}
                for row in written
                if row.kind == "reaction"
            ],
            "invites": [
                {
                    "created_at": _iso(invite.created_at),
                    "expires_at": _iso(invite.expires_at),
                    "status": invite.status,
                    "used_at": _iso(invite.used_at),
                }
                for invite in invites
            ],
        }

    # --- erasure ------------------------------------------------------------------------

    async def erase(self, person: PersonInfo) -> Erased:
        """End an active pair (the partner is told kindly), then erase the person's words,
        ratings, notes, invites and messages; what the partner keeps moves to an
        anonymous stand-in, so a later /start meets a new person."""
        now = self._clock.now()
        async with self._uow() as uow:
            if await PersonRepository(uow.session).get(person.id) is None:
                return Erased(partner_told=False)
            active = await PairRepository(uow.session).active_pair_of(person.id)
            told: tuple[int, int] | None = None  # (pair, partner) to tell, read before erasing
            if active is not None and active.id is not None:
                await PairRepository(uow.session).end(active.id, person.id, now)
                told = (active.id, other_partner(active, person.id))
            pairs = await PrivacyRepository(uow.session).pairs_of(person.id)
            rounds, checkins = await PrivacyRepository(uow.session).subjects_of(
                [pair.id for pair in pairs if pair.id is not None]
            )
            together = [
                (other_partner(pair, person.id), pair.created_at, pair.ended_at or now)
                for pair in pairs
            ]
            await self._scrub_partner_messages(uow, person, together, rounds, checkins)
            stand_in = -(secrets.randbits(52) + 1) if pairs else None  # never a Telegram id
            await PrivacyRepository(uow.session).erase_person(person.id, stand_in, now)
            if told is not None:
                pair_id, partner_id = told
                await uow.outbox.enqueue(
                    recipient_id=partner_id,
                    dedupe_key=f"pair:{pair_id}:{partner_id}:left",
                    message=PartnerLeft(),
                    now=now,
                    priority=PRIORITY_REPLY,
                )
            await uow.commit()
        return Erased(partner_told=told is not None)

    async def _scrub_partner_messages(
        self,
        uow: UnitOfWork,
        person: PersonInfo,
        together: list[tuple[int, datetime, datetime]],
        rounds: set[int],
        checkins: set[int],
    ) -> None:
        """Messages to former partners that carry this person's words or name: unsent
        ones are dropped, sent ones keep only the ids that route a reply. A message that
        names them without an id counts only if sent while the two were paired (a later
        partner may share the name)."""
        names = {person.display_name}
        stored = await PersonRepository(uow.session).get(person.id)
        if stored is not None:
            names.add(stored.first_name)
        drop: list[int] = []
        for row in await PrivacyRepository(uow.session).outbox_for(
            {partner for partner, _, _ in together}
        ):
            params = row.params or {}
            named = params.get("partner_name") in names and any(
                partner == row.recipient_id and start <= row.created_at <= end
                for partner, start, end in together
            )
            tied = (
                params.get("round_id") in rounds
                or params.get("checkin_id") in checkins
                or row.dedupe_key.startswith(f"relay:{person.id}:")
                or named
            )
            if not tied or row.id is None:
                continue
            if row.status in ("pending", "sending"):
                drop.append(row.id)
            else:
                kept = {key: params[key] for key in _KEPT_PARAMS if key in params}
                await PrivacyRepository(uow.session).set_outbox_params(row.id, kept)
        await PrivacyRepository(uow.session).delete_outbox(drop)

    # --- operators --------------------------------------------------------------------------

    async def reencrypt(self) -> int:
        """Write every answer text, note, outbox message and stored webhook update back
        with the current key."""
        total = 0
        for rewrite in ("rewrite_answers", "rewrite_checkins", "rewrite_outbox", "rewrite_inbox"):
            after = 0
            while True:
                async with self._uow() as uow:
                    count, after = await getattr(PrivacyRepository(uow.session), rewrite)(after)
                    await uow.commit()
                if not count:
                    break
                total += count
        return total
