"""Telling the partner, once, that a shared setting changed (reminders, topics, the
check-in cadence). The rule for what is worth telling is bot/notices/rules.py; this
keeps the one waiting notice per reader and setting in the outbox up to date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from bot.db.models import Pair
from bot.db.people import PersonRepository
from bot.db.uow import UnitOfWork
from bot.kernel import schedule
from bot.kernel.people import PersonInfo
from bot.notices.messages import SettingChanged
from bot.notices.repository import NoticeRepository
from bot.notices.rules import NOTICE_DELAY, Change, State, fold, seen
from bot.rounds.service import PRIORITY_REPLY, other_partner

REMINDERS = "reminders"
TOPICS = "topics"
CADENCE = "cadence"


async def setting_changed(
    uow: UnitOfWork,
    pair: Pair,
    person: PersonInfo,
    setting: str,
    before: State,
    after: State,
    now: datetime,
    labels: dict[str, str] | None = None,
) -> None:
    """`person` changed `setting` from `before` to `after` (only the keys they touched).

    The partner's waiting notice takes the change in (or a new one is queued); the
    changer's own waiting notice forgets what they have just set themselves."""
    assert pair.id is not None
    partner_id = other_partner(pair, person.id)
    changer = _Changer(person.display_name, labels or {})
    # Not a reply to anything the partner did: it waits for the end of their night.
    zone = ZoneInfo(await PersonRepository(uow.session).zone_name_of(partner_id, pair.timezone))
    due = schedule.end_of_quiet_hours(now + NOTICE_DELAY, zone)
    told = partial(fold, before=before, after=after)
    await _update(uow, pair.id, partner_id, setting, (now, due), told, changer)
    await _update(uow, pair.id, person.id, setting, (now, due), partial(seen, state=after), None)


async def _update(
    uow: UnitOfWork,
    pair_id: int,
    recipient_id: int,
    setting: str,
    times: tuple[datetime, datetime],
    change_of: Callable[[Change | None], Change | None],
    changer: _Changer | None,
) -> None:
    """Rewrite, withdraw or add the waiting notice. `times`: now, and when it is to go.
    `changer` None: only the reader acted, so nothing new is queued and the notice keeps its
    time."""
    now, due = times
    waiting = await NoticeRepository(uow.session).waiting(pair_id, recipient_id, setting)
    told = None if waiting is None else SettingChanged.from_params(waiting.params)
    change = change_of(None if told is None else Change(dict(told.before), dict(told.after)))
    if waiting is not None and waiting.id is not None and told is not None:
        if change is None:
            await NoticeRepository(uow.session).withdraw(waiting.id)
            return
        notice = _notice(setting, change, _merged(told, changer))
        when = due if changer is not None else waiting.not_before
        if await NoticeRepository(uow.session).rewrite(waiting.id, notice, when):
            return
        change = change_of(None)  # the sender took it meanwhile: tell the rest anew
    if change is None or changer is None:
        return
    await NoticeRepository(uow.session).add(
        pair_id=pair_id,
        recipient_id=recipient_id,
        setting=setting,
        message=_notice(setting, change, changer),
        now=now,
        not_before=due,
        priority=PRIORITY_REPLY,
    )


@dataclass(frozen=True)
class _Changer:
    """Who the notice names, and the titles of the decks it mentions."""

    partner_name: str
    labels: dict[str, str]


def _merged(told: SettingChanged, changer: _Changer | None) -> _Changer:
    """The newest changer's name; labels of every key the notice has held."""
    if changer is None:
        return _Changer(told.partner_name, told.labels)
    return _Changer(changer.partner_name, {**told.labels, **changer.labels})


def _notice(setting: str, change: Change, changer: _Changer) -> SettingChanged:
    return SettingChanged(
        setting=setting,
        partner_name=changer.partner_name,
        before=change.before,
        after=change.after,
        labels=dict(changer.labels),
    )
