"""Calls per local day over the last days of data, for the home-page chart.

The database groups calls into 15-minute UTC buckets (at most 96 a day, on the ``started_at``
index); Python assigns each bucket to its day in the viewer's zone, so days follow the zone's
own midnight (DST included) on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import sqlalchemy as sa

from callops.store.records import CallFilter
from callops.store.schema import calls
from callops.store.types import from_millis

__all__ = ["calls_per_day", "last_day_with_calls"]

_BUCKET_MS = 15 * 60 * 1000


def last_day_with_calls(conn: sa.Connection, flt: CallFilter, tz: zoneinfo.ZoneInfo) -> dt.date | None:
    """The local day of the newest matching call (one index lookup), or None without calls."""
    last = conn.execute(sa.select(sa.func.max(calls.c.started_at)).where(flt.where())).scalar()
    return None if last is None else last.astimezone(tz).date()


def calls_per_day(conn: sa.Connection, flt: CallFilter, tz: zoneinfo.ZoneInfo, *,
                  days: int = 30) -> list[tuple[dt.date, int]]:
    """``(local day, calls)`` for the ``days`` days ending on the day of the newest matching call."""
    last_day = last_day_with_calls(conn, flt, tz)
    if last_day is None:
        return []
    first_day = last_day - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first_day, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    raw = sa.type_coerce(calls.c.started_at, sa.BigInteger)
    bucket = (raw - raw % _BUCKET_MS).label("bucket")
    query = (sa.select(bucket, sa.func.count().label("n")).where(flt.where(), calls.c.started_at >= start)
             .group_by(bucket))
    totals = {first_day + dt.timedelta(days=i): 0 for i in range(days)}
    for row in conn.execute(query):
        day = from_millis(int(row.bucket)).astimezone(tz).date()
        if day in totals:
            totals[day] += int(row.n)
    return sorted(totals.items())
