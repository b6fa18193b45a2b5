"""Many rows in one parameter: the daily fan-out's inserts.

Executing an INSERT once per row (even as one `executemany`) costs SQLAlchemy and the
driver tens of microseconds a row in Python, which at 100,000 pairs is most of the tick.
Here the rows travel as one JSON array bound to one parameter, and the database unpacks
it (`json_each` on SQLite, `jsonb_array_elements` on PostgreSQL): Python only builds
plain lists and one string. Values that are the same for every row (instants, say) are
ordinary typed parameters, so they are stored exactly as the ORM would store them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


class JsonRows:
    """SQL fragments that read field `i` of each row of the JSON array bound to `:rows`."""

    def __init__(self, session: AsyncSession) -> None:
        bind = session.bind
        self.postgres = bind is not None and bind.dialect.name == "postgresql"

    @property
    def source(self) -> str:
        """The FROM item: one row per array element, its element in `r.value`."""
        if self.postgres:
            return "jsonb_array_elements(CAST(CAST(:rows AS TEXT) AS jsonb)) AS r(value)"
        return "json_each(:rows) AS r"

    def integer(self, index: int) -> str:
        return f"CAST({self._scalar(index)} AS BIGINT)"

    def text(self, index: int) -> str:
        return self._scalar(index)

    def date(self, index: int) -> str:
        # SQLite keeps dates as ISO text, which is what the array holds.
        return f"CAST({self._scalar(index)} AS DATE)" if self.postgres else self._scalar(index)

    def instant(self, index: int) -> str:
        """A UTC instant the array holds as `instant_text` gives it."""
        if self.postgres:
            return f"CAST({self._scalar(index)} AS TIMESTAMP)"
        return self._scalar(index)

    @staticmethod
    def instant_text(instant: datetime) -> str:
        """Naive UTC in SQLAlchemy's SQLite storage format, which PostgreSQL casts too:
        SQLite compares instants as text, so it must be exactly that format."""
        return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def json(self, index: int) -> str:
        if self.postgres:
            return f"CAST(r.value -> {index} AS json)"
        return f"json_extract(r.value, '$[{index}]')"  # an object comes back as JSON text

    def _scalar(self, index: int) -> str:
        if self.postgres:
            return f"(r.value ->> {index})"
        return f"json_extract(r.value, '$[{index}]')"

    @staticmethod
    def encode(rows: Sequence[Sequence[Any]]) -> str:
        return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
