"""KPI reports of the served site, kept per app process and keyed by the data generation.

    results = KpiResults(entries=256)                 # one per app (``WebState.kpi_results``)
    reads = KpiReads(conn, results, scope=team_scope(conn, user))   # one per request
    rows = reads.report(request, thresholds)          # kpi_report (at each queue's threshold), or the kept rows
    body = reads.report_body(request, encode)         # the rows as ``encode`` wrote them (the API's JSON), kept too
    text = reads.kept_text(page_key, build)           # a page's text made from such reports (the dashboard's body)

A report is kept under the whole request as the report ran it — KPIs, range, grain, zone, dimensions, options,
scenario, the user's agent scope and the queue thresholds — and the generation of the days it reads
(:func:`callops.store.data_generation.span_generation` over :func:`callops.store.kpi_query.read_span_ms`), read
before its KPI queries in the request's one transaction. Every write that changes calls or agent states marks the
days it touched in its own transaction, so a request never gets rows older than the data it could see, and a report
of last month stays kept while today's calls arrive.

While one request computes a report (or a page's text), others asking for the same key wait for it and then answer
what it kept, instead of computing it too (after a write, every open dashboard asks again at once).

A report's encoded body (the API's JSON bytes) is kept with its rows, so an API request that hits answers without
encoding or validating the rows again. A page's text made from kept reports is kept the same way under what the
page names besides (its language, zone, data choice and targets) and the user's scope, and the whole generation
(any write changes it: the dashboard's "today" is the last day with calls).

Only reports of calls and agent states are kept: ticket, desk-form, roster and people KPIs, and reports by
team (an agent's team can change without a write of calls) always run.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TypeVar

import sqlalchemy as sa

from callops.metrics import KpiRequest, ReportRow, is_people_kpi, is_roster_kpi, is_ticket_kpi, measure, measures_for
from callops.metrics.measures import Table
from callops.services.queue_service_level import QueueThresholds, kpi_report_at_queue_thresholds
from callops.store.data_generation import data_generation, span_generation
from callops.store.kpi_query import kpi_report, read_span_ms

__all__ = ["BYTES_PER_ENTRY", "KpiReads", "KpiResults", "ROWS_PER_ENTRY", "WAIT_S", "cacheable"]

# the data generation (of the report's days, or the whole one for a page), the request (or a page's key), the queue
# thresholds
_Key = tuple[Hashable, Hashable, tuple[tuple[tuple[str, float], ...], float] | None]
_KEPT_TABLES = frozenset({Table.CALLS, Table.AGENT_INTERVALS})
ROWS_PER_ENTRY = 100  # the rows kept, on average per entry: bounds the memory (a month by day and queue: ~170)
BYTES_PER_ENTRY = 64 * 1024  # the encoded bodies kept, on average per entry (a month by day and queue: ~80 KB)
WAIT_S = 30.0  # a request waits at most this long for another computing the same key, then computes it itself
_T = TypeVar("_T")


@dataclass(slots=True)
class _Kept:
    rows: tuple[ReportRow, ...]
    body: bytes | None = None


def cacheable(request: KpiRequest) -> bool:
    """Whether ``request`` reads only what raises the data generation: calls and agent states, not by team."""
    if "team" in request.dims:
        return False
    if any(is_ticket_kpi(k) or is_roster_kpi(k) or is_people_kpi(k) for k in request.kpis):
        return False
    return all(measure(n).table in _KEPT_TABLES for n in measures_for(list(request.kpis)))


class KpiResults:
    """The most recently used KPI reports of one app: at most ``entries`` of them (0: none kept) holding at most
    ``ROWS_PER_ENTRY * entries`` rows and ``BYTES_PER_ENTRY * entries`` bytes of encoded bodies together (a larger
    report or body is not kept); thread-safe."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.max_rows = ROWS_PER_ENTRY * entries
        self.max_bytes = BYTES_PER_ENTRY * entries
        self._kept: OrderedDict[_Key, _Kept] = OrderedDict()
        self._rows = 0
        self._bytes = 0
        self._lock = threading.Lock()
        self._computing: dict[_Key, threading.Event] = {}

    def get(self, key: _Key) -> tuple[ReportRow, ...] | None:
        kept = self._get(key)
        return None if kept is None else kept.rows

    def body(self, key: _Key) -> bytes | None:
        """The encoded body kept with ``key``'s rows, if any."""
        kept = self._get(key)
        return None if kept is None else kept.body

    def _get(self, key: _Key) -> _Kept | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
            return kept

    def put(self, key: _Key, rows: tuple[ReportRow, ...], body: bytes | None = None) -> None:
        """Keep ``rows`` (and their encoded ``body``) under ``key``, dropping the least recently used beyond the
        bounds."""
        if len(rows) > self.max_rows or (body is not None and len(body) > self.max_bytes):
            return
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None:
                self._forget(old)
            self._kept[key] = _Kept(rows, body)
            self._rows += len(rows)
            self._bytes += 0 if body is None else len(body)
            while len(self._kept) > self.entries or self._rows > self.max_rows or self._bytes > self.max_bytes:
                _, dropped = self._kept.popitem(last=False)
                self._forget(dropped)

    def kept_or_made(self, key: _Key, found: Callable[[_Kept], _T | None], make: Callable[[_Kept | None], _T]) -> _T:
        """What ``found`` finds in the entry kept under ``key``; else what ``make`` makes from that entry (None
        when there is none) and keeps with ``put``, one request at a time per key (:meth:`computing`)."""
        kept = self._get(key)
        answer = None if kept is None else found(kept)
        if answer is not None:
            return answer
        with self.computing(key):
            kept = self._get(key)
            answer = None if kept is None else found(kept)
            return make(kept) if answer is None else answer

    @contextmanager
    def computing(self, key: _Key) -> Iterator[None]:
        """The block computing ``key``: the first request to enter runs it at once; one entering while it runs
        waits until it leaves (at most ``WAIT_S``), then runs it, finding it kept when the first kept it."""
        with self._lock:
            other = self._computing.get(key)
            if other is None:
                running = self._computing[key] = threading.Event()
        if other is not None:
            other.wait(WAIT_S)
            yield
            return
        try:
            yield
        finally:
            with self._lock:
                del self._computing[key]
            running.set()

    def _forget(self, kept: _Kept) -> None:
        self._rows -= len(kept.rows)
        self._bytes -= 0 if kept.body is None else len(kept.body)

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)


