"""Reports: the KPI API, a dashboard, a report builder with CSV/XLSX export, agent scorecards, and
printable daily, weekly and monthly reports. Every number comes from ``callops.store.kpi_query``, the
same code the ``callops report`` commands run, so CLI, API and pages agree.

Every page and API takes ``scenario``: empty for real calls (the default), or the name of a saved
simulation run (``callops simulate --save``); pages then show a "simulated data" banner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import HTMLResponse, Response

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
    parse_dims,
    parse_span,
    report_zone,
)
from callops.permissions import Permission
from callops.services.report_files import rows_to_csv, rows_to_xlsx
from callops.services.team_scope import team_scope
from callops.store.call_volume import last_day_with_calls
from callops.store.kpi_query import agent_report, kpi_report
from callops.store.records import CallFilter
from callops.store.scenarios import SavedScenario, get_scenario, list_scenarios
from callops.store.users import User
from callops.web.deps import ConnDep, SettingsDep, ViewerDep, require
from callops.web.downloads import attachment
from callops.web.filters import parse_date
from callops.web.nav import NavItem
from callops.web.rendering import render
from callops.web.viewer import Viewer

router = APIRouter()

NAV = (NavItem("nav.reports", "/reports", permission=Permission.VIEW_REPORTS, order=30,
               description_key="reports.card"),)

ReportsUser = Annotated[User, require(Permission.VIEW_REPORTS)]
DASHBOARD_KPIS = ("offered", "answered", "service_level", "asa_s", "abandon_rate", "aht_s")
PERIOD_KPIS = ("offered", "answered", "abandoned", "answer_rate", "service_level", "abandon_rate", "loss_rate",
               "asa_s", "aht_s", "longest_wait_s")


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

    def request(self, site_tz: str) -> KpiRequest:
        return kpi_request_from_text(start=self.start, end=self.end, tz=self.tz, site_tz=site_tz, grain=self.grain,
                                     by=self.by, kpis=self.kpis, sl_threshold=self.sl_threshold,
                                     sl_denominator=self.sl_denominator, short_abandon=self.short_abandon,
                                     fcr_days=self.fcr_days, compare_previous=self.compare_previous,
                                     scenario=self.scenario)


ScenarioQuery = Annotated[str | None, Query(description="A saved simulation scenario to report (default: real calls)")]


def _kpi_params(
    start: Annotated[str | None, Query(alias="from", description="First day, inclusive (YYYY-MM-DD)")] = None,
    end: Annotated[str | None, Query(alias="to", description="Last day, inclusive (YYYY-MM-DD)")] = None,
    grain: Annotated[str, Query(description="15min, 30min, 60min, hour, day, week, month, quarter, year, total")]
    = "day",
    by: Annotated[str | None, Query(description="Dimensions: queue,call_type,team,agent,priority,source")] = None,
    tz: Annotated[str | None, Query(description="Report zone (default the site's)")] = None,
    kpis: Annotated[str | None, Query(description="KPI keys, comma-separated")] = None,
    sl_threshold: float = 20.0, sl_denominator: SlDenominator = SlDenominator.OFFERED, short_abandon: float = 0.0,
    fcr_days: int = 7, compare_previous: bool = False, scenario: ScenarioQuery = None,
) -> KpiParams:
    return KpiParams(start, end, grain, by, tz, kpis, sl_threshold, sl_denominator, short_abandon, fcr_days,
                     compare_previous, scenario or None)


KpiParamsDep = Annotated[KpiParams, Depends(_kpi_params)]


@dataclass(frozen=True, slots=True)
class ReportData:
    """What a report page shows: real calls (``scenario`` None) or a saved scenario, and the saved ones to pick."""

    scenario: SavedScenario | None
    saved: list[SavedScenario]

    @property
    def name(self) -> str | None:
        return None if self.scenario is None else self.scenario.name

    @property
    def query(self) -> str:
        """``scenario=NAME`` for links that keep the choice; empty for real calls."""
        return "" if self.scenario is None else urlencode({"scenario": self.scenario.name})


def _report_data(conn: ConnDep, scenario: ScenarioQuery = None) -> ReportData:
    """The page's data choice; an unknown scenario is NotFound (404)."""
    return ReportData(get_scenario(conn, scenario) if scenario else None, list_scenarios(conn))


