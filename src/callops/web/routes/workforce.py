"""Workforce pages: the staffing calculator, the forecast from call history, and staffing plans.

The calculator answers on the server for the values in its query string and, as one types, in the
browser through ``/api/workforce/staffing`` and ``/api/workforce/erlang`` (static/js/workforce.js).
A plan's page checks it by simulation (a form posting to ``/workforce/plans/{name}/simulate``, which needs
the run_simulations right and stays within the simulation page's ``MAX_CALLS``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.errors import InvalidInput, TimeLimit
from callops.permissions import Permission, allowed
from callops.scheduling import StaffingPlan, compare_plan_totals, plan_totals, recovery_agents
from callops.services.people_staffing import plan_staff
from callops.services.plan_check import PlanCheck, check_plan
from callops.services.plan_deletion import delete_plan_audited
from callops.services.workforce import (
    SITE_CALENDAR,
    HistoryForecast,
    HistorySpec,
    create_plan,
    forecast_history,
    load_plan_ref,
    place_of,
)
from callops.services.workforce_json import erlang_answer, staffing_answer
from callops.store.plans import list_plans, load_plan
from callops.web.deps import ConnDep, DeadlineDep, NowDep, SettingsDep, User, ViewerDep, require
from callops.web.filters import parse_date
from callops.web.form_input import (
    FORM_ERRORS,
    FormValuesDep,
    field_errors,
    rate_readings,
    read_number,
    read_rate,
)
from callops.web.i18n import Translator
from callops.web.nav import NavItem
from callops.web.reason_keys import say_reason
from callops.web.rendering import render
from callops.web.routes.simulation import MAX_CALLS, MAX_REPLICATIONS
from callops.web.routes.workforce_charts import comparison_chart, forecast_chart, plan_chart, simulation_chart
from callops.web.routes.workforce_models import ErlangIn, PlanIn, PlanSimulationIn, StaffingIn
from callops.web.state import web_state
from callops.web.viewer import Viewer

router = APIRouter(include_in_schema=False)

NAV = (NavItem("nav.workforce", "/workforce", permission=Permission.PLAN_WORKFORCE, order=40,
               description_key="wf.card"),)

Planner = Annotated[User, require(Permission.PLAN_WORKFORCE)]
Simulator = Annotated[User, require(Permission.RUN_SIMULATIONS)]

CALCULATOR_DEFAULTS = {"calls": "100", "interval_min": "30", "aht_s": "180", "service_level": "0.8",
                       "sl_time_s": "20", "patience_s": "", "shrinkage": "0.3", "distressing_share": "0",
                       "recovery_s": "0", "agents": "14"}
HISTORY_DAYS = 35
HOLIDAYS = (SITE_CALENDAR, "CN", "US", "IL", "none")


def _calculate(values: dict[str, str],
               t: Translator) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str | None]:
    """(staffing answer, what-if answer for the typed agents, error message) for the calculator's values."""
    try:
        common: dict[str, Any] = {
            "calls": read_number(values, "calls"), "interval_min": int(read_number(values, "interval_min") or 30),
            "aht_s": read_number(values, "aht_s"), "sl_time_s": read_number(values, "sl_time_s") or 0.0,
            "patience_s": read_number(values, "patience_s")}
        rates = {field: read_rate(values, field, default=0.0).value for field in ("shrinkage", "distressing_share")}
        sl_text = values.get("service_level", "").strip()
        need = StaffingIn.model_validate(common | rates | {
            "service_level": read_rate(values, "service_level", default=0.0).value if sl_text else None,
            "recovery_s": read_number(values, "recovery_s") or 0.0})
        staffing = staffing_answer(calls=need.calls, interval_s=need.interval_s, aht_s=need.aht_s,
                                   targets=need.targets(), patience_s=need.patience_s, shrinkage=need.shrinkage,
                                   distressing_share=need.distressing_share, recovery_s=need.recovery_s)
        agents = read_number(values, "agents")
        what_if = None
        if agents is not None:
            given = ErlangIn.model_validate(common | {"agents": int(agents)})
            what_if = erlang_answer(calls=given.calls, interval_s=given.interval_s, aht_s=given.aht_s,
                                    agents=given.agents, sl_time_s=given.sl_time_s, patience_s=given.patience_s)
        return staffing, what_if, None
    except FORM_ERRORS as exc:
        field, message = next(iter(field_errors(exc, t, CALCULATOR_DEFAULTS).items()))
        return None, None, t("form.field_error", field=field, message=message) if field else message


