"""Each call's gap to the same caller's next contact, kept with the call (``calls.next_contact_gap_ms``).

First-contact resolution counts an answered call as resolved when the caller did not contact the centre again
(same number, same direction) within the report's window (``--fcr-days``). Computing that at read time needs a
window function over every call of the range and the window after it (sorted by caller): most of the cost of a
month report. So the gap is kept with the call instead, as calls are written, in the writer's transaction:

    gaps_of_new(conn, new)      # an import, before inserting: the new calls' gaps; the stored calls' gaps mended
    refresh_gaps(conn, rows)    # the live path, after inserting a few calls: the gaps around them mended
    rebuild_gaps(conn)          # every gap from all stored calls (migration 0031, ``callops db rebuild-aggregates``)

The gap is the milliseconds from the call's start to the start of the caller's next call (the same scenario,
caller number and direction; ties in start ordered by id), kept when it is at most :data:`GAP_HORIZON_MS`
(90 days) and NULL otherwise (no next contact within the horizon, or no caller number). An FCR window up to the
horizon reads the column; a longer one, a team lead's report (where only their agents' calls count) and Parquet
sources still compute the gap with the window function (:func:`callops.store.kpi_query.call_buckets_sql`).

A new call can only change the gaps of the same caller's calls that started at most the horizon before it: per
scenario and chunk of callers, their stored calls from the horizon before the earliest new call to the horizon
after the latest are read and walked with the new ones in order, and the stored gaps that differ are written.
Calls are only ever added (a scenario's calls are deleted with the scenario, whole), so no delete has gaps to
mend. The cached reports need no extra marking: a report with FCR is keyed by its range and the window
after it (:func:`callops.store.kpi_query.read_span_ms`), and a new call inside those days raises their
generation; one after them can only change gaps beyond the window, which FCR counts alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from callops.metrics.zones import DAY_MS
from callops.store.schema import calls

__all__ = ["GAP_HORIZON_DAYS", "GAP_HORIZON_MS", "gap_window", "gaps_of_new", "rebuild_gaps", "refresh_gaps"]

GAP_HORIZON_DAYS = 90
GAP_HORIZON_MS = GAP_HORIZON_DAYS * DAY_MS
_CHUNK = 4000  # caller numbers per statement (inside SQLite's 32,766 bound parameters)


def gap_window(started: Any, *, across_scenarios: bool = False) -> Any:
    """``LEAD(started) - started`` over the caller's calls: the gap to the next contact, NULL for the last one.
    A query of one scenario's calls partitions by caller and direction; ``across_scenarios`` by scenario too."""
    c = calls.c
    partition = (c.scenario, c.caller_number, c.direction) if across_scenarios else (c.caller_number, c.direction)
    return sa.func.lead(started).over(partition_by=partition, order_by=(started, c.id)) - started


def rebuild_gaps(conn: sa.Connection) -> int:
    """Recompute every call's kept gap from all stored calls (migration 0031, ``callops db rebuild-aggregates``
    after calls were changed outside callops); how many changed."""
    c = calls.c
    started = sa.type_coerce(c.started_at, sa.BigInteger)
    gap = gap_window(started, across_scenarios=True)
    every = (sa.select(c.id.label("id"), sa.case((gap <= sa.literal(GAP_HORIZON_MS, sa.BigInteger), gap)).label("gap"))
             .where(c.caller_number.is_not(None)).subquery("every"))
    changed = conn.execute(calls.update()
                           .where(c.id == every.c.id, c.next_contact_gap_ms.is_distinct_from(every.c.gap))
                           .values(next_contact_gap_ms=every.c.gap)).rowcount
    cleared = conn.execute(calls.update().where(c.caller_number.is_(None), c.next_contact_gap_ms.is_not(None))
                           .values(next_contact_gap_ms=None)).rowcount
    return int(changed) + int(cleared)


def refresh_gaps(conn: sa.Connection, rows: Iterable[tuple[str | None, str | None, int]]) -> None:
    """Bring the kept gaps up to date after the calls ``rows`` (each ``(scenario, caller_number, started_ms)``)
    were inserted in this transaction (the live path: a few calls at a time)."""
    spans = _spans((scenario, caller, started) for scenario, caller, started in rows if caller is not None)
    for scenario, (callers, lo_ms, hi_ms) in spans.items():
        names = sorted(callers)
        for at in range(0, len(names), _CHUNK):
            _mend(conn, scenario, names[at:at + _CHUNK], lo_ms, hi_ms, [])


