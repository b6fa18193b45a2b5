"""Replicas starting together: several processes migrate one fresh PostgreSQL database at
once; an advisory lock lets exactly one of them migrate while the others wait."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db.engine import create_engine
from bot.db.migrate import alembic_config

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
REPLICAS = 4

# Each child imports everything, says "ready", then waits for "go" so all start together.
_CHILD = """
import sys
from bot.db.migrate import upgrade_to_head
print("ready", flush=True)
sys.stdin.readline()
print("migrated" if upgrade_to_head(sys.argv[1]) else "up to date", flush=True)
"""


async def _admin(statement: str) -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """An empty, unmigrated PostgreSQL database, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL=postgresql+asyncpg://...")
    name = f"hearth_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _revision(url: str) -> str | None:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()


@pytest.mark.postgres
def test_replicas_migrating_at_once_take_turns(fresh_postgres: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, fresh_postgres],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(REPLICAS)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        results = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            child.kill()
    for child, (_out, err) in zip(children, results, strict=True):
        assert child.returncode == 0, err
    outcomes = sorted(out.strip() for out, _err in results)
    assert outcomes == ["migrated"] + ["up to date"] * (REPLICAS - 1)
    head = ScriptDirectory.from_config(alembic_config(fresh_postgres)).get_current_head()
    assert asyncio.run(_revision(fresh_postgres)) == head


def test_sqlite_upgrade_reports_whether_it_changed_anything(tmp_path: Path) -> None:
    from bot.db.migrate import upgrade_to_head

    url = f"sqlite+aiosqlite:///{tmp_path}/hearth.db"
    assert upgrade_to_head(url) is True
    assert upgrade_to_head(url) is False
