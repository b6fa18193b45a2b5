"""Run Alembic migrations from code (start-up, `hearth migrate`, tests).

The migrations live inside the package (`bot/db/migrations`), so an installed wheel can
migrate without the source tree. On PostgreSQL a session-level advisory lock is held
around the upgrade: any number of replicas may start at once; the first migrates, the
others wait for it and then find nothing left to do.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.db.engine import create_engine, is_sqlite

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number; every Hearth process uses the same one ("hearth" in ASCII).
MIGRATION_LOCK_KEY = 0x686561727468

log = logging.getLogger(__name__)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


def upgrade_to_head(database_url: str) -> bool:
    """Apply pending migrations; True if this call changed the schema.

    Blocking: call it before the event loop or in a thread.
    """
    return asyncio.run(_upgrade(database_url))


async def _upgrade(database_url: str) -> bool:
    engine = create_engine(database_url, pool_size=1)
    locked = not is_sqlite(database_url)
    try:
        async with engine.connect() as connection:
            if locked:
                await connection.run_sync(_lock)
                await connection.commit()
            changed = await connection.run_sync(_upgrade_on, database_url)
            await connection.commit()
            if locked:
                # Closing the connection would release the lock too (also after an error).
                await connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                await connection.commit()
            return changed
    finally:
        await engine.dispose()


def _lock(connection: Connection) -> None:
    try_lock = text("SELECT pg_try_advisory_lock(:key)")
    if connection.execute(try_lock, {"key": MIGRATION_LOCK_KEY}).scalar_one():
        return
    log.info("another process is migrating the database; waiting for it")
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


def _upgrade_on(connection: Connection, database_url: str) -> bool:
    config = alembic_config(database_url)
    head = ScriptDirectory.from_config(config).get_current_head()
    if MigrationContext.configure(connection).get_current_revision() == head:
        return False
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
    return True