@router.get("/workforce", response_class=HTMLResponse)
def calculator_page(request: Request, user: Planner, viewer: ViewerDep) -> HTMLResponse:
    values = {key: request.query_params.get(key, default) for key, default in CALCULATOR_DEFAULTS.items()}
    staffing, what_if, error = _calculate(values, viewer.t)
    return render(request, viewer, "workforce/calculator.html", {
        "values": values, "staffing": staffing, "what_if": what_if, "error": error, "tab": "calculator"})


def _forecast_context(made: HistoryForecast, zone: zoneinfo.ZoneInfo, viewer: Viewer) -> dict[str, Any]:
    """The forecast page's data: aware forecast rows with the first band, the last 14 days of history, the chart."""
    band = made.run.forecast.bands[0] if made.run.forecast.bands else None
    forecast = [(start.replace(tzinfo=zone), float(mean), float(band.lo[k]) if band else None,
                 float(band.hi[k]) if band else None)
                for k, (start, mean) in enumerate(zip(made.starts, made.run.forecast.mean, strict=True))]
    shown_from = made.history.starts[-1] - dt.timedelta(days=14)
    history = [(start.replace(tzinfo=zone), float(calls))
               for start, calls in zip(made.history.starts, made.history.calls, strict=True) if start > shown_from]
    return {"made": made, "report": made.report(), "forecast": forecast, "band_level": band.level if band else None,
            "total": sum(mean for _, mean, _, _ in forecast),
            "chart": forecast_chart(viewer.t, viewer.tz, history=history, forecast=forecast,
                                    grain_min=made.history.grain_min)}


@router.get("/workforce/forecast", response_class=HTMLResponse)
def forecast_page(request: Request, conn: ConnDep, settings: SettingsDep, user: Planner, viewer: ViewerDep,
                  deadline: DeadlineDep, queue: str | None = None, grain: int = 30, horizon: str = "14d",
                  holidays: str = SITE_CALENDAR, model: str = "auto") -> HTMLResponse:
    from callops.forecast import MODELS

    params = request.query_params
    place = place_of(conn, queue or None, fallback_tz=settings.site_tz)
    zone = zoneinfo.ZoneInfo(place.tz)
    last = parse_date(params.get("to"), field="to") or place.last_day
    first = (parse_date(params.get("from"), field="from")
             or (last - dt.timedelta(days=HISTORY_DAYS - 1) if last else None))
    form = {"queue": queue or "", "from": first.isoformat() if first else "", "to": last.isoformat() if last else "",
            "grain": grain, "horizon": horizon, "holidays": holidays, "model": model}
    context: dict[str, Any] = {"form": form, "holiday_choices": HOLIDAYS, "tab": "forecast", "made": None,
                               "error": None, "error_key": None, "place": place,
                               "model_choices": ("auto", *MODELS)}
    if first is not None and last is not None:
        from callops.forecast import parse_horizon

        try:
            if model != "auto" and model not in MODELS:
                raise InvalidInput(f"no model {model!r}", field="model")
            made = forecast_history(conn, queue=queue or None, start=first, end=last, tz=settings.site_tz,
                                    grain_min=grain, horizon_days=parse_horizon(horizon), model=model,
                                    holidays=holidays, deadline=deadline)
        except (InvalidInput, TimeLimit) as exc:
            context["error"] = str(exc)
            too_short = isinstance(exc, InvalidInput) and exc.field == "model" and model == "auto"
            context["error_key"] = "wf.too_short_for_auto" if too_short else None
        else:
            context.update(_forecast_context(made, zone, viewer))
    return render(request, viewer, "workforce/forecast.html", context)


PLAN_FORM = {"name": "", "queue": "", "horizon": "14d", "holidays": SITE_CALENDAR, "interval_min": "30",
             "service_level": "0.8", "sl_time_s": "20", "shrinkage": "0.3", "patience_s": "",
             "distressing_share": "0", "recovery_s": "0"}
