"""API: the staffing calculator (Erlang C/A), forecasts from call history, and staffing plans.

``/erlang`` and ``/staffing`` answer with the keys and numbers of ``callops erlang --json`` and
``callops staffing --json``; plans and forecasts with the JSON of ``callops plan ... --json``; a plan checked
by simulation with that of ``callops simulate --plan ... --json``. Every endpoint needs the plan_workforce
right, but ``/plans/{name}/simulate``, which needs run_simulations (and at most ``MAX_CALLS`` simulated calls).
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from typing import Annotated, Any

from fastapi import APIRouter, Query

from callops.permissions import Permission
from callops.scheduling import compare_plan_totals
from callops.services.plan_check import check_plan, plan_check_json
from callops.services.plan_deletion import delete_plan_audited
from callops.services.workforce import (
    create_forecast,
    create_plan,
    forecast_history,
    forecast_versions,
    load_plan_ref,
    stored_forecast,
)
from callops.services.workforce_json import (
    comparison_json,
    erlang_answer,
    forecast_json,
    plan_json,
    staffing_answer,
)
from callops.store.plans import list_plans, load_plan
from callops.web.deps import ConnDep, DeadlineDep, NowDep, SettingsDep, User, require
from callops.web.routes.simulation import MAX_CALLS
from callops.web.routes.workforce_models import (
    ErlangIn,
    ErlangOut,
    ForecastEntryOut,
    ForecastIn,
    ForecastOut,
    ForecastRunOut,
    HistoryIn,
    PlanCheckOut,
    PlanComparisonOut,
    PlanEntryOut,
    PlanIn,
    PlanOut,
    PlanSimulationIn,
    StaffingIn,
    StaffingOut,
)

router = APIRouter(prefix="/api/workforce", tags=["workforce"])

Planner = Annotated[User, require(Permission.PLAN_WORKFORCE)]
Simulator = Annotated[User, require(Permission.RUN_SIMULATIONS)]


@router.post("/erlang", response_model=ErlangOut, response_model_exclude_unset=True)
def api_erlang(body: ErlangIn, user: Planner) -> dict[str, Any]:
    """P(wait), service level, ASA and occupancy that ``agents`` deliver; P(abandon) with a patience."""
    return erlang_answer(calls=body.calls, interval_s=body.interval_s, aht_s=body.aht_s, agents=body.agents,
                         sl_time_s=body.sl_time_s, patience_s=body.patience_s)


@router.post("/staffing", response_model=StaffingOut, response_model_exclude_unset=True)
def api_staffing(body: StaffingIn, user: Planner) -> dict[str, Any]:
    """The fewest agents meeting the targets, scheduled agents after shrinkage, and the recovery cost."""
    return staffing_answer(calls=body.calls, interval_s=body.interval_s, aht_s=body.aht_s, targets=body.targets(),
                           patience_s=body.patience_s, shrinkage=body.shrinkage,
                           distressing_share=body.distressing_share, recovery_s=body.recovery_s)


@router.get("/forecast", response_model=ForecastRunOut)
def api_forecast(conn: ConnDep, settings: SettingsDep, user: Planner, deadline: DeadlineDep,
                 history_from: Annotated[dt.date, Query()], history_to: Annotated[dt.date, Query()],
                 queue: str | None = None, grain_min: int = 30, horizon: str = "14d", model: str = "auto",
                 holidays: str = "site") -> dict[str, Any]:
    """History and forecast (local times with offsets in the queue's site zone, named by ``tz``), the prediction
    band and the backtest accuracy."""
    spec = HistoryIn(queue=queue, history_from=history_from, history_to=history_to, horizon=horizon, model=model,
                     holidays=holidays).spec()
    made = forecast_history(conn, queue=spec.queue, start=spec.start, end=spec.end, tz=settings.site_tz,
                            grain_min=grain_min, horizon_days=spec.horizon_days, model=spec.model,
                            holidays=spec.holidays, deadline=deadline)
    zone = zoneinfo.ZoneInfo(made.tz)
    history = [{"interval_start": s.replace(tzinfo=zone).isoformat(), "calls": float(c),
                "aht_s": float(a) if math.isfinite(a) else None}
               for s, c, a in zip(made.history.starts, made.history.calls, made.history.aht_s, strict=True)]
    rows = [dict(row, interval_start=start.replace(tzinfo=zone).isoformat())
            for row, start in zip(made.run.forecast.rows(), made.starts, strict=True)]
    return {"queue": spec.queue, "tz": made.tz, "grain_min": grain_min, "history": history,
            "forecast": rows, "report": made.report()}


@router.post("/forecast", status_code=201, response_model=ForecastOut)
def api_save_forecast(body: ForecastIn, conn: ConnDep, settings: SettingsDep, user: Planner,
                      deadline: DeadlineDep) -> dict[str, Any]:
    """Forecast from the store's history and save it as the next version of ``name``."""
    saved = create_forecast(conn, body.spec(), name=body.name, grain_min=body.grain_min, tz=settings.site_tz,
                            now=dt.datetime.now(dt.UTC), aht_s=body.aht_s, created_by=user.username,
                            deadline=deadline)
    return forecast_json(saved, tz=zoneinfo.ZoneInfo(saved.tz))


@router.get("/forecasts", response_model=list[ForecastEntryOut])
def api_forecasts(conn: ConnDep, user: Planner) -> list[dict[str, Any]]:
    """Saved forecast versions, newest first."""
    return forecast_versions(conn)


@router.get("/forecasts/{name}", response_model=ForecastOut)
def api_saved_forecast(name: str, conn: ConnDep, settings: SettingsDep, user: Planner,
                       version: int | None = None) -> dict[str, Any]:
    """A saved forecast with its points, accuracy and overrides (default: the newest version)."""
    return forecast_json(stored_forecast(conn, name, version), tz=zoneinfo.ZoneInfo(settings.site_tz))


@router.post("/plans", status_code=201, response_model=PlanOut)
def api_create_plan(body: PlanIn, conn: ConnDep, settings: SettingsDep, user: Planner) -> dict[str, Any]:
    """Build and save a plan from a saved forecast or from history (its forecast is saved too)."""
    forecast, plan = create_plan(conn, body.targets(), name=body.name, now=dt.datetime.now(dt.UTC),
                                 tz=settings.site_tz, forecast_ref=body.forecast,
                                 history=body.history.spec() if body.history else None, aht_s=body.aht_s,
                                 note=body.note, created_by=user.username)
    return plan_json(plan, tz=zoneinfo.ZoneInfo(forecast.tz))  # the zone the forecast was made in


@router.get("/plans", response_model=list[PlanEntryOut])
def api_plans(conn: ConnDep, user: Planner) -> list[dict[str, Any]]:
    """Saved plan versions, newest first."""
    return [{"name": n, "version": v, "created_at": at.isoformat(), "queue": q} for n, v, at, q in list_plans(conn)]


@router.get("/plans/compare", response_model=PlanComparisonOut)
def api_compare_plans(conn: ConnDep, settings: SettingsDep, user: Planner,
                      a: Annotated[str, Query(description="NAME or NAME@VERSION")],
                      b: Annotated[str, Query(description="NAME or NAME@VERSION")]) -> dict[str, Any]:
    """Plan ``a`` against plan ``b``: totals (agent-hours, peak), deltas and scheduled agents per interval."""
    plan_a, plan_b = load_plan_ref(conn, a), load_plan_ref(conn, b)
    return comparison_json(plan_a, plan_b, compare_plan_totals(plan_a, plan_b),
                           tz=zoneinfo.ZoneInfo(settings.site_tz))


@router.get("/plans/{name}", response_model=PlanOut)
def api_plan(name: str, conn: ConnDep, settings: SettingsDep, user: Planner,
             version: int | None = None) -> dict[str, Any]:
    """A saved plan with every interval and its totals (default: the newest version)."""
    return plan_json(load_plan(conn, name, version), tz=zoneinfo.ZoneInfo(settings.site_tz))


@router.delete("/plans/{name}")
def api_delete_plan(name: str, conn: ConnDep, user: Planner, now: NowDep,
                    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> dict[str, Any]:
    """Delete the plan (every version, or only ``version``); its forecasts stay; audited. ``callops plan delete``."""
    count = delete_plan_audited(conn, name, version, actor=user.username, at=now)
    return {"name": name, "deleted_versions": count}


@router.post("/plans/{name}/simulate", response_model=PlanCheckOut, response_model_exclude_unset=True)
def api_simulate_plan(name: str, body: PlanSimulationIn, conn: ConnDep, settings: SettingsDep,
                      user: Simulator, deadline: DeadlineDep) -> dict[str, Any]:
    """The plan simulated interval by interval against what it expects: ``callops simulate --plan ... --json``."""
    check = check_plan(load_plan(conn, name, body.version), replications=body.replications, seed=body.seed,
                       patience_s=body.patience_s, max_calls=MAX_CALLS, deadline=deadline)
    return plan_check_json(check, tz=zoneinfo.ZoneInfo(settings.site_tz))