@dataclass(slots=True)
class KpiReads:
    """One request's KPI reports: on its one connection, within the user's agent scope (None: every agent)."""

    conn: sa.Connection
    results: KpiResults
    scope: frozenset[str] | None
    _ran_unkept: bool = False  # a report that is never kept ran in this request

    def _key(self, scoped: KpiRequest, thresholds: QueueThresholds | None) -> _Key | None:
        """The cache key of ``scoped`` (None: not kept), with the generation of the days it reads."""
        if self.results.entries <= 0 or not cacheable(scoped):
            return None
        generation = span_generation(self.conn, *read_span_ms(scoped))
        if generation is None:
            return None
        return (generation, scoped, None if thresholds is None
                else (tuple(sorted(thresholds.by_queue.items())), thresholds.default_s))

    def _run(self, scoped: KpiRequest, thresholds: QueueThresholds | None) -> list[ReportRow]:
        if not cacheable(scoped):
            self._ran_unkept = True
        return (kpi_report(self.conn, scoped) if thresholds is None
                else kpi_report_at_queue_thresholds(self.conn, scoped, thresholds))

    def report(self, request: KpiRequest, thresholds: QueueThresholds | None = None) -> list[ReportRow]:
        """The KPI report within the scope; with ``thresholds``, service level at each queue's own threshold."""
        scoped = replace(request, agents=self.scope)
        key = self._key(scoped, thresholds)
        if key is None:
            return self._run(scoped, thresholds)

        def make(_: _Kept | None) -> tuple[ReportRow, ...]:
            rows = tuple(self._run(scoped, thresholds))
            self.results.put(key, rows)
            return rows

        return list(self.results.kept_or_made(key, lambda kept: kept.rows, make))

    def report_body(self, request: KpiRequest, encode: Callable[[Sequence[ReportRow]], bytes]) -> bytes:
        """The KPI report within the scope as ``encode`` writes it; kept with the rows (``encode`` must depend on
        nothing but the rows: one encoder per app, the API's JSON)."""
        scoped = replace(request, agents=self.scope)
        key = self._key(scoped, None)
        if key is None:
            return encode(self._run(scoped, None))

        def make(kept: _Kept | None) -> bytes:
            rows = tuple(self._run(scoped, None)) if kept is None else kept.rows
            body = encode(rows)
            self.results.put(key, rows, body)
            return body

        return self.results.kept_or_made(key, lambda kept: kept.body, make)

    def kept_text(self, page: Hashable, build: Callable[[], str]) -> str:
        """The text ``build`` makes from this request's KPI reports, kept until the data change under ``page`` and
        the user's scope. ``page`` must name everything else the text depends on (language, zone, the data choice,
        targets); a text whose reports include one that is never kept is not kept either."""
        generation = data_generation(self.conn) if self.results.entries > 0 else None
        if generation is None:
            return build()
        key: _Key = (generation, ("page", page, self.scope), None)

        def make(_: _Kept | None) -> bytes:
            ran_unkept, self._ran_unkept = self._ran_unkept, False
            body = build().encode()
            if not self._ran_unkept:
                self.results.put(key, (), body)
            self._ran_unkept = self._ran_unkept or ran_unkept
            return body

        return self.results.kept_or_made(key, lambda kept: kept.body, make).decode()
