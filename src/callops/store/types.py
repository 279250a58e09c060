"""Column types: datetimes are stored as integer milliseconds since the Unix epoch (UTC).

Integers compare, subtract and bucket the same way on SQLite, PostgreSQL, DuckDB and Parquet,
so one KPI definition in SQL runs unchanged on each engine. The type converts to and from
timezone-aware UTC datetimes for Python code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

__all__ = ["EpochMillis", "to_millis", "from_millis"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def to_millis(value: dt.datetime) -> int:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} cannot be stored: its zone is unknown")
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_millis(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(milliseconds=value)


class EpochMillis(sa.types.TypeDecorator[dt.datetime]):
    """A timezone-aware datetime kept as BIGINT epoch milliseconds."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> int | None:
        if value is None or isinstance(value, int):
            return value
        return to_millis(value)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> dt.datetime | None:
        return None if value is None else from_millis(int(value))