PLAN_FIELDS = (*PLAN_FORM, "history_from", "history_to")
PLAN_RATES = ("service_level", "shrinkage", "distressing_share")  # typed as 0.8, 80 or 80 %


def _plans_page(request: Request, conn: ConnDep, settings: SettingsDep, viewer: ViewerDep, *,
                values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                status_code: int = 200) -> HTMLResponse:
    """The saved plans and the build form: its defaults, or what was typed with the errors beside the fields."""
    place = place_of(conn, None, fallback_tz=settings.site_tz)  # the data's zone and calendar, not the server's
    last = place.last_day
    form = PLAN_FORM | {"history_from": (last - dt.timedelta(days=HISTORY_DAYS - 1)).isoformat() if last else "",
                        "history_to": last.isoformat() if last else ""}
    return render(request, viewer, "workforce/plans.html", {
        "plans": list_plans(conn), "tab": "plans", "form": form | (values or {}), "errors": errors or {},
        "readings": rate_readings(values or {}, PLAN_RATES, viewer.t), "holiday_choices": HOLIDAYS,
        "place": place}, status_code=status_code)


@router.get("/workforce/plans", response_class=HTMLResponse)
def plans_page(request: Request, conn: ConnDep, settings: SettingsDep, user: Planner,
               viewer: ViewerDep) -> HTMLResponse:
    return _plans_page(request, conn, settings, viewer)


def _plan_from_form(values: dict[str, str]) -> tuple[PlanIn, HistorySpec]:
    """The build form's text as a plan body and its history; rates read as typed (0.8, 80 or 80 %)."""
    from callops.forecast import parse_horizon

    start = parse_date(values.get("history_from"), field="history_from")
    end = parse_date(values.get("history_to"), field="history_to")
    if start is None:
        raise InvalidInput("give the first day of history", field="history_from")
    if end is None:
        raise InvalidInput("give the last day of history", field="history_to")
    rates = {field: read_rate(values, field, default=float(PLAN_FORM[field])).value for field in PLAN_RATES}
    numbers = {field: read_number(values, field, default=float(PLAN_FORM[field]))
               for field in ("interval_min", "sl_time_s", "recovery_s")}
    body = PlanIn.model_validate(rates | numbers | {
        "name": values.get("name", ""), "patience_s": read_number(values, "patience_s"),
        "interval_min": values.get("interval_min", "30").strip() or "30"})
    holidays = values.get("holidays", SITE_CALENDAR).strip() or SITE_CALENDAR
    if holidays not in HOLIDAYS:
        raise InvalidInput(f"give one of {', '.join(HOLIDAYS)}", field="holidays")
    try:
        horizon = parse_horizon(values.get("horizon", "14d").strip() or "14d")
    except InvalidInput as exc:
        raise InvalidInput(exc.reason, field="horizon") from exc
    spec = HistorySpec(start=start, end=end, horizon_days=horizon, queue=values.get("queue", "").strip() or None,
                       holidays=None if holidays == "none" else holidays)
    return body, spec


@router.post("/workforce/plans")
def create_plan_form(request: Request, conn: ConnDep, settings: SettingsDep, user: Planner, viewer: ViewerDep,
                     values: FormValuesDep) -> Response:
    try:
        body, spec = _plan_from_form(values)
        _, plan = create_plan(conn, body.targets(), name=body.name, now=dt.datetime.now(dt.UTC),
                              tz=settings.site_tz, history=spec, created_by=user.username)
    except FORM_ERRORS as exc:
        conn.rollback()
        errors = field_errors(exc, viewer.t, PLAN_FIELDS)
        return _plans_page(request, conn, settings, viewer, values=values, errors=errors, status_code=400)
    return RedirectResponse(f"/workforce/plans/{quote(plan.name, safe='')}?version={plan.version}", status_code=303)


