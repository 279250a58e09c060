"""The builder's result as people read it: named columns, one page of rows, a totals row, values coloured
against the queue's targets, and links from a row's period and KPI values to their calls on the Calls page
(the period to every call of the row, a KPI to the calls it counts: ``callops.metrics.call_sets``).

Kept apart from the route so the saved-report runner (``callops reports run-due``) writes the same columns."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from callops.metrics import KPIS, Grain, ReportRow, shift_forward
from callops.metrics.call_sets import KPI_CALL_SETS, CallSet
from callops.store.queue_targets import QueueTargets

__all__ = ["PAGE_ROWS", "Cell", "judge", "drill_href", "drill_params", "kpi_href", "row_cells", "page_of"]

PAGE_ROWS = 100
_KPI_KEYS = {k.key for k in KPIS}
# dimensions the Calls page filters by (team, priority and source it does not)
_DRILL_DIMS = ("queue", "agent", "call_type")


def judge(key: str, value: object, target: QueueTargets) -> str | None:
    """``good`` or ``bad`` for a service level or abandon rate against ``target``; None for other KPIs."""
    if not isinstance(value, int | float):
        return None
    if key == "service_level":
        return "good" if value >= target.sl_target else "bad"
    if key == "abandon_rate":
        return "good" if value <= target.abandon_target else "bad"
    return None


def _period_end(start: dt.datetime, grain: Grain, last: dt.date) -> dt.datetime:
    if grain == Grain.TOTAL:
        return dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
    if grain.intraday:
        return start + dt.timedelta(milliseconds=grain.bucket_ms)
    if grain == Grain.DAY:
        return start + dt.timedelta(days=1)
    return shift_forward(start, grain)


def drill_params(row: ReportRow, *, grain: Grain, zone: str, first: dt.date, last: dt.date,
                 scenario: str | None) -> dict[str, str] | None:
    """The Calls page's filters for this row's period and dimension values; None when a dimension (team,
    priority, source) is one the Calls page cannot filter by, a dimension value is missing (calls of no
    queue), or a simulated scenario is shown."""
    dims = dict(row.dims)
    if scenario or any(name not in _DRILL_DIMS or value is None for name, value in dims.items()):
        return None  # the Calls page cannot filter by these dimensions, nor for "no queue" / "no agent"
    tz = zoneinfo.ZoneInfo(zone)
    lower = max(row.period_start, dt.datetime.combine(first, dt.time()))
    upper = min(_period_end(row.period_start, grain, last), dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
    params = {"from": lower.replace(tzinfo=tz).isoformat(timespec="minutes"),
              "to": upper.replace(tzinfo=tz).isoformat(timespec="minutes")}
    params.update({name: str(value) for name, value in dims.items()})
    return params


def drill_href(row: ReportRow, *, grain: Grain, zone: str, first: dt.date, last: dt.date,
               scenario: str | None) -> str | None:
    """The Calls page filtered to this row's period and dimension values (see :func:`drill_params`)."""
    params = drill_params(row, grain=grain, zone=zone, first=first, last=last, scenario=scenario)
    return None if params is None else "/calls?" + urlencode(params)


def kpi_href(params: Mapping[str, str] | None, key: str, *, sl_threshold_s: float) -> str | None:
    """The calls behind one value: ``period`` opens every call of the row, a KPI the calls it counts (service
    level: the calls that missed it at ``sl_threshold_s``); None for a KPI without such calls."""
    if params is None:
        return None
    if key == "period":
        return "/calls?" + urlencode(params)
    call_set = KPI_CALL_SETS.get(key)
    if call_set is None:
        return None
    extra = {"kpi": call_set.value}
    if call_set is CallSet.SL_MISSED:
        extra["sl_threshold"] = f"{sl_threshold_s:g}"
    return "/calls?" + urlencode({**params, **extra})


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    judged: str | None = None  # good / bad against the target
    href: str | None = None


def row_cells(data: Mapping[str, Any], keys: Sequence[str], *, show: Callable[[str, Any], str],
              targets: Mapping[str, QueueTargets], drill: Mapping[str, str] | None = None,
              sl_threshold_s: float = 20.0) -> list[Cell]:
    """One table row: each value formatted, rates judged against the row's queue (else the defaults), the
    period and each KPI that counts calls linked to those calls (``drill``: the row's Calls-page filters;
    ``sl_threshold_s``: the threshold the row's service level was computed at)."""
    target = targets.get(str(data.get("queue")), QueueTargets()) if "queue" in data else QueueTargets()
    cells = []
    for key in keys:
        base = key[5:] if key.startswith("prev_") else key
        value = data.get(key)
        text = show(base, value) if base in _KPI_KEYS or key == "period" else ("–" if value is None else str(value))
        href = None if key.startswith("prev_") or value is None else kpi_href(drill, key,
                                                                              sl_threshold_s=sl_threshold_s)
        cells.append(Cell(text, judge(key, value, target), href))
    return cells


def page_of(total_rows: int, page: int) -> tuple[int, int, int]:
    """(page, first index, page count) with ``page`` clamped into range (1-based)."""
    pages = max(1, -(-total_rows // PAGE_ROWS))
    page = min(max(1, page), pages)
    return page, (page - 1) * PAGE_ROWS, pages
