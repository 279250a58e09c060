"""Reports: the KPI API, a dashboard, a report builder with CSV/XLSX export, agent scorecards, and
printable daily, weekly and monthly reports. Every number comes from ``callops.store.kpi_query``, the
same code the ``callops report`` commands run, so CLI, API and pages agree; the pages and the KPI API keep
what they answered until the data change (``callops.services.kpi_results``).

Every page and API takes ``scenario``: empty for real calls (the default), or the name of a saved
simulation run (``callops simulate --save``); pages then show a "simulated data" banner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from callops.errors import InvalidInput
from callops.metrics import (
    CALL_DIMENSIONS,
    DEFAULT_KPIS,
    KPIS,
    Grain,
    KpiRequest,
    ReportRow,
    SlDenominator,
    kpi,
    kpi_request_from_text,
    parse_span,
    report_zone,
)
from callops.permissions import Permission
from callops.services.kpi_results import KpiReads
from callops.services.queue_service_level import QueueThresholds, queue_thresholds
from callops.services.report_data import QueueTargets, ReportData, latest_day, report_data, site_queue_targets
from callops.services.report_files import columns_of
from callops.services.spreadsheet_export import Column, csv_encoding, kpi_columns, kpi_label, table_csv, table_xlsx
from callops.services.team_scope import has_team_scope, team_scope
from callops.store.kpi_query import agent_report
from callops.web.deps import ConnDep, SettingsDep, StateDep, User, ViewerDep, require
from callops.web.downloads import attachment
from callops.web.filters import parse_date
from callops.web.nav import NavItem
from callops.web.rendering import render, render_fragment
from callops.web.report_tables import PAGE_ROWS, Cell, drill_params, judge, kpi_href, page_of, row_cells
from callops.web.viewer import Viewer

router = APIRouter()

NAV = (NavItem("nav.reports", "/reports", permission=Permission.VIEW_REPORTS, order=30,
               description_key="reports.card"),)

ReportsUser = Annotated[User, require(Permission.VIEW_REPORTS)]
DASHBOARD_KPIS = ("offered", "answered", "service_level", "asa_s", "abandon_rate", "aht_s", "occupancy")
QUEUE_SPLIT_KPIS = ("offered", "answered", "service_level", "abandon_rate", "asa_s", "aht_s")
PERIOD_KPIS = ("offered", "answered", "abandoned", "answer_rate", "service_level", "abandon_rate", "loss_rate",
               "asa_s", "aht_s", "longest_wait_s")
FCR_MIN_BASE = 30  # the pages leave FCR blank below this many answered calls with a caller id


@dataclass(frozen=True, slots=True)
class KpiParams:
    """The query parameters of ``callops report kpi``, as the API and the builder take them."""

    start: str | None
    end: str | None
    grain: str
    by: str | None
    tz: str | None
    kpis: str | None
    sl_threshold: float
    sl_denominator: SlDenominator
    short_abandon: float
    fcr_days: int
    compare_previous: bool
    scenario: str | None
    fcr_min_base: int | None = None  # None: 0 in the API (as the CLI), FCR_MIN_BASE on the pages

    def request(self, site_tz: str) -> KpiRequest:
        return kpi_request_from_text(start=self.start, end=self.end, tz=self.tz, site_tz=site_tz, grain=self.grain,
                                     by=self.by, kpis=self.kpis, sl_threshold=self.sl_threshold,
                                     sl_denominator=self.sl_denominator, short_abandon=self.short_abandon,
                                     fcr_days=self.fcr_days, compare_previous=self.compare_previous,
                                     scenario=self.scenario, fcr_min_base=self.fcr_min_base or 0)

    def query(self) -> dict[str, str]:
        """The parameters as a query string's items (what a saved report stores, without its range)."""
        out = {"grain": self.grain, "by": self.by or "", "tz": self.tz or "", "kpis": self.kpis or "",
               "sl_threshold": f"{self.sl_threshold:g}", "sl_denominator": self.sl_denominator.value,
               "short_abandon": f"{self.short_abandon:g}", "fcr_days": str(self.fcr_days),
               "compare_previous": "true" if self.compare_previous else "", "scenario": self.scenario or ""}
        return {k: v for k, v in out.items() if v}


