"""Telling the partner, once, that a shared setting changed (reminders, topics, the
check-in cadence). The rule for what is worth telling is bot/notices/rules.py; this
keeps the one waiting notice per reader and setting in the outbox up to date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from bot.db.models import OutboxMessage, Pair
from bot.db.people import PersonRepository
from bot.db.uow import UnitOfWork
from bot.kernel import schedule
from bot.kernel.people import PersonInfo
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
    extra = {"partner_name": person.display_name, "labels": labels or {}}
    # Not a reply to anything the partner did: it waits for the end of their night.
    zone = ZoneInfo(await PersonRepository(uow.session).zone_name_of(partner_id, pair.timezone))
    due = schedule.end_of_quiet_hours(now + NOTICE_DELAY, zone)
    told = partial(fold, before=before, after=after)
    await _update(uow, pair.id, partner_id, setting, (now, due), told, extra)
    await _update(uow, pair.id, person.id, setting, (now, due), partial(seen, state=after), None)


async def _update(
    uow: UnitOfWork,
    pair_id: int,
    recipient_id: int,
    setting: str,
    times: tuple[datetime, datetime],
    change_of: Callable[[Change | None], Change | None],
    extra: dict[str, Any] | None,
) -> None:
    """Rewrite, withdraw or add the waiting notice. `times`: now, and when it is to go.
    `extra` None: only the reader acted, so nothing new is queued and the notice keeps its
    time."""
    now, due = times
    waiting = await NoticeRepository(uow.session).waiting(pair_id, recipient_id, setting)
    change = change_of(_change_of(waiting))
    if waiting is not None and waiting.id is not None:
        if change is None:
            await NoticeRepository(uow.session).withdraw(waiting.id)
            return
        params = _params(setting, change, _merged(waiting.params, extra))
        when = due if extra is not None else waiting.not_before
        if await NoticeRepository(uow.session).rewrite(waiting.id, params, when):
            return
        change = change_of(None)  # the sender took it meanwhile: tell the rest anew
    if change is None or extra is None:
        return
    await NoticeRepository(uow.session).add(
        pair_id=pair_id,
        recipient_id=recipient_id,
        setting=setting,
        params=_params(setting, change, extra),
        now=now,
        not_before=due,
        priority=PRIORITY_REPLY,
    )


def _change_of(waiting: OutboxMessage | None) -> Change | None:
    if waiting is None:
        return None
    return Change(dict(waiting.params["before"]), dict(waiting.params["after"]))


def _merged(old: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    """The newest changer's name; labels of every key the notice has held."""
    if extra is None:
        return old
    return {**old, **extra, "labels": {**(old.get("labels") or {}), **extra["labels"]}}


def _params(setting: str, change: Change, extra: dict[str, Any]) -> dict[str, Any]:
    labels = dict(extra.get("labels") or {})
    return {
        "setting": setting,
        "partner_name": extra["partner_name"],
        "before": change.before,
        "after": change.after,
        "labels": labels,
    }
