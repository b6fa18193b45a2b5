"""Small SQL helpers every repository shares: an INSERT that understands ON CONFLICT on
both engines, row counts, and instants and times as the two drivers return them."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.bulk import JsonRows


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that understands ON CONFLICT on both engines."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def rowcount(result: Any) -> int:
    """Rows touched by an UPDATE or DELETE (the async Result hides the cursor's type)."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def earliest(*instants: datetime | None) -> datetime | None:
    known = [instant for instant in instants if instant is not None]
    return min(known) if known else None


def instant_or_none(instant: datetime | None) -> str | None:
    return None if instant is None else JsonRows.instant_text(instant)


def as_time(value: Any) -> time:
    """SQLite hands a time back as text from a raw expression (COALESCE); PostgreSQL as a time."""
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def as_utc(value: Any) -> datetime | None:
    """min() over a UTC column comes back naive (SQLite) or as text; make it an instant."""
    if value is None:
        return None
    instant = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