ScenarioQuery = Annotated[str | None, Query(description="A saved simulation scenario to report (default: real calls)")]


def _joined(text: str | None, items: list[str] | None) -> str | None:
    """A comma-separated list and repeated parameters as one comma-separated list (None when empty)."""
    keys = [k.strip() for k in [*(text or "").split(","), *(items or [])]]
    return ",".join(dict.fromkeys(k for k in keys if k)) or None


async def _kpi_params(
    start: Annotated[str | None, Query(alias="from", description="First day, inclusive (YYYY-MM-DD)")] = None,
    end: Annotated[str | None, Query(alias="to", description="Last day, inclusive (YYYY-MM-DD)")] = None,
    grain: Annotated[str, Query(description="15min, 30min, 60min, hour, day, week, month, quarter, year, total")]
    = "day",
    by: Annotated[str | None, Query(description="Dimensions: queue,call_type,team,agent,priority,source")] = None,
    tz: Annotated[str | None, Query(description="Report zone (default the site's)")] = None,
    kpis: Annotated[str | None, Query(description="KPI keys, comma-separated")] = None,
    sl_threshold: float = 20.0, sl_denominator: SlDenominator = SlDenominator.OFFERED, short_abandon: float = 0.0,
    fcr_days: int = 7, compare_previous: bool = False, scenario: ScenarioQuery = None,
    kpi_list: Annotated[list[str] | None, Query(alias="kpi", description="KPI keys, one per parameter (the "
                                                "builder's check boxes); added to kpis")] = None,
    dim_list: Annotated[list[str] | None, Query(alias="dim", description="Dimensions, one per parameter; added "
                                                "to by")] = None,
    fcr_min_base: Annotated[int | None, Query(ge=0, le=1_000_000, description="FCR is blank below this many "
                                              "answered calls with a caller id (default 0; 30 on pages)")] = None,
) -> KpiParams:
    return KpiParams(start, end, grain, _joined(by, dim_list), tz, _joined(kpis, kpi_list), sl_threshold,
                     sl_denominator, short_abandon, fcr_days,
                     compare_previous, scenario or None, fcr_min_base)


KpiParamsDep = Annotated[KpiParams, Depends(_kpi_params)]


def _report_data(conn: ConnDep, scenario: ScenarioQuery = None) -> ReportData:
    """The page's data choice; an unknown scenario is NotFound (404)."""
    return report_data(conn, scenario)


ReportDataDep = Annotated[ReportData, Depends(_report_data)]


async def _kpi_reads(conn: ConnDep, state: StateDep, user: ReportsUser) -> KpiReads:
    """The request's KPI reports: a team lead's cover only the agents of their teams; kept per app process
    until the data change (``callops.services.kpi_results``). Only a team lead's scope takes a query (on a worker
    thread); for everyone else this runs on the event loop."""
    scope = await run_in_threadpool(team_scope, conn, user) if has_team_scope(user) else None
    return KpiReads(conn, state.kpi_results, scope)


KpiReadsDep = Annotated[KpiReads, Depends(_kpi_reads)]


# --- API -------------------------------------------------------------------------------------------


class KpiRowOut(BaseModel):
    """One KPI row: ``period``, then the ``by`` dimension columns, then the KPIs asked for (rates as fractions;
    ``prev_<kpi>`` with ``compare_previous``)."""

    model_config = ConfigDict(extra="allow")

    period: str = Field(description="1999-01-04T08:30, 1999-01-04, 1999-W01, 1999-01, 1999-Q1, 1999 or total")


class AgentRowOut(BaseModel):
    """One agent's row of the per-agent table: ``agent``, then the agent KPIs and ``away_<reason>_s`` columns."""

    model_config = ConfigDict(extra="allow")

    agent: str


_KPI_ROWS_JSON = TypeAdapter(list[dict[str, Any]])


def _kpi_rows_json(rows: Sequence[ReportRow]) -> bytes:
    """The API's body of KPI rows: what FastAPI would write for ``list[KpiRowOut]``, encoded once per kept report."""
    return _KPI_ROWS_JSON.dump_json([r.as_dict() for r in rows])