@router.post("/workforce/plans/{name}/delete")
def delete_plan_form(name: str, conn: ConnDep, user: Planner, now: NowDep,
                     version: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Delete one version of the plan (``version``) or, without it, every version."""
    number = version.strip()
    if number and not (number.isdigit() and len(number) < 10):
        raise InvalidInput("a version is 1, 2, ...", field="version")
    delete_plan_audited(conn, name, int(number) if number else None, actor=user.username, at=now)
    return RedirectResponse("/workforce/plans", status_code=303)


@router.get("/workforce/plans/compare", response_class=HTMLResponse)
def compare_page(request: Request, conn: ConnDep, user: Planner, viewer: ViewerDep, a: str, b: str) -> HTMLResponse:
    plan_a, plan_b = load_plan_ref(conn, a), load_plan_ref(conn, b)
    comparison = compare_plan_totals(plan_a, plan_b)
    left, right = f"{plan_a.name}@{plan_a.version}", f"{plan_b.name}@{plan_b.version}"
    return render(request, viewer, "workforce/compare.html", {
        "a": plan_a, "b": plan_b, "left": left, "right": right, "comparison": comparison, "tab": "plans",
        "chart": comparison_chart(viewer.t, viewer.tz, comparison, a=left, b=right)})


def _plan_page(request: Request, conn: ConnDep, user: User, viewer: Viewer, plan: StaffingPlan, *,
               form: dict[str, str] | None = None, check: PlanCheck | None = None, error: str | None = None,
               status_code: int = 200) -> HTMLResponse:
    """The plan's totals, chart, versions and intervals; with ``check`` (or ``error``) its simulation's outcome."""
    versions = [(v, at) for n, v, at, _ in list_plans(conn) if n == plan.name]
    recovery = recovery_agents(plan)
    previous = max((v for v, _ in versions if v < plan.version), default=None)
    compare_url = None
    if previous is not None:
        query = urlencode({"a": f"{plan.name}@{previous}", "b": f"{plan.name}@{plan.version}"})
        compare_url = f"/workforce/plans/compare?{query}"
    hours = plan.targets.interval_min / 60
    return render(request, viewer, "workforce/plan.html", {
        "plan": plan, "totals": plan_totals(plan), "versions": versions, "tab": "plans",
        "rows": list(zip(plan.intervals, recovery.tolist(), strict=True)),
        "recovery_hours": float(recovery.sum()) * hours, "compare_url": compare_url,
        "chart": plan_chart(viewer.t, viewer.tz, plan),
        "can_simulate": allowed(user.role, Permission.RUN_SIMULATIONS), "max_replications": MAX_REPLICATIONS,
        "sim_form": {"replications": "10", "seed": "1"} | (form or {}), "sim_error": error, "check": check,
        "sim_chart": simulation_chart(viewer.t, viewer.tz, check) if check else None,
        "staff": plan_staff(conn, plan, tz=viewer.tz, today=web_state(request).clock().astimezone(viewer.tz).date())},
        status_code=status_code)


@router.get("/workforce/plans/{name}", response_class=HTMLResponse)
def plan_page(request: Request, name: str, conn: ConnDep, user: Planner, viewer: ViewerDep,
              version: int | None = None) -> HTMLResponse:
    return _plan_page(request, conn, user, viewer, load_plan(conn, name, version))


@router.post("/workforce/plans/{name}/simulate", response_class=HTMLResponse)
def simulate_plan_form(request: Request, name: str, conn: ConnDep, user: Simulator, viewer: ViewerDep,
                       deadline: DeadlineDep, version: Annotated[int | None, Form()] = None,
                       replications: Annotated[str, Form()] = "10",
                       seed: Annotated[str, Form()] = "1") -> HTMLResponse:
    plan = load_plan(conn, name, version)
    form = {"replications": replications, "seed": seed}
    try:
        body = PlanSimulationIn.model_validate({"replications": replications.strip(), "seed": seed.strip()})
        check = check_plan(plan, replications=body.replications, seed=body.seed, max_calls=MAX_CALLS,
                           deadline=deadline)
    except (ValidationError, InvalidInput) as exc:  # in the viewer's language, naming the field
        error = " ".join(field_errors(exc, viewer.t).values())
        return _plan_page(request, conn, user, viewer, plan, form=form, error=error, status_code=400)
    except TimeLimit as exc:
        return _plan_page(request, conn, user, viewer, plan, form=form, error=say_reason(str(exc), viewer.t),
                          status_code=exc.http_status)
    form = {"replications": str(body.replications), "seed": str(body.seed)}
    return _plan_page(request, conn, user, viewer, plan, form=form, check=check)
