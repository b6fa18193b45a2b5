"""Shared set-up for the benchmarks: throw-away databases on both engines, bulk seeding
of people and pairs, settings for a bot pointed at a sandbox, and table printing."""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.migrate import upgrade_to_head
from bot.db.models import ActivePartner, Pair, Person, Round

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-token-for-the-sandbox"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning
POSTGRES_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
ENGINES = ("sqlite", "postgres")


async def _admin_sql(statement: str) -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextmanager
def fresh_database(engine: str) -> Iterator[str]:
    """A migrated, empty database on `engine`, dropped afterwards."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="hearth-bench-") as folder:
            url = f"sqlite+aiosqlite:///{folder}/hearth.db"
            upgrade_to_head(url)
            yield url
        return
    name = f"hearth_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_to_head(url)
        yield url
    finally:
        asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def settings_for(api_root: str, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_url": api_root,
        "database_url": database_url,
        "prompts_dir": ROOT / "prompts",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def seed_pairs(
    url: str,
    count: int,
    *,
    next_prompt_at: datetime | None,
    first_person_id: int = 10_000_000,
    chunk: int = 5_000,
    history_days: int = 0,
) -> list[tuple[int, int, int]]:
    """`count` active pairs (2 people each) inserted with bulk SQL; returns (pair, a, b).

    With `history_days`, each pair also has that many past rounds (one a day, up to the
    day before START), as a pair that has used Hearth for a while does; the prompt decks
    must be synced first."""
    engine = create_engine(url)
    created = START - timedelta(days=max(30, history_days + 1))
    pairs: list[tuple[int, int, int]] = []
    try:
        daily = await _daily_prompt_ids(engine) if history_days else []
        for start in range(0, count, chunk):
            size = min(chunk, count - start)
            people = [
                {
                    "id": first_person_id + 2 * (start + i) + side,
                    "first_name": f"P{start + i}{'ab'[side]}",
                    "prompt_time": time(9, 0),  # each partner's own time
                    "created_at": created,
                    "updated_at": created,
                }
                for i in range(size)
                for side in (0, 1)
            ]
            pair_rows = [
                {
                    "id": start + i + 1,
                    "partner_a_id": first_person_id + 2 * (start + i),
                    "partner_b_id": first_person_id + 2 * (start + i) + 1,
                    "status": "active",
                    "created_at": created,
                    "timezone": "UTC",
                    "prompt_time": time(9, 0),
                    "next_prompt_at": next_prompt_at,
                    "checkin_cadence": "off",
                    "checkin_weekday": 6,
                    "reminders_enabled": True,
                }
                for i in range(size)
            ]
            active = [
                {"person_id": row[key], "pair_id": row["id"]}
                for row in pair_rows
                for key in ("partner_a_id", "partner_b_id")
            ]
            async with engine.begin() as connection:
                await connection.execute(insert(Person.__table__), people)  # type: ignore[attr-defined]
                await connection.execute(insert(Pair.__table__), pair_rows)  # type: ignore[attr-defined]
                await connection.execute(insert(ActivePartner.__table__), active)  # type: ignore[attr-defined]
                if history_days:
                    past = _past_rounds(pair_rows, daily, history_days)
                    await connection.execute(insert(Round.__table__), past)  # type: ignore[attr-defined]
            pairs += [(r["id"], r["partner_a_id"], r["partner_b_id"]) for r in pair_rows]
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:
                await connection.execute(
                    text("SELECT setval(pg_get_serial_sequence('pair', 'id'), :n)"),
                    {"n": count + 1},
                )
                await connection.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return pairs


async def _daily_prompt_ids(engine: Any) -> list[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id FROM prompt WHERE kind = 'daily' AND retired_at IS NULL ORDER BY id")
        )
        return [prompt_id for (prompt_id,) in rows]


def _past_rounds(
    pair_rows: Sequence[dict[str, Any]], daily: Sequence[str], days: int
) -> list[dict[str, Any]]:
    rounds = []
    for row in pair_rows:
        for back in range(days, 0, -1):
            at = START - timedelta(days=back)
            rounds.append(
                {
                    "pair_id": row["id"],
                    "local_date": at.date(),
                    "prompt_id": daily[(row["id"] + back) % len(daily)],
                    "status": "revealed",
                    "created_at": at,
                    "closes_at": at + timedelta(days=3),
                    "revealed_at": at + timedelta(hours=2),
                    "streak": 0,
                }
            )
    return rounds


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