@router.get("/api/reports/kpi", tags=["reports"], response_model=list[KpiRowOut])
def api_kpi(reads: KpiReadsDep, settings: SettingsDep, params: KpiParamsDep) -> Response:
    """KPI rows, exactly as ``callops report kpi --format json``: ``period``, the ``by`` columns, then the KPIs
    (rates as fractions; ``prev_<kpi>`` with ``compare_previous``)."""
    return Response(reads.report_body(params.request(settings.site_tz), _kpi_rows_json),
                    media_type="application/json")


@router.get("/api/reports/agents", tags=["reports"], response_model=list[AgentRowOut])
def api_agents(conn: ConnDep, settings: SettingsDep, user: ReportsUser,
               start: Annotated[str, Query(alias="from")], end: Annotated[str, Query(alias="to")],
               tz: str | None = None, scenario: ScenarioQuery = None) -> list[dict[str, Any]]:
    """The per-agent table of ``callops report agents`` (of real calls, or of ``scenario``)."""
    first, last = parse_span(start, end)
    zone_name = report_zone(tz, settings.site_tz)
    return [dict(r) for r in agent_report(conn, start=first, end=last, tz=zone_name, scenario=scenario or None,
                                         only_agents=team_scope(conn, user))]


# --- pages -----------------------------------------------------------------------------------------


def _show(viewer: Viewer) -> Any:
    """A template helper: a KPI value formatted by its unit."""

    def show(key: str, value: Any) -> str:
        if key not in {k.key for k in KPIS}:
            return "–" if value is None else str(value)
        unit = kpi(key).unit
        if unit == "fraction":
            return viewer.fmt.percent(value)
        if unit == "seconds":
            return viewer.fmt.duration(value)
        if unit == "count":
            return viewer.fmt.number(value)
        return viewer.fmt.number(value, 2)

    return show


def _label(viewer: Viewer) -> Any:
    def label(key: str) -> str:
        return kpi_label(key, locale=viewer.locale, t=viewer.t)

    return label


def _report_helpers(viewer: Viewer, data: ReportData) -> dict[str, Any]:
    """What every report template gets: ``show``, ``label`` and the data choice."""
    return {"show": _show(viewer), "label": _label(viewer), "data": data}


def _page(request: Request, viewer: Viewer, template: str, data: ReportData, context: dict[str, Any], *,
          status_code: int = 200) -> HTMLResponse:
    return render(request, viewer, template, {**_report_helpers(viewer, data), **context}, status_code=status_code)


SlBasis = Annotated[Literal["queue", "fixed"], Query(description="queue: service level at each queue's own "
                                                     "threshold where the report is by queue (default); fixed: "
                                                     "at sl_threshold for every row")]


def _site_thresholds(targets: Mapping[str, QueueTargets]) -> QueueThresholds:
    """Each queue's threshold; calls of no known queue at the house default."""
    return queue_thresholds(targets, float(QueueTargets().sl_threshold_s))


def _threshold_note(viewer: Viewer, thresholds: QueueThresholds, queues: Sequence[object]) -> str:
    """Which threshold the service level of a by-queue table used, named per queue."""
    shown = sorted({str(q) for q in queues if q is not None})
    parts = [viewer.t("reports.threshold_of", queue=q, t=f"{thresholds.of(q):g}") for q in shown]
    if not parts:
        return viewer.t("reports.threshold_all", t=f"{thresholds.default_s:g}")
    return viewer.t("reports.threshold_by_queue", list="; ".join(parts))


def _common_target(targets: Mapping[str, QueueTargets], queues: Sequence[object]) -> QueueTargets | None:
    """The one target the queues share (totals are judged against it), else None (totals not judged)."""
    found = {targets.get(str(q), QueueTargets()) for q in queues if q is not None}
    shared = {(t.sl_target, t.abandon_target) for t in found}
    if len(shared) != 1:
        return None
    sl, abandon = next(iter(shared))
    return QueueTargets(sl_target=sl, abandon_target=abandon)


def _latest_day(conn: ConnDep, viewer: Viewer, data: ReportData) -> dt.date | None:
    return latest_day(conn, data, tz=viewer.tz.key)


def _one(reads: KpiReads, data: ReportData, start: dt.date, end: dt.date, tz: str,
         keys: Sequence[str], thresholds: QueueThresholds) -> dict[str, Any]:
    rows = reads.report(KpiRequest(start=start, end=end, grain=Grain.TOTAL, tz=tz, kpis=tuple(keys),
                                       agent_states=False, scenario=data.name), thresholds)
    return dict(rows[0].kpis) if rows else {}


