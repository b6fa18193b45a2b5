"""SQL for /topics: the decks a pair switched on or off, and its relationship stages."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import (
    and_,
    delete,
    not_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db.models import (
    PairStage,
    PairTopic,
)
from bot.db.sql import dialect_insert, rowcount


class TopicRepository:
    """Which daily decks a pair switched off (`/topics`). A deck without a row is on."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def states(self, pair_id: int) -> dict[str, bool]:
        statement = select(col(PairTopic.deck_id), col(PairTopic.enabled)).where(
            col(PairTopic.pair_id) == pair_id
        )
        rows = (await self.session.execute(statement)).all()
        return {deck_id: bool(enabled) for deck_id, enabled in rows}

    async def disabled_decks(self, pair_id: int) -> set[str]:
        statement = select(col(PairTopic.deck_id)).where(
            and_(col(PairTopic.pair_id) == pair_id, col(PairTopic.enabled).is_(False))
        )
        return set((await self.session.execute(statement)).scalars().all())

    async def disabled_decks_many(self, pair_ids: Collection[int]) -> dict[int, set[str]]:
        """The switched-off decks of many pairs in one query (the tick's fan-out)."""
        return await self._decks_many(pair_ids, enabled=False)

    async def enabled_decks_many(self, pair_ids: Collection[int]) -> dict[int, set[str]]:
        """The decks many pairs switched on by hand: opt-in decks count only with a row."""
        return await self._decks_many(pair_ids, enabled=True)

    async def _decks_many(self, pair_ids: Collection[int], *, enabled: bool) -> dict[int, set[str]]:
        result: dict[int, set[str]] = {}
        if not pair_ids:
            return result
        statement = select(col(PairTopic.pair_id), col(PairTopic.deck_id)).where(
            and_(col(PairTopic.pair_id).in_(pair_ids), col(PairTopic.enabled).is_(enabled))
        )
        for pair_id, deck_id in (await self.session.execute(statement)).all():
            result.setdefault(pair_id, set()).add(deck_id)
        return result

    async def stages_many(self, pair_ids: Collection[int]) -> dict[int, frozenset[str]]:
        """The relationship stages of many pairs in one query; a pair without is absent."""
        found: dict[int, set[str]] = {}
        if pair_ids:
            statement = select(col(PairStage.pair_id), col(PairStage.stage)).where(
                col(PairStage.pair_id).in_(pair_ids)
            )
            for pair_id, stage in (await self.session.execute(statement)).all():
                found.setdefault(pair_id, set()).add(stage)
        return {pair_id: frozenset(stages) for pair_id, stages in found.items()}

    async def toggle_stage(self, pair_id: int, stage: str) -> bool:
        """Add or remove one stage; returns whether the pair now has it."""
        removed = await self.session.execute(
            delete(PairStage).where(
                and_(col(PairStage.pair_id) == pair_id, col(PairStage.stage) == stage)
            )
        )
        if rowcount(removed):
            return False
        statement = dialect_insert(self.session, PairStage).values(pair_id=pair_id, stage=stage)
        await self.session.execute(statement.on_conflict_do_nothing())
        return True

    async def clear_stages(self, pair_id: int) -> None:
        await self.session.execute(delete(PairStage).where(col(PairStage.pair_id) == pair_id))

    async def toggle(self, pair_id: int, deck_id: str, default: bool = True) -> bool:
        """Flip one deck in a single statement (two partners pressing at once both count).
        `default` is the deck's state without a row (false for an opt-in deck)."""
        statement = dialect_insert(self.session, PairTopic).values(
            pair_id=pair_id, deck_id=deck_id, enabled=not default
        )
        statement = statement.on_conflict_do_update(
            index_elements=["pair_id", "deck_id"],
            set_={"enabled": not_(col(PairTopic.enabled))},
        ).returning(col(PairTopic.enabled))
        return bool((await self.session.execute(statement)).scalar_one())

    async def set_enabled(self, pair_id: int, deck_id: str, enabled: bool) -> None:
        statement = dialect_insert(self.session, PairTopic).values(
            pair_id=pair_id, deck_id=deck_id, enabled=enabled
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["pair_id", "deck_id"], set_={"enabled": enabled}
            )
        )
