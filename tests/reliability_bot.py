"""The real bot in a process of its own, for tests that SIGKILL it (not a test module).

    python -m tests.reliability_bot DATABASE_URL API_ROOT

Runs Hearth on the system clock with the send limits lifted and a short outbox lease (so
a killed process's claims come back within seconds), ticks once, prints "ticked", and
serves until killed.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bot.db.engine import create_engine
from bot.db.models import ActivePartner, Pair, Person
from bot.delivery.ratelimit import SendRateLimiter

TOKEN = "123456:TEST-token-for-the-sandbox"
LEASE = timedelta(seconds=4)
PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


async def seed_due_pairs(url: str, count: int, first_id: int, due: datetime) -> None:
    """`count` active pairs of people `first_id`, `first_id + 1`, ..., all due at `due`."""
    engine = create_engine(url)
    created = due - timedelta(days=30)
    people: list[dict[str, Any]] = []
    pairs: list[dict[str, Any]] = []
    active: list[dict[str, Any]] = []
    for n in range(count):
        a, b = first_id + 2 * n, first_id + 2 * n + 1
        for person in (a, b):
            people.append(
                {
                    "id": person,
                    "first_name": f"P{person}",
                    "created_at": created,
                    "updated_at": created,
                }
            )
            active.append({"person_id": person, "pair_id": n + 1})
        pairs.append(
            {
                "id": n + 1,
                "partner_a_id": a,
                "partner_b_id": b,
                "status": "active",
                "created_at": created,
                "timezone": "UTC",
                # Each partner's own time is the due minute: the questions go at once,
                # whatever the hour these tests run at.
                "prompt_time": time(due.hour, due.minute),
                "next_prompt_at": due,
                "checkin_cadence": "off",
                "checkin_weekday": 6,
                "reminders_enabled": True,
            }
        )
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(Person.__table__), people)  # type: ignore[attr-defined]
            await connection.execute(insert(Pair.__table__), pairs)  # type: ignore[attr-defined]
            await connection.execute(insert(ActivePartner.__table__), active)  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def serve(url: str, api_root: str) -> None:
    from bot.app import Hearth
    from bot.config import Settings

    prompts = PROMPTS
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        telegram_api_url=api_root,
        database_url=url,
        prompts_dir=prompts,
    )
    hearth = Hearth(settings, scheduler=False)
    hearth.sender._limiter = SendRateLimiter(1e9, 1e9, chat_burst=1e9)
    hearth.sender._lease = LEASE
    await hearth.start()
    await hearth.tick()
    print("ticked", flush=True)
    while True:
        await asyncio.sleep(0.5)
        hearth.sender.wake()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], sys.argv[2]))