_HALF_HOURS = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 1440, 30))


def _intervals(reads: KpiReads, data: ReportData, day: dt.date, tz: str,
               thresholds: QueueThresholds) -> dict[str, Mapping[str, Any]]:
    rows = reads.report(KpiRequest(start=day, end=day, grain=Grain.MIN30, tz=tz,
                                       kpis=("offered", "service_level"), agent_states=False, scenario=data.name),
                thresholds)
    return {r.period[-5:]: r.kpis for r in rows}


def _dashboard_chart(viewer: Viewer, today: dt.date, week_ago: dt.date, now: Mapping[str, Mapping[str, Any]],
                     then: Mapping[str, Mapping[str, Any]], target: QueueTargets) -> dict[str, Any]:
    """Offered calls by 30-minute interval today (bars) and a week ago (line), today's service level (right
    axis, percent; each queue at its own threshold) and the service-level target as a dashed line."""
    labels = sorted(set(now) | set(then) | set(_HALF_HOURS))
    label = _label(viewer)

    def percent(x: str) -> float | None:
        value = now.get(x, {}).get("service_level")
        return None if value is None else round(float(value) * 100, 1)

    return {"type": "bar", "data": {"labels": labels, "datasets": [
        {"label": viewer.fmt.date(today), "data": [now.get(x, {}).get("offered", 0) for x in labels], "yAxisID": "y"},
        {"label": viewer.fmt.date(week_ago), "data": [then.get(x, {}).get("offered", 0) for x in labels],
         "type": "line", "yAxisID": "y"},
        {"label": f"{label('service_level')} (%)", "data": [percent(x) for x in labels], "type": "line",
         "yAxisID": "rate", "spanGaps": True},
        {"label": viewer.t("reports.sl_target_line", target=viewer.fmt.percent(target.sl_target, 0)),
         "data": [round(target.sl_target * 100, 1)] * len(labels), "type": "line", "yAxisID": "rate",
         "borderDash": [6, 4], "pointRadius": 0}]},
        "options": {"maintainAspectRatio": False, "scales": {
            "y": {"beginAtZero": True, "position": "left"},
            "rate": {"beginAtZero": True, "max": 100, "position": "right", "grid": {"drawOnChartArea": False}}}}}


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def dashboard(request: Request, conn: ConnDep, reads: KpiReadsDep, viewer: ViewerDep,
              data: ReportDataDep) -> HTMLResponse:
    """Today (the latest day with data) and this week against last week, occupancy, the split by queue (judged
    against each queue's targets), and volume and service level by 30-minute interval against the SL target.
    The body is kept until the data change, per language, zone, data choice and targets."""
    targets = site_queue_targets(conn)
    page = ("dashboard", viewer.locale, viewer.tz.key, data.choice_key, tuple(sorted(targets.items())))
    body = reads.kept_text(page, lambda: render_fragment(request, viewer, "reports/_dashboard_body.html", {
        **_report_helpers(viewer, data), **_dashboard_context(conn, reads, viewer, data, targets)}))
    return render(request, viewer, "reports/dashboard.html", {"body": Markup(body)})


