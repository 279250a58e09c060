"""Calls per local day: the newest day with calls and the daily counts of the days before it.

The database groups calls into 15-minute UTC buckets (at most 96 a day, on the ``started_at``
index); Python assigns each bucket to its day in ``tz``, so days follow the zone's own midnight
(DST included) on SQLite and PostgreSQL alike. Every call matching the filter counts (any
direction and outcome); the filter's ``scenario`` chooses real calls (None) or a saved scenario's.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from callops.metrics import local_range_ms, zone
from callops.store.records import CallFilter
from callops.store.schema import calls
from callops.store.types import from_millis

__all__ = ["calls_per_day", "last_day_with_calls"]

_BUCKET_MS = 15 * 60 * 1000


def last_day_with_calls(conn: sa.Connection, flt: CallFilter, *, tz: str) -> dt.date | None:
    """The day in ``tz`` of the newest call matching ``flt`` (one index lookup), or None without calls."""
    last = conn.execute(sa.select(sa.func.max(calls.c.started_at)).where(flt.where())).scalar()
    return None if last is None else last.astimezone(zone(tz)).date()


def calls_per_day(conn: sa.Connection, flt: CallFilter, *, tz: str, days: int = 30) -> list[tuple[dt.date, int]]:
    """``(day in tz, calls)`` for the ``days`` days ending on the day of the newest call matching ``flt``, oldest
    first and zeros included; empty without calls."""
    last_day = last_day_with_calls(conn, flt, tz=tz)
    if last_day is None:
        return []
    first_day = last_day - dt.timedelta(days=days - 1)
    lo_ms, hi_ms = local_range_ms(first_day, last_day, tz)
    raw = sa.type_coerce(calls.c.started_at, sa.BigInteger)
    bucket = (raw - raw % _BUCKET_MS).label("bucket")
    query = (sa.select(bucket, sa.func.count().label("n"))
             .where(flt.where(), raw >= lo_ms, raw < hi_ms)
             .group_by(bucket))
    local = zone(tz)
    totals = {first_day + dt.timedelta(days=i): 0 for i in range(days)}
    for row in conn.execute(query):
        day = from_millis(int(row.bucket)).astimezone(local).date()
        if day in totals:
            totals[day] += int(row.n)
    return sorted(totals.items())
