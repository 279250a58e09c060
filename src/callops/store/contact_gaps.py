"""Each call's gap to the same caller's next contact, kept with the call (``calls.next_contact_gap_ms``).

First-contact resolution counts an answered call as resolved when the caller did not contact the centre again
(same number, same direction) within the report's window (``--fcr-days``). Computing that at read time needs a
window function over every call of the range and the window after it (sorted by caller): most of the cost of a
month report. So the gap is kept with the call instead, as calls are written:

    refresh_gaps(conn, scenario_col, caller_col, started_col, rows)   # after inserting ``rows``, same transaction

The gap is the milliseconds from the call's start to the start of the caller's next call (the same scenario,
caller number and direction; ties in start ordered by id), kept when it is at most :data:`GAP_HORIZON_MS`
(90 days) and NULL otherwise (no next contact within the horizon, or no caller number). An FCR window up to the
horizon reads the column; a longer one, a team lead's report (where only their agents' calls count) and Parquet
sources still compute the gap with the window function (:func:`callops.store.kpi_query.call_buckets_sql`).

A new call can only change the gaps of the same caller's calls that started at most the horizon before it: the
refresh recomputes, per scenario and chunk of callers, the gaps of their calls from the horizon before the
earliest new call to the latest one (the window read reaching the horizon past it), and writes the ones that
differ. Calls are only ever added (a scenario's calls are deleted with the scenario, whole), so no delete has
gaps to mend. The cached reports need no extra marking: a report with FCR is keyed by its range and the window
after it (:func:`callops.store.kpi_query.read_span_ms`), and a new call inside those days raises their
generation; one after them can only change gaps beyond the window, which FCR counts alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from callops.metrics.zones import DAY_MS
from callops.store.schema import calls

__all__ = ["GAP_HORIZON_DAYS", "GAP_HORIZON_MS", "gap_window", "rebuild_gaps", "refresh_gaps"]

GAP_HORIZON_DAYS = 90
GAP_HORIZON_MS = GAP_HORIZON_DAYS * DAY_MS
_CHUNK = 500  # caller numbers per statement (well inside SQLite's bound parameters)


def gap_window(started: Any) -> Any:
    """``LEAD(started) - started`` over the caller's calls: the gap to the next contact, NULL for the last one."""
    c = calls.c
    return sa.func.lead(started).over(partition_by=(c.caller_number, c.direction), order_by=(started, c.id)) - started


def rebuild_gaps(conn: sa.Connection) -> int:
    """Recompute every call's kept gap from all stored calls (migration 0031, ``callops db rebuild-aggregates``
    after calls were changed outside callops); how many changed."""
    c = calls.c
    started = sa.type_coerce(c.started_at, sa.BigInteger)
    nxt = sa.func.lead(started).over(partition_by=(c.scenario, c.caller_number, c.direction),
                                     order_by=(started, c.id))
    every = (sa.select(c.id.label("id"), sa.case((nxt - started <= sa.literal(GAP_HORIZON_MS, sa.BigInteger),
                                                  nxt - started)).label("gap"))
             .where(c.caller_number.is_not(None)).subquery("every"))
    changed = conn.execute(calls.update()
                           .where(c.id == every.c.id, c.next_contact_gap_ms.is_distinct_from(every.c.gap))
                           .values(next_contact_gap_ms=every.c.gap)).rowcount
    cleared = conn.execute(calls.update().where(c.caller_number.is_(None), c.next_contact_gap_ms.is_not(None))
                           .values(next_contact_gap_ms=None)).rowcount
    return int(changed) + int(cleared)


def refresh_gaps(conn: sa.Connection, rows: Iterable[tuple[str | None, str | None, int]]) -> None:
    """Bring the kept gaps up to date after the calls ``rows`` (each ``(scenario, caller_number, started_ms)``)
    were inserted in this transaction."""
    spans: dict[str | None, tuple[set[str], list[int]]] = {}
    for scenario, caller, started_ms in rows:
        if caller is None:
            continue
        callers, span = spans.setdefault(scenario, (set(), [started_ms, started_ms]))
        callers.add(caller)
        if started_ms < span[0]:
            span[0] = started_ms
        elif started_ms > span[1]:
            span[1] = started_ms
    for scenario, (callers, (lo_ms, hi_ms)) in spans.items():
        names = sorted(callers)
        for at in range(0, len(names), _CHUNK):
            changed = _changed(conn.execute(_around(scenario, names[at:at + _CHUNK], lo_ms, hi_ms)), hi_ms)
            if changed:
                conn.execute(_SET_GAP, changed)


def _around(scenario: str | None, callers: list[str], lo_ms: int, hi_ms: int) -> sa.Select[Any]:
    """The calls of ``callers`` from the horizon before ``lo_ms`` to the horizon after ``hi_ms``, by caller,
    direction and start (ties by id): every call whose gap a new call in ``[lo_ms, hi_ms]`` may change, and the
    calls that can be their next contact."""
    c = calls.c
    started = sa.type_coerce(c.started_at, sa.BigInteger)
    # the scenario compared through coalesce, which no index serves: SQLite (without statistics) would otherwise
    # walk the (scenario, started_at) index over the whole span for every chunk instead of seeking each caller
    return (sa.select(c.id, c.caller_number, c.direction, started, c.next_contact_gap_ms)
            .where(sa.func.coalesce(c.scenario, "") == (scenario or ""), c.caller_number.in_(callers),
                   started >= sa.literal(lo_ms - GAP_HORIZON_MS, sa.BigInteger),
                   started <= sa.literal(hi_ms + GAP_HORIZON_MS, sa.BigInteger))
            .order_by(c.caller_number, c.direction, started, c.id))


def _changed(found: Iterable[Any], hi_ms: int) -> list[dict[str, Any]]:
    """``{"id", "gap"}`` of each call up to ``hi_ms`` whose kept gap differs from the gap to the next call of the
    same caller and direction in ``found`` (sorted as :func:`_around` sorts): the calls after ``hi_ms`` are there
    only as next contacts."""
    out: list[dict[str, Any]] = []
    before: Any = None
    for row in found:
        if before is not None and before[3] <= hi_ms:
            same = row[1] == before[1] and row[2] == before[2]
            gap = row[3] - before[3] if same and row[3] - before[3] <= GAP_HORIZON_MS else None
            if gap != before[4]:
                out.append({"call_id": before[0], "gap": gap})
        before = row
    if before is not None and before[3] <= hi_ms and before[4] is not None:
        out.append({"call_id": before[0], "gap": None})  # the last call: no next contact within the horizon
    return out


_SET_GAP = (calls.update().where(calls.c.id == sa.bindparam("call_id"))
            .values(next_contact_gap_ms=sa.bindparam("gap")))