ReportDataDep = Annotated[ReportData, Depends(_report_data)]


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


@router.get("/api/reports/kpi", tags=["reports"], response_model=list[KpiRowOut])
def api_kpi(conn: ConnDep, settings: SettingsDep, user: ReportsUser, params: KpiParamsDep) -> list[dict[str, Any]]:
    """KPI rows, exactly as ``callops report kpi --format json``: ``period``, the ``by`` columns, then the KPIs
    (rates as fractions; ``prev_<kpi>`` with ``compare_previous``)."""
    return [r.as_dict() for r in _kpi(conn, user, params.request(settings.site_tz))]


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
        if key in {k.key for k in KPIS}:
            definition = kpi(key)
            return definition.zh if viewer.locale == "zh-CN" else definition.en
        return viewer.t(f"reports.col.{key}") if key in CALL_DIMENSIONS or key == "period" else key

    return label


def _page(request: Request, viewer: Viewer, template: str, data: ReportData, context: dict[str, Any]) -> HTMLResponse:
    return render(request, viewer, template, {"show": _show(viewer), "label": _label(viewer), "data": data,
                                              **context})


def _kpi(conn: ConnDep, user: User, request: KpiRequest) -> list[ReportRow]:
    """The KPI report ``user`` may see: a team lead's covers only the agents of their teams."""
    return kpi_report(conn, replace(request, agents=team_scope(conn, user)))


def _latest_day(conn: ConnDep, viewer: Viewer, data: ReportData) -> dt.date | None:
    return last_day_with_calls(conn, CallFilter(scenario=data.name), tz=viewer.tz.key)


def _one(conn: ConnDep, user: User, data: ReportData, start: dt.date, end: dt.date, tz: str,
         keys: Sequence[str]) -> dict[str, Any]:
    rows = _kpi(conn, user, KpiRequest(start=start, end=end, grain=Grain.TOTAL, tz=tz, kpis=tuple(keys),
                                       agent_states=False, scenario=data.name))
    return dict(rows[0].kpis) if rows else {}


_HALF_HOURS = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 1440, 30))


def _intervals(conn: ConnDep, user: User, data: ReportData, day: dt.date, tz: str) -> dict[str, int]:
    rows = _kpi(conn, user, KpiRequest(start=day, end=day, grain=Grain.MIN30, tz=tz, kpis=("offered",),
                                       agent_states=False, scenario=data.name))
    return {r.period[-5:]: int(r.kpis["offered"] or 0) for r in rows}


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def dashboard(request: Request, conn: ConnDep, user: ReportsUser, viewer: ViewerDep,
              data: ReportDataDep) -> HTMLResponse:
    """Today (the latest day with data) and this week against last week; volume by 30-minute interval."""
    today = _latest_day(conn, viewer, data)
    context: dict[str, Any] = {"today": today, "kpis": DASHBOARD_KPIS}
    if today is not None:
        tz = viewer.tz.key
        monday = today - dt.timedelta(days=today.weekday())
        week_ago = today - dt.timedelta(days=7)
        context.update(
            day=_one(conn, user, data, today, today, tz, DASHBOARD_KPIS),
            day_before=_one(conn, user, data, week_ago, week_ago, tz, DASHBOARD_KPIS),
            week=_one(conn, user, data, monday, today, tz, DASHBOARD_KPIS),
            last_week=_one(conn, user, data, monday - dt.timedelta(days=7), week_ago, tz, DASHBOARD_KPIS),
            monday=monday, week_ago=week_ago)
        now, then = _intervals(conn, user, data, today, tz), _intervals(conn, user, data, week_ago, tz)
        labels = sorted(set(now) | set(then) | set(_HALF_HOURS))
        context["chart"] = {"type": "bar", "data": {"labels": labels, "datasets": [
            {"label": viewer.fmt.date(today), "data": [now.get(x, 0) for x in labels]},
            {"label": viewer.fmt.date(week_ago), "data": [then.get(x, 0) for x in labels], "type": "line"}]},
            "options": {"scales": {"y": {"beginAtZero": True}}, "maintainAspectRatio": False}}
        context["intervals"] = [(x, now.get(x, 0), then.get(x, 0)) for x in labels]
    return _page(request, viewer, "reports/dashboard.html", data, context)