def gaps_of_new(conn: sa.Connection, new: Sequence[tuple[str | None, str | None, str, int]]) -> list[int | None]:
    """The gaps of calls about to be inserted (each ``(scenario, caller_number, direction, started_ms)``, in the
    order they will be: after every stored call, so a tie in start puts the stored ones first), and the stored
    calls' gaps mended for them (the import path: the new calls are inserted with their gaps, no update)."""
    gaps: list[int | None] = [None] * len(new)
    spans = _spans((scenario, caller, started) for scenario, caller, _, started in new if caller is not None)
    waiting: dict[tuple[str | None, str], list[int]] = {}
    for index, (scenario, caller, _, _) in enumerate(new):
        if caller is not None:
            waiting.setdefault((scenario, caller), []).append(index)
    for scenario, (callers, lo_ms, hi_ms) in spans.items():
        names = sorted(callers)
        for at in range(0, len(names), _CHUNK):
            chunk = names[at:at + _CHUNK]
            entries: list[_Entry] = [(caller, new[i][2], new[i][3], 1, i, None)
                                     for caller in chunk for i in waiting[(scenario, caller)]]
            for index, gap in _mend(conn, scenario, chunk, lo_ms, hi_ms, entries):
                gaps[index] = gap
    return gaps


def _spans(rows: Iterable[tuple[str | None, str, int]]) -> dict[str | None, tuple[set[str], int, int]]:
    """Per scenario: the callers of ``rows`` and the first and last start among them."""
    found: dict[str | None, tuple[set[str], list[int]]] = {}
    for scenario, caller, started_ms in rows:
        group = found.get(scenario)
        if group is None:
            group = found[scenario] = (set(), [])
        group[0].add(caller)
        group[1].append(started_ms)
    return {scenario: (callers, min(starts), max(starts)) for scenario, (callers, starts) in found.items()}


_Entry = tuple[str, str, int, int, int, int | None]  # caller, direction, start, 0 stored / 1 new, id or index, gap


def _around() -> sa.Select[Any]:
    """The stored calls of some callers (``callers``) of a scenario (``scenario``, "" for real calls) that started
    in ``[lo, hi]``, as :data:`_Entry` rows. The scenario is compared through coalesce, which no index serves:
    SQLite (without statistics) would otherwise walk the (scenario, started_at) index over the whole span instead
    of seeking each caller in (caller_number, started_at)."""
    c = calls.c
    started = sa.type_coerce(c.started_at, sa.BigInteger)
    return (sa.select(c.caller_number, c.direction, started, sa.literal(0), c.id, c.next_contact_gap_ms)
            .where(sa.func.coalesce(c.scenario, "") == sa.bindparam("scenario"),
                   c.caller_number.in_(sa.bindparam("callers", expanding=True)),
                   started >= sa.bindparam("lo", type_=sa.BigInteger),
                   started <= sa.bindparam("hi", type_=sa.BigInteger)))


_AROUND = _around()


def _mend(conn: sa.Connection, scenario: str | None, callers: list[str], lo_ms: int, hi_ms: int,
          new: list[_Entry]) -> list[tuple[int, int | None]]:
    """Walk the calls of ``callers`` around ``[lo_ms, hi_ms]`` (stored, and ``new`` ones not stored yet) in the
    order of their next contacts; update each stored call up to ``hi_ms`` whose kept gap changed; the gaps of the
    ``new`` entries, by their index. Calls after ``hi_ms`` are there only as next contacts."""
    stored = conn.execute(_AROUND, {"scenario": scenario or "", "callers": callers,
                                    "lo": lo_ms - GAP_HORIZON_MS, "hi": hi_ms + GAP_HORIZON_MS}).all()
    entries: list[Any] = [*stored, *new]
    entries.sort(key=lambda e: (e[0], e[1], e[2], e[3], e[4]))
    changed: list[tuple[int | None, int]] = []
    out: list[tuple[int, int | None]] = []
    for here, after in zip(entries, [*entries[1:], None], strict=True):
        if here[2] > hi_ms and not here[3]:
            continue
        same = after is not None and after[0] == here[0] and after[1] == here[1]
        gap = after[2] - here[2] if same and after[2] - here[2] <= GAP_HORIZON_MS else None
        if here[3]:
            out.append((here[4], gap))
        elif gap != here[5]:
            changed.append((gap, here[4]))
    if changed:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        conn.exec_driver_sql(f"UPDATE calls SET next_contact_gap_ms = {mark} WHERE id = {mark}", changed)
    return out
