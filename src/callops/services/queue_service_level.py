"""Service level at each queue's own threshold T (the ``queues`` table's ``sl_threshold_s``).

A report split by queue shows each queue's service level at that queue's T; a report not split by queue (a
period's totals, the dashboard, the builder's totals row) combines the queues, each at its own T:
``sum over queues of answered within T_q / sum of the denominators`` — what the by-queue rows add up to. Calls
without a queue, or of a queue not in the table, count at the request's threshold.

The KPI request code is not changed: the report runs as asked, then once more per other threshold with only
the service level (and its denominator's counts), and the service level of each row is taken from the run at
its queue's threshold. A report with one threshold for every queue costs no extra query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import sqlalchemy as sa

from callops.metrics import KpiRequest, ReportRow, SlDenominator
from callops.store.kpi_query import kpi_report
from callops.store.queue_targets import QueueTargets

__all__ = ["QueueThresholds", "kpi_report_at_queue_thresholds", "queue_thresholds"]

_SL = "service_level"
_DENOMINATOR_KPIS = ("offered", "answered", "short_abandoned")


@dataclass(frozen=True, slots=True)
class QueueThresholds:
    """The threshold each queue's service level is computed at, and the one for calls of no known queue."""

    by_queue: Mapping[str, float]
    default_s: float

    def of(self, queue: object) -> float:
        return self.by_queue.get(str(queue), self.default_s) if queue is not None else self.default_s

    @property
    def distinct(self) -> tuple[float, ...]:
        return tuple(sorted({*self.by_queue.values(), self.default_s}))

    @property
    def single(self) -> bool:
        """Whether every queue (and the default) uses the same threshold."""
        return len(self.distinct) == 1


def queue_thresholds(targets: Mapping[str, QueueTargets], default_s: float) -> QueueThresholds:
    return QueueThresholds({name: float(t.sl_threshold_s) for name, t in targets.items()}, default_s)


def _at(request: KpiRequest, threshold_s: float, *, kpis: Sequence[str], dims: tuple[str, ...]) -> KpiRequest:
    return replace(
        request,
        kpis=tuple(kpis),
        dims=dims,
        agent_states=False,
        options=replace(request.options, sl_threshold_s=threshold_s),
    )


def _with_sl(row: ReportRow, current: float | None, previous: float | None) -> ReportRow:
    kpis = {**row.kpis, _SL: current}
    before = None if row.previous is None else {**row.previous, _SL: previous}
    return replace(row, kpis=kpis, previous=before)


def kpi_report_at_queue_thresholds(
    conn: sa.Connection, request: KpiRequest, thresholds: QueueThresholds
) -> list[ReportRow]:
    """``kpi_report(conn, request)`` with its service level at each queue's own threshold (``request``'s own
    threshold is ignored for queues in ``thresholds``). Rows keep their order and every other value."""
    rows = kpi_report(conn, request)
    if _SL not in request.kpis or not rows:
        return rows
    if "queue" in request.dims:
        return _split_by_queue(conn, request, rows, thresholds)
    return _combined(conn, request, rows, thresholds)


def _split_by_queue(
    conn: sa.Connection, request: KpiRequest, rows: list[ReportRow], thresholds: QueueThresholds
) -> list[ReportRow]:
    at = request.options.sl_threshold_s
    wanted = sorted({thresholds.of(dict(r.dims)["queue"]) for r in rows} - {at})
    found: dict[tuple[object, ...], tuple[float | None, float | None]] = {}
    for threshold in wanted:
        for r in kpi_report(conn, _at(request, threshold, kpis=(_SL,), dims=request.dims)):
            if thresholds.of(dict(r.dims)["queue"]) == threshold:
                found[(r.period_start, r.dims)] = (r.kpis[_SL], None if r.previous is None else r.previous[_SL])
    out = []
    for r in rows:
        if thresholds.of(dict(r.dims)["queue"]) == at:
            out.append(r)
        else:
            out.append(_with_sl(r, *found.get((r.period_start, r.dims), (None, None))))
    return out


def _denominator(values: Mapping[str, float | None], denominator: SlDenominator) -> float:
    def n(key: str) -> float:
        return float(values.get(key) or 0)

    if denominator is SlDenominator.ANSWERED:
        return n("answered")
    if denominator is SlDenominator.OFFERED_MINUS_SHORT:
        return n("offered") - n("short_abandoned")
    return n("offered")


def _combined(
    conn: sa.Connection, request: KpiRequest, rows: list[ReportRow], thresholds: QueueThresholds
) -> list[ReportRow]:
    """Rows not split by queue: each queue's answered-within-T at its own T, summed over queues."""
    if thresholds.single and thresholds.default_s == request.options.sl_threshold_s:
        return rows
    sums: dict[tuple[object, ...], list[float]] = {}  # (period, dims) -> [num, den, prev num, prev den]
    kpis = (_SL, *_DENOMINATOR_KPIS)
    denominator = request.options.sl_denominator
    for threshold in thresholds.distinct:
        for r in kpi_report(conn, _at(request, threshold, kpis=kpis, dims=(*request.dims, "queue"))):
            values = dict(r.dims)
            if thresholds.of(values.pop("queue")) != threshold:
                continue
            acc = sums.setdefault((r.period_start, tuple(values.items())), [0.0, 0.0, 0.0, 0.0])
            for offset, measured in ((0, r.kpis), (2, r.previous)):
                if measured is None:
                    continue
                den = _denominator(measured, denominator)
                acc[offset] += float(measured[_SL] or 0) * den
                acc[offset + 1] += den

    def ratio(num: float, den: float) -> float | None:
        return num / den if den > 0 else None

    out = []
    for r in rows:
        found = sums.get((r.period_start, r.dims))
        out.append(r if found is None else _with_sl(r, ratio(found[0], found[1]), ratio(found[2], found[3])))
    return out
