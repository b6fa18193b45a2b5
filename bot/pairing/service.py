"""Pairing: invites, accepting them, status and unpairing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.exc import IntegrityError

from bot.db.models import Invite, Pair
from bot.db.people import PairRepository, PersonRepository, person_and_pair
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.kernel.clock import Clock
from bot.kernel.people import PersonInfo
from bot.kernel.results import Refusal, Refused
from bot.pairing import invites
from bot.pairing.invites import InviteFacts, InviteProblem, InviteStatus
from bot.pairing.messages import PairedWith, UnpairedByPartner
from bot.pairing.repository import InviteRepository

_PROBLEM_TO_REFUSAL = {
    InviteProblem.UNKNOWN: Refusal.INVITE_UNKNOWN,
    InviteProblem.EXPIRED: Refusal.INVITE_EXPIRED,
    InviteProblem.USED: Refusal.INVITE_USED,
    InviteProblem.REVOKED: Refusal.INVITE_REVOKED,
    InviteProblem.OWN_INVITE: Refusal.OWN_INVITE,
    InviteProblem.ALREADY_PAIRED: Refusal.ALREADY_PAIRED,
    InviteProblem.INVITER_PAIRED: Refusal.INVITER_PAIRED,
}


@dataclass(frozen=True)
class InviteCreated:
    token: str
    expires_at: datetime
    revoked_older: bool


@dataclass(frozen=True)
class InvitePreview:
    inviter_name: str


@dataclass(frozen=True)
class Paired:
    pair_id: int
    partner_name: str


@dataclass(frozen=True)
class PairStatus:
    partner_name: str | None
    paired_since: datetime | None
    pair_id: int | None


@dataclass(frozen=True)
class UnpairQuestion:
    pair_id: int
    partner_name: str


@dataclass(frozen=True)
class Unpaired:
    partner_name: str


FirstRound = Callable[[UnitOfWork, Pair, datetime], Awaitable[None]]


@dataclass(frozen=True)
class PairDefaults:
    """Where a new pair's schedule starts until the partners change it."""

    timezone: str = "UTC"
    prompt_time: time = time(20, 0)


