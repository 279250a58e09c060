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
from callops.store.records import of_scenario
from callops.store.schema import calls
from callops.store.types import to_millis

__all__ = ["IntervalSeries", "QueueHistory", "QueuedCalls", "arrival_series", "queue_histories", "queued_calls"]

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


def _local_days(start: dt.date, end: dt.date, tz: str, *, field: str
                ) -> tuple[zoneinfo.ZoneInfo, dt.datetime, dt.datetime]:
    """The zone and the instants where local day ``start`` begins and local day ``end`` ends."""
    if end < start:
        raise InvalidInput(f"the range ends ({end}) before it starts ({start})", field=field)
    zone = zoneinfo.ZoneInfo(tz)
    return (zone, dt.datetime.combine(start, dt.time(), zone),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone))


def _floor(local: dt.datetime, grain_min: int) -> dt.datetime:
    minutes = (local.hour * 60 + local.minute) // grain_min * grain_min
    return local.replace(hour=minutes // 60, minute=minutes % 60, second=0, microsecond=0)


def arrival_series(conn: sa.Connection, *, start: dt.date, end: dt.date, tz: str, grain_min: int,
                   queue: str | None = None) -> IntervalSeries:
    """Offered calls per ``grain_min`` interval from ``start`` to ``end`` (inclusive local dates)."""
    if grain_min not in (5, 15, 30, 60, 1440):
        raise InvalidInput("grain must be 5, 15, 30 or 60 minutes or a day", field="grain")
    zone, lo, hi = _local_days(start, end, tz, field="history-to")
    c = calls.c
    query = (sa.select(sa.type_coerce(c.started_at, sa.BigInteger), c.outcome, c.talk_s + c.hold_s + c.acw_s)
             .where(of_scenario(c.scenario, None), c.outcome.in_(_OFFERED), c.started_at >= to_millis(lo),
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


@dataclass(frozen=True, slots=True)
class QueuedCalls:
    """Calls offered to the queue (answered, or abandoned after queueing) as arrays, one entry per call:
    local day (ordinal), local hour of queue entry, answered, wait, handle time (talk + hold + ACW), agent."""

    day: np.ndarray
    hour: np.ndarray
    answered: np.ndarray
    wait_s: np.ndarray
    handle_s: np.ndarray
    agent: np.ndarray


def queued_calls(conn: sa.Connection, *, start: dt.date, end: dt.date, tz: str, queue: str | None = None,
                 weekdays: frozenset[int] | None = None) -> QueuedCalls:
    """Real calls that entered the queue between ``start`` and ``end`` (inclusive local dates), optionally of one
    queue and only on ISO ``weekdays`` (1 = Monday ... 7 = Sunday)."""
    zone, lo, hi = _local_days(start, end, tz, field="to")
    c = calls.c
    # a call answered without queueing has no queue entry: it entered (and was answered) at its answer time
    entered = sa.type_coerce(sa.func.coalesce(c.queue_entered_at, c.answered_at), sa.BigInteger)
    query = (sa.select(entered, c.answered_at.is_not(None), c.wait_s, c.talk_s + c.hold_s + c.acw_s, c.agent)
             .where(of_scenario(c.scenario, None), c.direction == "inbound", entered >= to_millis(lo),
                    entered < to_millis(hi),
                    sa.or_(c.answered_at.is_not(None),
                           sa.and_(c.outcome == Outcome.ABANDONED.value, c.queue_entered_at.is_not(None))))
             .order_by(entered, c.id))
    if queue is not None:
        query = query.where(c.queue == queue)
    day, hour, answered, wait, handle, agent = [], [], [], [], [], []
    for entered_ms, was_answered, wait_s, handle_s, who in conn.execute(query):
        local = dt.datetime.fromtimestamp(entered_ms / 1000, zone)
        if weekdays is not None and local.isoweekday() not in weekdays:
            continue
        day.append(local.toordinal())
        hour.append(local.hour)
        answered.append(bool(was_answered))
        wait.append(float(wait_s or 0.0))
        handle.append(float(handle_s or 0.0))
        agent.append(who or "")
    return QueuedCalls(np.array(day, dtype=np.int64), np.array(hour, dtype=np.int64), np.array(answered, dtype=bool),
                       np.array(wait, dtype=float), np.array(handle, dtype=float), np.array(agent, dtype=str))


@dataclass(frozen=True, slots=True)
class QueueHistory:
    """A queue named by real inbound calls: how many there are and when the first and the last started (UTC)."""

    queue: str
    calls: int
    first_at: dt.datetime
    last_at: dt.datetime


def queue_histories(conn: sa.Connection) -> list[QueueHistory]:
    """Every queue of the real (not simulated) inbound calls, by name, with its calls and their span."""
    c = calls.c
    query = (sa.select(c.queue, sa.func.count(), sa.func.min(c.started_at), sa.func.max(c.started_at))
             .where(of_scenario(c.scenario, None), c.direction == "inbound", c.queue.is_not(None))
             .group_by(c.queue).order_by(c.queue))
    return [QueueHistory(queue=name, calls=int(n), first_at=first, last_at=last)
            for name, n, first, last in conn.execute(query)]
