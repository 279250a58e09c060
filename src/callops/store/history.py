"""Call history as interval series: the input of forecasting and staffing.

Counts offered calls (calls presented to the ACD) by the local start of their interval, and the
mean handle time of the answered ones. Intervals with no calls inside the range appear with 0,
so a closed hour is visible as zeros rather than as a gap.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.records import Outcome
from callops.store.schema import calls
from callops.store.types import to_millis

__all__ = ["IntervalSeries", "arrival_series"]

_OFFERED = [o.value for o in Outcome if o.offered]
_ANSWERED = [o.value for o in Outcome if o.answered]


@dataclass(frozen=True, slots=True)
class IntervalSeries:
    """Local (naive, in ``tz``) interval starts with offered calls and mean handle time per interval."""

    tz: str
    grain_min: int
    starts: list[dt.datetime]
    calls: np.ndarray
    aht_s: np.ndarray  # NaN where no call was answered


def _floor(local: dt.datetime, grain_min: int) -> dt.datetime:
    minutes = (local.hour * 60 + local.minute) // grain_min * grain_min
    return local.replace(hour=minutes // 60, minute=minutes % 60, second=0, microsecond=0)


def arrival_series(conn: sa.Connection, *, start: dt.date, end: dt.date, tz: str, grain_min: int,
                   queue: str | None = None) -> IntervalSeries:
    """Offered calls per ``grain_min`` interval from ``start`` to ``end`` (inclusive local dates)."""
    if grain_min not in (5, 15, 30, 60, 1440):
        raise InvalidInput("grain must be 5, 15, 30 or 60 minutes or a day", field="grain")
    if end < start:
        raise InvalidInput(f"the range ends ({end}) before it starts ({start})", field="history-to")
    zone = zoneinfo.ZoneInfo(tz)
    lo = dt.datetime.combine(start, dt.time(), zone)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone)
    c = calls.c
    query = (sa.select(sa.type_coerce(c.started_at, sa.BigInteger), c.outcome, c.talk_s + c.hold_s + c.acw_s)
             .where(c.scenario.is_(None), c.outcome.in_(_OFFERED), c.started_at >= to_millis(lo),
                    c.started_at < to_millis(hi)))
    if queue is not None:
        query = query.where(c.queue == queue)
    rows = conn.execute(query).all()
    local_starts: list[dt.datetime] = []
    step = dt.timedelta(minutes=grain_min)
    cursor = lo.replace(tzinfo=None)
    stop = hi.replace(tzinfo=None)
    while cursor < stop:
        local_starts.append(cursor)
        cursor += step
    index = {t: k for k, t in enumerate(local_starts)}
    counts = np.zeros(len(local_starts))
    handle = np.zeros(len(local_starts))
    answered = np.zeros(len(local_starts))
    for started_ms, outcome, handle_s in rows:
        local = dt.datetime.fromtimestamp(started_ms / 1000, zone).replace(tzinfo=None)
        k = index.get(_floor(local, grain_min))
        if k is None:  # a local time skipped or repeated by a DST change
            continue
        counts[k] += 1
        if outcome in _ANSWERED:
            handle[k] += handle_s
            answered[k] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        aht = np.where(answered > 0, handle / np.maximum(answered, 1), np.nan)
    return IntervalSeries(tz=tz, grain_min=grain_min, starts=local_starts, calls=counts, aht_s=aht)