def _dashboard_context(conn: sa.Connection, reads: KpiReads, viewer: Viewer, data: ReportData,
                       targets: Mapping[str, QueueTargets]) -> dict[str, Any]:
    today = _latest_day(conn, viewer, data)
    context: dict[str, Any] = {"today": today, "kpis": DASHBOARD_KPIS}
    if today is None:
        return context
    tz = viewer.tz.key
    monday = today - dt.timedelta(days=today.weekday())
    week_ago = today - dt.timedelta(days=7)
    thresholds = _site_thresholds(targets)
    context.update(
        day=_one(reads, data, today, today, tz, DASHBOARD_KPIS, thresholds),
        day_before=_one(reads, data, week_ago, week_ago, tz, DASHBOARD_KPIS, thresholds),
        week=_one(reads, data, monday, today, tz, DASHBOARD_KPIS, thresholds),
        last_week=_one(reads, data, monday - dt.timedelta(days=7), week_ago, tz, DASHBOARD_KPIS, thresholds),
        monday=monday, week_ago=week_ago)
    now = _intervals(reads, data, today, tz, thresholds)
    then = _intervals(reads, data, week_ago, tz, thresholds)
    split = reads.report(KpiRequest(start=today, end=today, grain=Grain.TOTAL, tz=tz, dims=("queue",),
                                    kpis=QUEUE_SPLIT_KPIS, agent_states=False, scenario=data.name), thresholds)
    queues = [dict(r.dims)["queue"] for r in split]
    line = _target_line(targets, split)
    context["chart"] = _dashboard_chart(viewer, today, week_ago, now, then, line)
    context["target_line"] = line
    context["target_line_weighted"] = _common_target(targets, queues) is None
    context["intervals"] = [(x, now.get(x, {}).get("offered", 0), then.get(x, {}).get("offered", 0))
                            for x in sorted(set(now) | set(then) | set(_HALF_HOURS))]
    context["split_keys"] = ["queue", *QUEUE_SPLIT_KPIS]
    context["split"] = [(row_cells({"queue": queue or "–", **r.kpis}, context["split_keys"], show=_show(viewer),
                                   targets=targets, sl_threshold_s=thresholds.of(queue),
                                   drill=drill_params(r, grain=Grain.TOTAL, zone=tz, first=today, last=today,
                                                      scenario=data.name)), thresholds.of(queue))
                        for r, queue in zip(split, queues, strict=True)]
    context["threshold_note"] = _threshold_note(viewer, thresholds, queues)
    context["defaults_used"] = not any(targets.get(str(q), QueueTargets()).from_queue for q in queues)
    return context


def _target_line(targets: Mapping[str, QueueTargets], split: Sequence[ReportRow]) -> QueueTargets:
    """The service-level target the dashboard draws: the queues' shared target, else their targets weighted by
    today's offered calls (the house default when nothing was offered)."""
    queues = [dict(r.dims)["queue"] for r in split]
    shared = _common_target(targets, queues)
    if shared is not None:
        return shared
    offered = [(targets.get(str(q), QueueTargets()).sl_target, float(r.kpis.get("offered") or 0))
               for q, r in zip(queues, split, strict=True)]
    total = sum(n for _, n in offered)
    return QueueTargets(sl_target=sum(t * n for t, n in offered) / total) if total else QueueTargets()


def _chart(viewer: Viewer, rows: Sequence[ReportRow], keys: Sequence[str], *, by_dims: bool) -> dict[str, Any] | None:
    """Bars of the first count KPI and a line of the first rate (right axis, percent) over the periods, or over
    the dimension values of a whole-range report."""
    count = next((k for k in keys if kpi(k).unit == "count"), None)
    rate = next((k for k in keys if kpi(k).unit == "fraction"), None)
    if not rows or (count is None and rate is None):
        return None
    rows = rows[:_CHART_POINTS]
    labels = [" · ".join(str(v) for _, v in r.dims) if by_dims else r.period for r in rows]
    label = _label(viewer)
    datasets: list[dict[str, Any]] = []
    if count is not None:
        datasets.append({"label": label(count), "data": [r.kpis.get(count) for r in rows], "yAxisID": "y"})
    if rate is not None:
        datasets.append({"label": label(rate) + " (%)", "type": "line", "yAxisID": "rate", "data": [
            None if r.kpis.get(rate) is None else round(float(r.kpis[rate] or 0) * 100, 1) for r in rows]})
    return {"type": "bar", "data": {"labels": labels, "datasets": datasets}, "options": {
        "maintainAspectRatio": False, "scales": {"y": {"beginAtZero": True, "position": "left"},
                                                 "rate": {"beginAtZero": True, "max": 100, "position": "right",
                                                          "grid": {"drawOnChartArea": False}}}}}


_CHART_POINTS = 400


def _for_pages(params: KpiParams) -> KpiParams:
    """The parameters as the builder and its exports read them: the default KPIs when none are chosen, FCR's
    base beside FCR, and FCR blank below ``FCR_MIN_BASE`` unless the query says otherwise."""
    chosen = [k.strip() for k in (params.kpis or "").split(",") if k.strip()] or list(DEFAULT_KPIS)
    if "fcr" in chosen and "fcr_base" not in chosen:
        chosen.insert(chosen.index("fcr") + 1, "fcr_base")
    return replace(params, kpis=",".join(chosen),
                   fcr_min_base=FCR_MIN_BASE if params.fcr_min_base is None else params.fcr_min_base)


