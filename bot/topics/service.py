"""`/topics`: which daily decks a pair receives, and its relationship stages.

Saved per pair. Every deck starts on except opt-in decks (`enabled_by_default: false`),
which start off. If a pair switches every deck off, the selection treats them all as on
(see `bot.prompts.decks.choose_prompt`) rather than sending nothing. Stages (none chosen
means "not said") let questions written for one situation (`for:`) reach that pair.
"""

from __future__ import annotations

from typing import NamedTuple

from bot.db.people import PairRepository
from bot.db.uow import UnitOfWorkFactory
from bot.kernel.clock import Clock, SystemClock
from bot.kernel.people import PersonInfo
from bot.kernel.results import Refusal, Refused
from bot.notices.service import TOPICS, setting_changed
from bot.prompts.decks import STAGES
from bot.prompts.library import PromptCatalog
from bot.topics.repository import TopicRepository


class Topic(NamedTuple):
    deck_id: str
    title: str
    enabled: bool


class Stage(NamedTuple):
    stage: str
    chosen: bool


# A button's data names a deck, or a stage after this (deck ids never hold a colon).
STAGE_KEY = "stage:"


class TopicService:
    def __init__(
        self, uow: UnitOfWorkFactory, catalog: PromptCatalog, clock: Clock | None = None
    ) -> None:
        self._uow = uow
        self._catalog = catalog
        self._clock = clock or SystemClock()

    async def topics_for(self, pair_id: int, language: str = "en") -> list[Topic]:
        """The live daily decks in file order, each with the pair's on/off choice."""
        async with self._uow(read_only=True) as uow:
            states = await TopicRepository(uow.session).states(pair_id)
        return [
            Topic(deck.id, deck.title, states.get(deck.id, deck.enabled_by_default))
            for deck in self._catalog.decks_of_kind("daily", language)
        ]

    async def stages_for(self, pair_id: int) -> list[Stage]:
        async with self._uow(read_only=True) as uow:
            chosen = (await TopicRepository(uow.session).stages_many([pair_id])).get(
                pair_id, frozenset()
            )
        return [Stage(stage, stage in chosen) for stage in STAGES]

    async def toggle_topic(
        self, pair_id: int, deck_id: str, by: PersonInfo | None = None
    ) -> bool | Refused:
        """Switch one daily deck on or off; returns whether it is now on.

        A deck that is gone (or not a daily deck) answers `Refused(STALE_BUTTON)`: the
        button was pressed on an old /topics message. The caller checks that the presser
        (`by`, whose partner is told) belongs to `pair_id`.
        """
        if deck_id.startswith(STAGE_KEY):
            return await self._toggle_stage(pair_id, deck_id.removeprefix(STAGE_KEY))
        deck = self._catalog.deck(deck_id)
        if deck is None or deck.kind != "daily":
            return Refused(Refusal.STALE_BUTTON)
        async with self._uow() as uow:
            enabled = await TopicRepository(uow.session).toggle(
                pair_id, deck_id, deck.enabled_by_default
            )
            pair = await PairRepository(uow.session).get(pair_id) if by is not None else None
            if by is not None and pair is not None:
                before, after = {deck_id: not enabled}, {deck_id: enabled}
                labels = {deck_id: deck.title}
                now = self._clock.now()
                await setting_changed(uow, pair, by, TOPICS, before, after, now, labels)
            await uow.commit()
        return enabled

    async def _toggle_stage(self, pair_id: int, stage: str) -> bool | Refused:
        if stage not in STAGES:
            return Refused(Refusal.STALE_BUTTON)
        async with self._uow() as uow:
            chosen = await TopicRepository(uow.session).toggle_stage(pair_id, stage)
            await uow.commit()
        return chosen
