"""The daily question for a batch of pairs, with the depth, stage and seasonal rules.

The fan-out calls `choose_many` once per batch: every fact the rules need comes from a
few aggregated queries over the whole batch (never one per pair), and the per-pair work
is set arithmetic on shared `DailyPool`s.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.checkins.repository import CheckInRepository
from bot.db.uow import UnitOfWork
from bot.prompts.decks import Prompt
from bot.prompts.library import PromptCatalog
from bot.prompts.rules import (
    LIGHTER_DAYS,
    LOW_RATING,
    SKIP_DEPTH,
    CoupleFacts,
    choose_seasonal,
    max_depth,
    occasion_on,
)
from bot.rounds.repository import PairHistory, RoundRepository
from bot.topics.repository import TopicRepository


@dataclass(frozen=True)
class PairDay:
    """A pair due a question on its `local_date`; `created_at` is when it paired."""

    pair_id: int
    created_at: datetime
    local_date: date


@dataclass(frozen=True)
class _Facts:
    histories: dict[int, PairHistory]
    disabled: dict[int, set[str]]
    enabled: dict[int, set[str]]
    stages: dict[int, frozenset[str]]
    lows: dict[int, date]


class PromptChooser:
    def __init__(self, catalog: PromptCatalog) -> None:
        self._catalog = catalog

    async def choose_many(
        self, uow: UnitOfWork, days: Sequence[PairDay], now: datetime
    ) -> dict[int, Prompt]:
        """Each pair's question for its day; a pair with nothing left is absent."""
        if not days:
            return {}
        facts = await self._facts(uow, days)
        chosen = {}
        for day in days:
            prompt = self._choose(day, facts, now)
            if prompt is not None:
                chosen[day.pair_id] = prompt
        return chosen

    async def lighter(
        self,
        uow: UnitOfWork,
        pair_id: int,
        created_at: datetime,
        exclude: Collection[str],
        now: datetime,
    ) -> Prompt | None:
        """/skip's "something lighter": depth 1 at most (or the lightest there is)."""
        facts = await self._facts(uow, [PairDay(pair_id, created_at, now.date())])
        return self._catalog.choose_daily(
            pair_id,
            facts.histories[pair_id].prompts,
            (now - created_at).days,
            self._switched_off(pair_id, facts),
            frozenset(exclude),
            max_depth=SKIP_DEPTH,
            stages=facts.stages.get(pair_id, frozenset()),
        )

    async def _facts(self, uow: UnitOfWork, days: Sequence[PairDay]) -> _Facts:
        pair_ids = [day.pair_id for day in days]
        since = min(day.local_date for day in days) - timedelta(days=LIGHTER_DAYS)
        opt_in = bool(self._catalog.opt_in_decks())
        depth_two = self._catalog.daily_ids_at_depth(2)
        return _Facts(
            histories=await RoundRepository(uow.session).histories_with_depth_facts(
                pair_ids, depth_two
            ),
            disabled=await TopicRepository(uow.session).disabled_decks_many(pair_ids),
            enabled=await TopicRepository(uow.session).enabled_decks_many(pair_ids)
            if opt_in
            else {},
            stages=await TopicRepository(uow.session).stages_many(pair_ids),
            lows=await CheckInRepository(uow.session).low_checkins_many(
                pair_ids, since, LOW_RATING
            ),
        )

    def _choose(self, day: PairDay, facts: _Facts, now: datetime) -> Prompt | None:
        pair_id = day.pair_id
        past = facts.histories[pair_id]
        history = past.prompts
        stages = facts.stages.get(pair_id, frozenset())
        occasion = occasion_on(day.local_date, day.created_at.date())
        if occasion is not None:
            seasonal = choose_seasonal(pair_id, self._catalog.seasonal(occasion), history, stages)
            if seasonal is not None:
                return seasonal
        couple = CoupleFacts(
            past.depth_two_answers,
            days_since_low=_days(facts.lows.get(pair_id), day.local_date),
            days_since_skip=_days(past.last_skip, day.local_date),
        )
        age = (now - day.created_at).days
        return self._catalog.choose_daily(
            pair_id,
            history,
            age,
            self._switched_off(pair_id, facts),
            max_depth=max_depth(age, couple),
            stages=stages,
        )

    def _switched_off(self, pair_id: int, facts: _Facts) -> frozenset[str]:
        """Decks switched off by hand, and opt-in decks not switched on."""
        off = frozenset(facts.disabled.get(pair_id, ()))
        opt_in = self._catalog.opt_in_decks()
        if opt_in:
            off |= opt_in - facts.enabled.get(pair_id, set())
        return off


def _days(since: date | None, today: date) -> int | None:
    return None if since is None else (today - since).days