class PairingService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        invite_ttl_hours: int,
        defaults: PairDefaults | None = None,
        first_round: FirstRound | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._invite_ttl_hours = invite_ttl_hours
        self._defaults = defaults or PairDefaults()
        self._first_round = first_round

    async def register(self, person: PersonInfo) -> None:
        """Remember someone who wrote to the bot (and that they have not blocked it)."""
        async with self._uow() as uow:
            await PersonRepository(uow.session).upsert(person, self._clock.now())
            await uow.commit()

    async def create_invite(self, person: PersonInfo) -> InviteCreated | Refused:
        now = self._clock.now()
        async with self._uow() as uow:
            await PersonRepository(uow.session).upsert(person, now)
            partner = await self._partner_name(uow, person.id)
            if partner is not None:
                return Refused(Refusal.PAIRED_CANNOT_INVITE, partner_name=partner)
            revoked = await InviteRepository(uow.session).revoke_open_of(person.id)
            token = invites.new_token()
            expires_at = invites.expiry_for(now, self._invite_ttl_hours)
            await InviteRepository(uow.session).add(
                person.id, invites.hash_token(token), now, expires_at
            )
            await uow.commit()
        return InviteCreated(token=token, expires_at=expires_at, revoked_older=revoked > 0)

    async def preview_invite(self, person: PersonInfo, token: str) -> InvitePreview | Refused:
        """What the invitee sees before confirming: nothing changes yet."""
        now = self._clock.now()
        async with self._uow() as uow:
            await PersonRepository(uow.session).upsert(person, now)
            invite = await self._find(uow, token)
            refusal = await self._check(uow, invite, person.id, now)
            await uow.commit()
            if refusal is not None:
                return refusal
            assert invite is not None
            return InvitePreview(
                inviter_name=await PersonRepository(uow.session).display_name_of(invite.inviter_id)
            )

    async def accept_invite(self, person: PersonInfo, token: str) -> Paired | Refused:
        now = self._clock.now()
        async with self._uow() as uow:
            await PersonRepository(uow.session).upsert(person, now)
            invite = await self._find(uow, token, lock=True)
            refusal = await self._check(uow, invite, person.id, now)
            if refusal is not None:
                await uow.commit()
                return refusal
            assert invite is not None
            assert invite.id is not None
            try:
                pair = await PairRepository(uow.session).create(
                    invite.inviter_id,
                    person.id,
                    now,
                    self._defaults.timezone,
                    self._defaults.prompt_time,
                )
            except IntegrityError:
                # Someone else paired one of them in the same instant; the key said no.
                return Refused(Refusal.ALREADY_PAIRED)
            await PersonRepository(uow.session).give_default_time(
                (invite.inviter_id, person.id), self._defaults.prompt_time
            )
            await self._finish_pairing(uow, invite, pair, person, now)
            if self._first_round is not None:
                await self._first_round(uow, pair, now)
            inviter_name = await PersonRepository(uow.session).display_name_of(invite.inviter_id)
            await uow.commit()
        assert pair.id is not None
        return Paired(pair_id=pair.id, partner_name=inviter_name)

    async def status(self, person: PersonInfo) -> PairStatus:
        async with self._uow() as uow:
            await PersonRepository(uow.session).upsert(person, self._clock.now())
            pair = await PairRepository(uow.session).active_pair_of(person.id)
            partner = (
                None
                if pair is None
                else await PersonRepository(uow.session).display_name_of(_other(pair, person.id))
            )
            await uow.commit()
        if pair is None:
            return PairStatus(partner_name=None, paired_since=None, pair_id=None)
        return PairStatus(partner_name=partner, paired_since=pair.created_at, pair_id=pair.id)

    async def ask_to_unpair(self, person: PersonInfo) -> UnpairQuestion | Refused:
        state = await self.status(person)
        if state.pair_id is None or state.partner_name is None:
            return Refused(Refusal.NOT_PAIRED)
        return UnpairQuestion(pair_id=state.pair_id, partner_name=state.partner_name)

    async def unpair(self, person: PersonInfo, pair_id: int) -> Unpaired | Refused:
        """End the pair named by a confirmation button, if it is still this person's pair."""
        now = self._clock.now()
        async with self._uow() as uow:
            pair = await person_and_pair(uow.session, person, now)
            if pair is None or pair.id != pair_id:
                await uow.commit()
                return Refused(Refusal.STALE_BUTTON if pair else Refusal.NOT_PAIRED)
            if not await PairRepository(uow.session).end(pair_id, person.id, now):
                return Refused(Refusal.NOT_PAIRED)
            other_id = _other(pair, person.id)
            partner_name = await PersonRepository(uow.session).display_name_of(other_id)
            await uow.outbox.enqueue(
                recipient_id=other_id,
                dedupe_key=f"pair:{pair_id}:{other_id}:unpaired",
                message=UnpairedByPartner(partner_name=person.display_name),
                now=now,
                priority=0,
            )
            await uow.commit()
        return Unpaired(partner_name=partner_name)

    async def _finish_pairing(
        self, uow: UnitOfWork, invite: Invite, pair: Pair, invitee: PersonInfo, now: datetime
    ) -> None:
        assert invite.id is not None
        assert pair.id is not None
        await InviteRepository(uow.session).mark_used(invite.id, invitee.id, pair.id, now)
        # Any other open invite of either partner is now meaningless.
        await InviteRepository(uow.session).revoke_open_of(invite.inviter_id)
        await InviteRepository(uow.session).revoke_open_of(invitee.id)
        await uow.outbox.enqueue(
            recipient_id=invite.inviter_id,
            dedupe_key=f"pair:{pair.id}:{invite.inviter_id}:paired",
            message=PairedWith(partner_name=invitee.display_name),
            now=now,
            priority=0,
        )

    async def _find(self, uow: UnitOfWork, token: str, *, lock: bool = False) -> Invite | None:
        if not invites.looks_like_token(token):
            return None
        return await InviteRepository(uow.session).by_token_hash(
            invites.hash_token(token), for_update=lock
        )

    async def _check(
        self, uow: UnitOfWork, invite: Invite | None, invitee_id: int, now: datetime
    ) -> Refused | None:
        facts = None
        if invite is not None:
            facts = InviteFacts(
                status=InviteStatus(invite.status),
                expires_at=invite.expires_at,
                inviter_id=invite.inviter_id,
                inviter_is_paired=await PairRepository(uow.session).is_paired(invite.inviter_id),
            )
        invitee_paired = await PairRepository(uow.session).is_paired(invitee_id)
        problem = invites.invite_problem(facts, invitee_id, invitee_paired, now)
        if problem is None:
            return None
        partner = await self._partner_name(uow, invitee_id) if invitee_paired else None
        return Refused(_PROBLEM_TO_REFUSAL[problem], partner_name=partner)

    async def _partner_name(self, uow: UnitOfWork, person_id: int) -> str | None:
        pair = await PairRepository(uow.session).active_pair_of(person_id)
        if pair is None:
            return None
        return await PersonRepository(uow.session).display_name_of(_other(pair, person_id))


def _other(pair: Pair, person_id: int) -> int:
    return pair.partner_b_id if pair.partner_a_id == person_id else pair.partner_a_id