@router.get("/reports/builder", response_class=HTMLResponse, include_in_schema=False)
def builder(request: Request, conn: ConnDep, settings: SettingsDep, user: ReportsUser, viewer: ViewerDep,
            params: KpiParamsDep, data: ReportDataDep) -> HTMLResponse:
    """Choose grain, dimensions, KPIs and range; the result table exports to CSV and XLSX."""
    rows: list[dict[str, Any]] | None = None
    if params.start and params.end:
        rows = [r.as_dict() for r in _kpi(conn, user, params.request(viewer.tz.key))]
    chosen = [k.strip() for k in (params.kpis or "").split(",") if k.strip()] or list(DEFAULT_KPIS)
    return _page(request, viewer, "reports/builder.html", data, {
        "rows": rows, "params": params, "grains": [g.value for g in Grain], "dims": CALL_DIMENSIONS,
        "all_kpis": [k.key for k in KPIS], "chosen": chosen, "chosen_dims": parse_dims(params.by),
        "query": request.url.query, "site_tz": settings.site_tz})


@router.get("/reports/export", include_in_schema=False)
def export(request: Request, conn: ConnDep, user: ReportsUser, viewer: ViewerDep, params: KpiParamsDep,
           format: Literal["csv", "xlsx"] = "csv") -> Response:
    """The builder's result as a CSV or XLSX download."""
    rows = [r.as_dict() for r in _kpi(conn, user, params.request(viewer.tz.key))]
    name = "-".join(["callops-kpi", *([params.scenario] if params.scenario else []), str(params.start),
                     str(params.end)])
    if format == "xlsx":
        return Response(rows_to_xlsx(rows, sheet="kpi"), headers=attachment(f"{name}.xlsx"),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(rows_to_csv(rows), media_type="text/csv; charset=utf-8",
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


@router.get("/reports/{kind}", response_class=HTMLResponse, include_in_schema=False)
def period_report(request: Request, kind: Literal["daily", "weekly", "monthly"], conn: ConnDep, user: ReportsUser,
                  viewer: ViewerDep, data: ReportDataDep, date: str | None = None) -> HTMLResponse:
    """A printable report of one day, ISO week or month: totals against the previous period, by queue, and
    the volume over the period (30-minute intervals for a day, days otherwise)."""
    day = parse_date(date, field="date") or _latest_day(conn, viewer, data)
    context: dict[str, Any] = {"kind": kind, "day": day, "kpis": PERIOD_KPIS}
    if day is not None:
        tz = viewer.tz.key
        first, last = _period_range(kind, day)
        grain = _PERIODS[kind]
        total = _kpi(conn, user, KpiRequest(start=first, end=last, grain=grain, tz=tz, kpis=PERIOD_KPIS,
                                            compare_previous=True, agent_states=False, scenario=data.name))
        by_queue = _kpi(conn, user, KpiRequest(start=first, end=last, grain=Grain.TOTAL, tz=tz, dims=("queue",),
                                               kpis=PERIOD_KPIS, agent_states=False, scenario=data.name))
        series_grain = Grain.MIN30 if kind == "daily" else Grain.DAY
        series = _kpi(conn, user, KpiRequest(start=first, end=last, grain=series_grain, tz=tz,
                                             kpis=("offered", "service_level"), agent_states=False,
                                             scenario=data.name))
        volume = {r.period[-5:] if kind == "daily" else r.period: r.kpis["offered"] for r in series}
        if kind == "daily":
            volume = {x: volume.get(x, 0) for x in sorted(set(volume) | set(_HALF_HOURS))}
        context.update(first=first, last=last, total=total[0] if total else None, by_queue=by_queue,
                       series=series, chart={"type": "bar", "data": {
                           "labels": list(volume), "datasets": [{"label": _label(viewer)("offered"),
                                                                 "data": list(volume.values())}]},
                           "options": {"scales": {"y": {"beginAtZero": True}}, "maintainAspectRatio": False}},
                       prev_day=first - dt.timedelta(days=1), next_day=last + dt.timedelta(days=1))
    return _page(request, viewer, "reports/period.html", data, context)
