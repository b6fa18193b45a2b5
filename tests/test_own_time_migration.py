"""The own-time migration: each partner of an existing pair starts with the pair's time as
it reads on their own clock, so nobody's question moves."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time

from alembic import command
from sqlalchemy import Time, bindparam, text

from bot.db.engine import create_engine
from bot.db.migrate import alembic_config
from bot.db.types import UTCDateTime

BEFORE = "96bc5a79f60d"
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def _execute(url: str, sql: str, rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    statement = text(sql).bindparams(
        *(
            bindparam(name, type_=kind)
            for name, kind in (("now", UTCDateTime()), ("at", Time()))
            if f":{name}" in sql
        )
    )
    try:
        async with engine.begin() as connection:
            if not rows:
                return [tuple(r) for r in (await connection.execute(statement)).all()]
            await connection.execute(statement, rows)
            return []
    finally:
        await engine.dispose()


async def test_partners_start_with_the_pairs_time_on_their_own_clock(database_url: str) -> None:
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, BEFORE)
    people = [(1, "Asia/Tokyo"), (2, None), (3, "America/New_York"), (4, None)]
    await _execute(
        database_url,
        "INSERT INTO person (id, first_name, timezone, created_at, updated_at) "
        "VALUES (:id, 'P', :zone, :now, :now)",
        [{"id": pid, "zone": zone, "now": NOW} for pid, zone in people],
    )
    await _execute(
        database_url,
        "INSERT INTO pair (id, partner_a_id, partner_b_id, status, created_at, timezone, "
        "prompt_time, reminders_enabled, checkin_cadence, checkin_weekday) "
        "VALUES (:id, :a, :b, 'active', :now, 'Asia/Tokyo', :at, true, 'off', 6)",
        [
            {"id": 1, "a": 1, "b": 2, "now": NOW, "at": time(20)},
            {"id": 2, "a": 3, "b": 4, "now": NOW, "at": time(20)},
        ],
    )
    await _execute(
        database_url,
        "INSERT INTO active_partner (person_id, pair_id) VALUES (:p, :pair)",
        [{"p": 1, "pair": 1}, {"p": 2, "pair": 1}, {"p": 3, "pair": 2}, {"p": 4, "pair": 2}],
    )
    await asyncio.to_thread(command.upgrade, config, "head")
    times = {
        int(str(pid)): str(at)[:5]
        for pid, at in await _execute(database_url, "SELECT id, prompt_time FROM person", [])
    }
    assert times[1] == "20:00", "Tokyo, as the pair"
    assert times[2] == times[4] == "20:00", "no zone of their own: the pair's stands in"
    assert times[3] in ("06:00", "07:00"), "20:00 in Tokyo on a New York clock"
