"""The people KPIs of the KPI layer (``callops.metrics.kpis.PEOPLE_KPIS``): headcount, hires, exits and attrition
per month, quarter or year, from the people records through ``callops.people.attrition`` (the definitions of
``callops people attrition``), as report rows like the other KPIs'."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.metrics import Grain, KpiRequest, ReportRow, compute_kpis, period_label
from callops.people.attrition import Grain as PeopleGrain
from callops.people.attrition import attrition
from callops.store.people import load_stints

__all__ = ["people_kpi_rows", "people_span"]


def people_kpi_rows(conn: sa.Engine | sa.Connection, request: KpiRequest) -> list[ReportRow]:
    """One row per calendar period of ``request`` (cut to its range); with ``request.agents``, only those people."""
    if isinstance(conn, sa.Engine):
        with conn.connect() as c:
            return people_kpi_rows(c, request)
    try:
        grain = PeopleGrain(request.grain.value)
    except ValueError:
        raise InvalidInput("the people KPIs are measured per month, quarter or year", field="grain") from None
    stints = [s for s in load_stints(conn) if request.agents is None or s.person in request.agents]
    rows = []
    for row in attrition(stints, date_from=request.start, date_to=request.end, grain=grain):
        measures: dict[str, float | None] = {
            "headcount_start": row.headcount_start,
            "headcount_end": row.headcount_end,
            "hires": row.hires,
            "exits": row.exits,
            "voluntary_exits": row.voluntary_exits,
        }
        start = dt.datetime.combine(row.first_day, dt.time())
        rows.append(
            ReportRow(
                period_label(start, Grain(grain.value)),
                start,
                (),
                compute_kpis(measures, request.kpis, request.options),
            )
        )
    return rows


def people_span(conn: sa.Engine | sa.Connection, *, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first hire day to the last exit (or ``today`` while anyone is employed); None without records."""
    if isinstance(conn, sa.Engine):
        with conn.connect() as c:
            return people_span(c, today=today)
    stints = load_stints(conn)
    if not stints:
        return None
    last = max((s.exit_on or today) for s in stints)
    return min(s.hire_on for s in stints), max(last, min(s.hire_on for s in stints))
