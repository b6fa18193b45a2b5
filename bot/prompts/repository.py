"""SQL for the question library in the database: decks, prompts, retiring them, and the
curator numbers."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import (
    and_,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db.models import (
    Answer,
    DeckRecord,
    PromptRecord,
    Round,
)
from bot.db.sql import dialect_insert, rowcount
from bot.prompts.stats import PromptStat

_UPSERT_CHUNK = 200  # rows per INSERT: stays far below both engines' bound-parameter limits


class PromptRepository:
    """Decks and prompts as synced from the files, and their statistics."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def decks(self) -> Sequence[DeckRecord]:
        return (await self.session.execute(select(DeckRecord))).scalars().all()

    async def prompts(self) -> Sequence[PromptRecord]:
        return (await self.session.execute(select(PromptRecord))).scalars().all()

    async def get(self, prompt_id: str) -> PromptRecord | None:
        return await self.session.get(PromptRecord, prompt_id)

    async def upsert_decks(self, rows: Sequence[dict[str, Any]], now: datetime) -> None:
        """Insert or update decks by id (live again if they were retired)."""
        await self._upsert(DeckRecord, rows, now, inserted_only={})

    async def upsert_prompts(self, rows: Sequence[dict[str, Any]], now: datetime) -> None:
        """Insert or update prompts by id (live again if they were retired)."""
        await self._upsert(PromptRecord, rows, now, inserted_only={"created_at": now})

    async def _upsert(
        self,
        table: type[DeckRecord] | type[PromptRecord],
        rows: Sequence[dict[str, Any]],
        now: datetime,
        inserted_only: dict[str, Any],
    ) -> None:
        # ON CONFLICT makes two replicas syncing at once both succeed.
        for start in range(0, len(rows), _UPSERT_CHUNK):
            chunk = [
                {**row, **inserted_only, "updated_at": now, "retired_at": None}
                for row in rows[start : start + _UPSERT_CHUNK]
            ]
            statement = dialect_insert(self.session, table).values(chunk)
            changed = {
                name: statement.excluded[name]
                for name in chunk[0]
                if name != "id" and name not in inserted_only
            }
            await self.session.execute(
                statement.on_conflict_do_update(index_elements=["id"], set_=changed)
            )

    async def retire_decks(self, deck_ids: Collection[str], now: datetime) -> int:
        if not deck_ids:
            return 0
        result = await self.session.execute(
            update(DeckRecord)
            .where(
                and_(col(DeckRecord.id).in_(list(deck_ids)), col(DeckRecord.retired_at).is_(None))
            )
            .values(retired_at=now, updated_at=now)
        )
        return rowcount(result)

    async def retire_prompts(self, prompt_ids: Collection[str], now: datetime) -> int:
        if not prompt_ids:
            return 0
        result = await self.session.execute(
            update(PromptRecord)
            .where(
                and_(
                    col(PromptRecord.id).in_(list(prompt_ids)),
                    col(PromptRecord.retired_at).is_(None),
                )
            )
            .values(retired_at=now, updated_at=now)
        )
        return rowcount(result)

    async def stats(self, deck_id: str | None = None) -> list[PromptStat]:
        """Per prompt: times sent (a skipped prompt was sent too), rounds both partners
        answered, median answer length (characters of text or caption), times skipped."""
        statement = select(PromptRecord).order_by(col(PromptRecord.id))
        if deck_id is not None:
            statement = statement.where(col(PromptRecord.deck_id) == deck_id)
        rows = (await self.session.execute(statement)).scalars().all()
        shown = await self._count_rounds(col(Round.prompt_id))
        revealed = await self._count_rounds(col(Round.prompt_id), col(Round.status) == "revealed")
        skipped = await self._count_rounds(col(Round.skipped_prompt_id))
        lengths = await self._answer_lengths()
        return [
            PromptStat(
                prompt_id=row.id,
                deck_id=row.deck_id,
                depth=row.depth,
                text=row.text,
                retired=row.retired_at is not None,
                sent=shown.get(row.id, 0) + skipped.get(row.id, 0),
                answered_by_both=revealed.get(row.id, 0),
                median_answer_length=(
                    float(median(lengths[row.id])) if lengths.get(row.id) else None
                ),
                skipped=skipped.get(row.id, 0),
                # Rounds are sent in the prompt's own language until per-pair languages
                # (issue 16) record one per round.
                language=row.language,
            )
            for row in rows
        ]

    async def _count_rounds(self, key: Any, *conditions: Any) -> dict[str, int]:
        statement = select(key, func.count()).where(key.is_not(None), *conditions).group_by(key)
        return {prompt_id: int(count) for prompt_id, count in await self.session.execute(statement)}

    async def _answer_lengths(self) -> dict[str, list[int]]:
        statement = (
            select(col(Round.prompt_id), col(Answer.length))
            .join(Round, col(Round.id) == col(Answer.round_id))
            .where(col(Answer.kind) != "removed")  # erased with /deletemydata
        )
        lengths: dict[str, list[int]] = {}
        for prompt_id, length in await self.session.execute(statement):
            lengths.setdefault(prompt_id, []).append(int(length))
        return lengths
