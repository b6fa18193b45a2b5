"""Shared fixtures: the loopback guard, both database engines, the sandbox and the bot.

Database tests run on SQLite and on PostgreSQL. PostgreSQL comes from TEST_DATABASE_URL
(e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test); without it those tests are
skipped with a visible reason, unless HEARTH_REQUIRE_POSTGRES=1 (CI), where they fail.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app import Hearth
from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.migrate import upgrade_to_head
from bot.db.models import metadata
from bot.kernel.clock import FakeClock
from sandbox import BotApiSandbox

TOKEN = "123456:TEST-token-for-the-sandbox"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning

# --- no network beyond loopback -------------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_loopback(address: Any) -> bool:
    if isinstance(address, str | bytes):  # a Unix socket (e.g. PostgreSQL's)
        return True
    host = address[0]
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if not _is_loopback(address):
        raise AssertionError(f"test tried to reach {address!r}: only loopback is allowed")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if not _is_loopback(address):
        raise AssertionError(f"test tried to reach {address!r}: only loopback is allowed")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


# --- databases ------------------------------------------------------------------------

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
REQUIRE_POSTGRES = os.environ.get("HEARTH_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "hearth.db"
    upgrade_to_head(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test session, migrated to head."""
    if not POSTGRES_URL:
        message = "PostgreSQL tests need TEST_DATABASE_URL=postgresql+asyncpg://..."
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    name = f"hearth_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_to_head(url)
        yield url
    finally:
        asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin_sql(statement: str) -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database on each engine."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "hearth.db"
        shutil.copy(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_database")
    asyncio.run(_truncate_all(url))
    yield url


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated SQLite database, for tests that are about something other than SQL."""
    path = tmp_path / "hearth.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


# --- the sandbox and the bot ----------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(token=TOKEN, bot_username="HearthTestBot") as running:
        yield running


def make_settings(api_root: str, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_url": api_root,
        "database_url": database_url,
        "prompts_dir": Path(__file__).resolve().parent.parent / "prompts",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Running:
    hearth: Hearth
    sandbox: BotApiSandbox
    clock: FakeClock

    async def settle(self) -> None:
        """Wait until every update is handled and queued outbox messages have gone out."""
        await asyncio.wait_for(self.hearth.updates.wait_for(self.sandbox.update_count), 10)
        await asyncio.wait_for(self.hearth.sender.wait_idle(), timeout=10)


@pytest.fixture
async def bot(
    sandbox: BotApiSandbox, database_url: str, clock: FakeClock
) -> AsyncIterator[Running]:
    """The real bot, on both engines, talking to the sandbox over HTTP."""
    hearth = Hearth(make_settings(sandbox.api_root, database_url), clock=clock, scheduler=False)
    await hearth.start()
    try:
        yield Running(hearth, sandbox, clock)
    finally:
        await hearth.stop()
