"""KPI reports of the served site, kept per app process and keyed by the data generation.

    results = KpiResults(entries=256)                 # one per app (``WebState.kpi_results``)
    reads = KpiReads(conn, results, scope=team_scope(conn, user))   # one per request
    rows = reads.report(request, thresholds)          # kpi_report (at each queue's threshold), or the kept rows

A result is kept under the whole request as the report ran it — KPIs, range, grain, zone, dimensions, options,
scenario, the user's agent scope and the queue thresholds — and the data generation read once per request
(:mod:`callops.store.data_generation`) before any KPI query. Every write that changes calls or agent states
raises the generation in its own transaction, so a request never gets rows older than the data it could see.

Only reports of calls and agent states are kept: ticket, desk-form, roster and people KPIs, and reports by
team (an agent's team can change without a write of calls) always run.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import sqlalchemy as sa

from callops.metrics import KpiRequest, ReportRow, is_people_kpi, is_roster_kpi, is_ticket_kpi, measure, measures_for
from callops.metrics.measures import Table
from callops.services.queue_service_level import QueueThresholds, kpi_report_at_queue_thresholds
from callops.store.data_generation import data_generation
from callops.store.kpi_query import kpi_report

__all__ = ["KpiReads", "KpiResults", "ROWS_PER_ENTRY", "cacheable"]

_Key = tuple[int, KpiRequest, tuple[tuple[tuple[str, float], ...], float] | None]
_KEPT_TABLES = frozenset({Table.CALLS, Table.AGENT_INTERVALS})
ROWS_PER_ENTRY = 100  # the rows kept, on average per entry: bounds the memory (a month by day and queue: ~170)


def cacheable(request: KpiRequest) -> bool:
    """Whether ``request`` reads only what raises the data generation: calls and agent states, not by team."""
    if "team" in request.dims:
        return False
    if any(is_ticket_kpi(k) or is_roster_kpi(k) or is_people_kpi(k) for k in request.kpis):
        return False
    return all(measure(n).table in _KEPT_TABLES for n in measures_for(list(request.kpis)))


class KpiResults:
    """The most recently used KPI reports of one app: at most ``entries`` of them (0: none kept) holding at most
    ``ROWS_PER_ENTRY * entries`` rows together (a larger report is not kept); thread-safe."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.max_rows = ROWS_PER_ENTRY * entries
        self._kept: OrderedDict[_Key, tuple[ReportRow, ...]] = OrderedDict()
        self._rows = 0
        self._lock = threading.Lock()

    def get(self, key: _Key) -> tuple[ReportRow, ...] | None:
        with self._lock:
            rows = self._kept.get(key)
            if rows is not None:
                self._kept.move_to_end(key)
            return rows

    def put(self, key: _Key, rows: tuple[ReportRow, ...]) -> None:
        if len(rows) > self.max_rows:
            return
        with self._lock:
            old = self._kept.pop(key, None)
            self._rows += len(rows) - (0 if old is None else len(old))
            self._kept[key] = rows
            while len(self._kept) > self.entries or self._rows > self.max_rows:
                _, dropped = self._kept.popitem(last=False)
                self._rows -= len(dropped)

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)


@dataclass(slots=True)
class KpiReads:
    """One request's KPI reports: on its one connection, within the user's agent scope (None: every agent)."""

    conn: sa.Connection
    results: KpiResults
    scope: frozenset[str] | None
    _generation: int | None = None
    _read: bool = False

    def _current(self) -> int | None:
        """The data generation, read on the first kept report's turn and then kept for the request."""
        if not self._read:
            self._generation = data_generation(self.conn) if self.results.entries > 0 else None
            self._read = True
        return self._generation

    def report(self, request: KpiRequest, thresholds: QueueThresholds | None = None) -> list[ReportRow]:
        """The KPI report within the scope; with ``thresholds``, service level at each queue's own threshold."""
        scoped = replace(request, agents=self.scope)
        generation = self._current() if cacheable(scoped) else None
        key: _Key | None = None
        if generation is not None:
            key = (generation, scoped, None if thresholds is None
                   else (tuple(sorted(thresholds.by_queue.items())), thresholds.default_s))
            kept = self.results.get(key)
            if kept is not None:
                return list(kept)
        rows = (kpi_report(self.conn, scoped) if thresholds is None
                else kpi_report_at_queue_thresholds(self.conn, scoped, thresholds))
        if key is not None:
            self.results.put(key, tuple(rows))
        return rows