@router.get("/reports/builder", response_class=HTMLResponse, include_in_schema=False)
def builder(request: Request, conn: ConnDep, settings: SettingsDep, reads: KpiReadsDep, viewer: ViewerDep,
            params: KpiParamsDep, data: ReportDataDep, sl_basis: SlBasis = "queue",
            page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> HTMLResponse:
    """Choose grain, dimensions, KPIs (by name) and range; the result has a chart, a totals row, pages of
    ``PAGE_ROWS`` rows and links to the calls behind each row; all rows export to CSV and XLSX."""
    params = _for_pages(params)
    chosen = (params.kpis or "").split(",")
    context: dict[str, Any] = {"rows": None, "error": None}
    try:
        if params.start and params.end:
            context.update(_builder_result(request, conn, reads, viewer, params, page, sl_basis))
    except InvalidInput as exc:  # answered on the form, with everything chosen kept
        context.update(rows=None, error=exc)
    if not params.start and not params.end:  # a first visit: offer the month up to the latest day with data
        latest = _latest_day(conn, viewer, data)
        if latest is not None:
            params = replace(params, start=latest.replace(day=1).isoformat(), end=latest.isoformat())
    return _page(request, viewer, "reports/builder.html", data, {
        **context, "params": params, "grains": [g.value for g in Grain], "dims": CALL_DIMENSIONS,
        "all_kpis": [(k.key, _label(viewer)(k.key), k.formula) for k in KPIS], "chosen": chosen,
        "chosen_dims": [d.strip() for d in (params.by or "").split(",") if d.strip()],
        "query": urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"]),
        "site_tz": settings.site_tz, "page_rows": PAGE_ROWS, "sl_basis": sl_basis},
        status_code=400 if context["error"] else 200)


def _builder_thresholds(req: KpiRequest, targets: Mapping[str, QueueTargets],
                        sl_basis: str) -> QueueThresholds | None:
    """Each queue's own threshold for a report by queue (unless ``sl_basis`` is fixed); None: the request's."""
    if sl_basis != "queue" or "queue" not in req.dims:
        return None
    return queue_thresholds(targets, req.options.sl_threshold_s)


def _builder_result(request: Request, conn: ConnDep, reads: KpiReads, viewer: Viewer, params: KpiParams,
                    page: int, sl_basis: str) -> dict[str, Any]:
    """The builder's result: one page of rows, the totals row, the chart and the paging links."""
    context: dict[str, Any] = {}
    req = params.request(viewer.tz.key)
    targets = site_queue_targets(conn)
    thresholds = _builder_thresholds(req, targets, sl_basis)
    rows = reads.report(req, thresholds)
    page, first_index, pages = page_of(len(rows), page)
    show = _show(viewer)
    keys = list(rows[0].as_dict()) if rows else []
    shown = rows[first_index:first_index + PAGE_ROWS]

    def threshold(row: ReportRow) -> float:
        return req.options.sl_threshold_s if thresholds is None else thresholds.of(dict(row.dims).get("queue"))

    queues = [dict(r.dims)["queue"] for r in rows] if "queue" in req.dims else []
    context.update(
        rows=[row_cells(r.as_dict(), keys, show=show, targets=targets, sl_threshold_s=threshold(r),
                        drill=drill_params(r, grain=req.grain, zone=req.tz, first=req.start, last=req.end,
                                           scenario=req.scenario)) for r in shown],
        keys=keys, page=page, pages=pages, row_count=len(rows), first_row=first_index + 1,
        last_row=first_index + len(shown), zone=req.tz,
        defaults_used=not any(targets.get(str(q), QueueTargets()).from_queue for q in queues),
        threshold_note=(viewer.t("reports.threshold_all", t=f"{req.options.sl_threshold_s:g}") if thresholds is None
                        else _threshold_note(viewer, thresholds, queues)))
    if len(rows) > 1:
        totals = reads.report(replace(req, grain=Grain.TOTAL, dims=()), thresholds)
        if totals:
            total = {**totals[0].as_dict(), "period": viewer.t("reports.totals")}
            total.update({d: "" for d in req.dims})
            common = _common_target(targets, queues) if queues else QueueTargets()
            mixed = thresholds is not None and len({thresholds.of(q) for q in queues}) > 1
            cells = row_cells(total, keys, show=lambda k, v: v if k == "period" else show(k, v),
                              targets={"": common or QueueTargets()}, sl_threshold_s=req.options.sl_threshold_s,
                              drill=drill_params(totals[0], grain=Grain.TOTAL, zone=req.tz, first=req.start,
                                                 last=req.end, scenario=req.scenario))
            # not judged when the queues' targets differ; no missed-SL link when their thresholds do
            context["totals"] = [Cell(c.text, c.judged if common is not None else None,
                                      None if mixed and key == "service_level" else c.href)
                                 for key, c in zip(keys, cells, strict=True)]
    chart_rows = rows if req.grain == Grain.TOTAL or not req.dims else \
        reads.report(replace(req, dims=(), compare_previous=False), thresholds)
    context["chart"] = _chart(viewer, chart_rows, req.kpis, by_dims=req.grain == Grain.TOTAL and bool(req.dims))
    context["page_link"] = lambda n: "/reports/builder?" + urlencode(
        [(k, v) for k, v in request.query_params.multi_items() if k != "page"] + [("page", str(n))])
    return context


def export_columns(viewer: Viewer, rows: Sequence[dict[str, Any]], zone: str) -> list[Column]:
    """The export's columns: headers in the viewer's language, the period's zone named."""
    return kpi_columns(columns_of(rows), label=_label(viewer), previous=viewer.t("reports.previous"), zone=zone,
                       seconds=viewer.t("reports.unit_seconds"))


@router.get("/reports/export", include_in_schema=False)
def export(request: Request, conn: ConnDep, reads: KpiReadsDep, viewer: ViewerDep, params: KpiParamsDep,
           format: Literal["csv", "xlsx"] = "csv",
           encoding: Annotated[str | None, Query(description="utf-8 (with BOM, default) or gb18030")] = None,
           sl_basis: SlBasis = "queue") -> Response:
    """The builder's result, every row, as a CSV (UTF-8 with BOM, or GB18030) or XLSX download."""
    params = _for_pages(params)
    codec = csv_encoding(encoding)
    req = params.request(viewer.tz.key)
    rows = [r.as_dict() for r in reads.report(req, _builder_thresholds(req, site_queue_targets(conn), sl_basis))]
    columns = export_columns(viewer, rows, req.tz)
    name = "-".join(["callops-kpi", *([params.scenario] if params.scenario else []), str(params.start),
                     str(params.end)])
    if format == "xlsx":
        return Response(table_xlsx(rows, columns, sheet="kpi"), headers=attachment(f"{name}.xlsx"),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    charset = "gb18030" if codec == "gb18030" else "utf-8"
    return Response(table_csv(rows, columns, encoding=codec), media_type=f"text/csv; charset={charset}",
                    headers=attachment(f"{name}.csv"))


@router.get("/reports/agents", response_class=HTMLResponse, include_in_schema=False)
def scorecards(request: Request, conn: ConnDep, user: ReportsUser, viewer: ViewerDep, data: ReportDataDep,
               start: Annotated[str | None, Query(alias="from")] = None,
               end: Annotated[str | None, Query(alias="to")] = None) -> HTMLResponse:
    """One card per agent: inbound handling, occupancy, away time, outbound results (seed 000)."""
    last = parse_date(end, field="to") or _latest_day(conn, viewer, data)
    first = parse_date(start, field="from") or (last.replace(day=1) if last else None)
    rows = (agent_report(conn, start=first, end=last, tz=viewer.tz.key, scenario=data.name,
                         only_agents=team_scope(conn, user))
            if first and last else [])
    return _page(request, viewer, "reports/agents.html", data, {"rows": rows, "first": first, "last": last})


_PERIODS = {"daily": Grain.DAY, "weekly": Grain.WEEK, "monthly": Grain.MONTH}


def _period_range(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    if kind == "daily":
        return day, day
    if kind == "weekly":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    first = day.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def _period_totals(row: ReportRow, targets: Mapping[str, QueueTargets], thresholds: QueueThresholds,
                   queues: Sequence[object], *, first: dt.date, last: dt.date, tz: str,
                   scenario: str | None) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Per KPI of a period's totals: (this period judged, previous judged, link to this period's calls). Judged
    only when the queues share one target; the missed-SL link only when they share one threshold."""
    common = _common_target(targets, queues)
    used = {thresholds.of(q) for q in queues} or {thresholds.default_s}
    params = drill_params(row, grain=Grain.TOTAL, zone=tz, first=first, last=last, scenario=scenario)
    out = {}
    for key in PERIOD_KPIS:
        href = None if key == "service_level" and len(used) > 1 else kpi_href(params, key,
                                                                            sl_threshold_s=min(used))
        previous = None if row.previous is None else row.previous.get(key)
        out[key] = (None if common is None else judge(key, row.kpis.get(key), common),
                    None if common is None else judge(key, previous, common), href)
    return out


@router.get("/reports/{kind}", response_class=HTMLResponse, include_in_schema=False)
def period_report(request: Request, kind: Literal["daily", "weekly", "monthly"], conn: ConnDep, reads: KpiReadsDep,
                  viewer: ViewerDep, data: ReportDataDep, date: str | None = None) -> HTMLResponse:
    """A printable report of one day, ISO week or month: totals against the previous period, by queue, and
    the volume over the period (30-minute intervals for a day, days otherwise)."""
    day = parse_date(date, field="date") or _latest_day(conn, viewer, data)
    context: dict[str, Any] = {"kind": kind, "day": day, "kpis": PERIOD_KPIS}
    if day is not None:
        tz = viewer.tz.key
        first, last = _period_range(kind, day)
        grain = _PERIODS[kind]
        targets = site_queue_targets(conn)
        thresholds = _site_thresholds(targets)
        total = reads.report(KpiRequest(start=first, end=last, grain=grain, tz=tz, kpis=PERIOD_KPIS,
                                            compare_previous=True, agent_states=False, scenario=data.name),
                     thresholds)
        by_queue = reads.report(KpiRequest(start=first, end=last, grain=Grain.TOTAL, tz=tz, dims=("queue",),
                                               kpis=PERIOD_KPIS, agent_states=False, scenario=data.name),
                        thresholds)
        series_grain = Grain.MIN30 if kind == "daily" else Grain.DAY
        series = reads.report(KpiRequest(start=first, end=last, grain=series_grain, tz=tz,
                                             kpis=("offered", "service_level"), agent_states=False,
                                             scenario=data.name), thresholds)
        volume = {r.period[-5:] if kind == "daily" else r.period: r.kpis["offered"] for r in series}
        if kind == "daily":
            volume = {x: volume.get(x, 0) for x in sorted(set(volume) | set(_HALF_HOURS))}
        queues = [dict(r.dims)["queue"] for r in by_queue]
        queue_keys = ["queue", *PERIOD_KPIS]
        context.update(
            first=first, last=last, total=total[0] if total else None, queue_keys=queue_keys,
            by_queue=[(row_cells({"queue": queue or "–", **r.kpis}, queue_keys, show=_show(viewer), targets=targets,
                                 sl_threshold_s=thresholds.of(queue),
                                 drill=drill_params(r, grain=Grain.TOTAL, zone=tz, first=first, last=last,
                                                    scenario=data.name)), thresholds.of(queue))
                      for r, queue in zip(by_queue, queues, strict=True)],
            threshold_note=_threshold_note(viewer, thresholds, queues),
            defaults_used=not any(targets.get(str(q), QueueTargets()).from_queue for q in queues),
            series=series, chart={"type": "bar", "data": {
                "labels": list(volume), "datasets": [{"label": _label(viewer)("offered"),
                                                      "data": list(volume.values())}]},
                "options": {"scales": {"y": {"beginAtZero": True}}, "maintainAspectRatio": False}},
            prev_day=first - dt.timedelta(days=1), next_day=last + dt.timedelta(days=1))
        if total:
            context["totals"] = _period_totals(total[0], targets, thresholds, queues, first=first, last=last,
                                               tz=tz, scenario=data.name)
    return _page(request, viewer, "reports/period.html", data, context)
