"""Adherence and conformance measures for the KPI layer: the newest published rosters against the real agent
states, per engine bucket (15/30/60 minutes or a local day) and agent or team.

The counting is :func:`callops.scheduling.adherence.adherence` (what ``callops adherence`` runs) applied to
each bucket: ``scheduled_s``, ``in_adherence_s`` and ``roster_worked_s`` are sums of time clipped to the
bucket, so the buckets of any period add up to the numbers ``callops adherence`` gives for that period.
Overlaps of time with intervals are not something the measure SQL expresses, so this adapter reads the
shifts and states and counts in Python, one week of states at a time (memory bounded by a week's states).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa

from callops.metrics import BucketMeasures, Grain
from callops.scheduling.adherence import adherence_by_bucket
from callops.scheduling.roster_model import RosterShift
from callops.store.rosters import published_shifts, state_spans
from callops.store.schema import agents

__all__ = ["roster_buckets"]

CHUNK_DAYS = 7
_LOCAL_EPOCH = dt.datetime(1970, 1, 1)
_MEASURE_OF = {"scheduled_s": "scheduled_s", "in_adherence_s": "in_adherence_s", "roster_worked_s": "worked_s"}


def _utc(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def _local_ms(naive: dt.datetime) -> int:
    delta = naive - _LOCAL_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000


def _bounds(
    first: dt.date, days: int, width: dt.timedelta, info: zoneinfo.ZoneInfo
) -> tuple[list[dt.datetime], list[int]]:
    """Bucket starts (UTC, ascending, closing with the end of the last day) and their local epoch ms."""
    utc: list[dt.datetime] = []
    local: list[int] = []
    for d in range(days):
        midnight = dt.datetime.combine(first + dt.timedelta(days=d), dt.time())
        t = midnight
        while t < midnight + dt.timedelta(days=1):
            at = t.replace(tzinfo=info).astimezone(dt.UTC)
            if not utc or at > utc[-1]:  # a local time skipped or repeated by a clock change adds no bucket
                utc.append(at)
                local.append(_local_ms(t))
            t += width
    end = dt.datetime.combine(first + dt.timedelta(days=days), dt.time(), info).astimezone(dt.UTC)
    utc.append(end)
    return utc, local


def roster_buckets(
    conn: sa.Connection,
    names: Sequence[str],
    *,
    lo_ms: int,
    hi_ms: int,
    grain: Grain,
    tz: str,
    dims: Sequence[str],
    only_agents: frozenset[str] | None = None,
) -> list[BucketMeasures]:
    """Measures ``names`` (roster measures) per bucket of ``[lo_ms, hi_ms)`` and ``dims`` (team, agent)."""
    info = zoneinfo.ZoneInfo(tz)
    start_at, end_at = _utc(lo_ms), _utc(hi_ms)
    first = start_at.astimezone(info).date()
    total_days = (end_at.astimezone(info).date() - first).days
    width = dt.timedelta(milliseconds=min(grain.bucket_ms, Grain.DAY.bucket_ms))
    team_of: dict[str, str | None] = {}
    if "team" in dims:
        team_of = {str(r.agent_id): r.team for r in conn.execute(sa.select(agents.c.agent_id, agents.c.team))}
    by_chunk: dict[int, list[RosterShift]] = defaultdict(list)
    for shift in published_shifts(conn, start_at, end_at):
        if only_agents is not None and shift.agent not in only_agents:
            continue
        lo = (shift.start_at.astimezone(info).date() - first).days // CHUNK_DAYS
        hi = ((shift.end_at - dt.timedelta(microseconds=1)).astimezone(info).date() - first).days // CHUNK_DAYS
        for chunk in range(max(0, lo), hi + 1):
            by_chunk[chunk].append(shift)
    sums: dict[tuple[int, tuple[str | None, ...]], dict[str, float]] = {}
    for chunk_first in range(0, total_days, CHUNK_DAYS):
        days = min(CHUNK_DAYS, total_days - chunk_first)
        bounds, local = _bounds(first + dt.timedelta(days=chunk_first), days, width, info)
        states = state_spans(conn, bounds[0], bounds[-1])
        if only_agents is not None:
            states = [s for s in states if s.agent in only_agents]
        for i, rows in adherence_by_bucket(by_chunk.get(chunk_first // CHUNK_DAYS, []), states, bounds).items():
            for row in rows:
                agent = row.agent or ""
                key = (local[i], tuple(agent if d == "agent" else team_of.get(agent) for d in dims))
                into = sums.setdefault(key, dict.fromkeys(names, 0.0))
                for name in names:
                    into[name] += float(getattr(row, _MEASURE_OF[name]))
    return [BucketMeasures(bucket, dim_values, values) for (bucket, dim_values), values in sums.items()]
