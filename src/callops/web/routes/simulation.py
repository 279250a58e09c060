"""Simulation: a page to build, run and compare two scenarios side by side, ``POST /api/simulation/run``, and
the saved scenarios (``GET /api/simulation/scenarios``, ``DELETE /api/simulation/scenarios/{name}``).

A scenario is either the single queue of ``callops simulate --calls ...`` (a form) or scenario YAML (a text
area, the format of ``callops simulate SCENARIO.yaml``; see docs/simulation.md). Requests stay short: at most
``MAX_REPLICATIONS`` replications, ``MAX_HOURS`` simulated hours per scenario and ``MAX_CALLS`` expected calls
over all replications of a request. A run may save its first scenario as ``callops simulate --save`` does
(``callops.services.scenario_runs``), for the report pages. All need the run_simulations right.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from callops.deadline import Deadline
from callops.errors import InvalidInput, TimeLimit
from callops.permissions import Permission
from callops.services.scenario_runs import save_run, scenario_json, single_queue_definition, yaml_definition
from callops.simulation import (
    METRICS,
    OUTBOUND_METRICS,
    QUEUE_METRICS,
    Result,
    Scenario,
    parse_scenario,
    run_scenario,
    single_queue,
)
from callops.store.scenarios import SavedScenario, check_scenario_name, delete_scenario, list_scenarios
from callops.web.deps import ConnDep, DeadlineDep, SettingsDep, User, ViewerDep, require
from callops.web.form_input import FORM_ERRORS, field_errors, read_number
from callops.web.nav import NavItem
from callops.web.rendering import render
from callops.web.routes.simulation_models import SavedScenarioOut, SimulationRunOut

__all__ = ["MAX_CALLS", "MAX_HOURS", "MAX_REPLICATIONS", "QueueSummary", "RunIn", "ScenarioIn", "ScenarioSummary",
           "SingleQueueIn", "router", "summarize"]

# the outbound campaign's counts the page shows (means per replication; the API and the CLI give all of them)
SHOWN_OUTBOUND_COUNTS = ("dials", "live", "connects", "abandons", "amd_false_positives", "machines", "refusals")

router = APIRouter(tags=["simulation"])

NAV = (NavItem("nav.simulation", "/simulation", permission=Permission.RUN_SIMULATIONS, order=45,
               description_key="sim.card"),)

Simulator = Annotated[User, require(Permission.RUN_SIMULATIONS)]

MAX_REPLICATIONS = 20
MAX_HOURS = 24.0
MAX_CALLS = 400_000
RATE_METRICS = ("service_level", "p_abandon", "p_wait", "occupancy")
SIDES = ("a", "b")
SINGLE_DEFAULTS = {"calls": "100", "interval_min": "30", "aht_s": "180", "patience_s": "300", "agents": "14",
                   "hours": "8", "sl_time_s": "20"}


class SingleQueueIn(BaseModel):
    """One queue, stationary Poisson arrivals, exponential handle time (and patience when given)."""

    model_config = ConfigDict(extra="forbid")

    calls: float = Field(ge=0, le=10_000, description="calls offered per interval")
    interval_min: int = Field(30, ge=1, le=120)
    aht_s: float = Field(gt=0, le=7_200)
    patience_s: float | None = Field(None, gt=0, description="mean patience; none: nobody abandons (Erlang C)")
    agents: int = Field(ge=1, le=2_000)
    hours: float = Field(8.0, gt=0, le=MAX_HOURS)
    sl_time_s: float = Field(20.0, ge=0, le=3_600)

    def scenario(self, name: str) -> Scenario:
        made = single_queue(calls=self.calls, interval_s=self.interval_min * 60.0, aht_s=self.aht_s,
                            agents=self.agents, hours=self.hours, patience_s=self.patience_s,
                            sl_time_s=self.sl_time_s)
        return _renamed(made, name)

    def definition(self) -> dict[str, Any]:
        """What a saved run keeps of this queue: the fields of ``callops simulate --calls ...``."""
        return single_queue_definition(calls=self.calls, interval_s=self.interval_min * 60.0, aht_s=self.aht_s,
                                       agents=self.agents, hours=self.hours, patience_s=self.patience_s,
                                       sl_time_s=self.sl_time_s)


class ScenarioIn(BaseModel):
    """Exactly one of ``single`` (the single-queue form) or ``yaml`` (scenario YAML text)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=80)
    single: SingleQueueIn | None = None
    yaml: str | None = Field(None, max_length=50_000)

    @model_validator(mode="after")
    def _one_kind(self) -> ScenarioIn:
        if (self.single is None) == (self.yaml is None or not self.yaml.strip()):
            raise ValueError("give exactly one of single or yaml")
        return self

    def scenario(self, default_name: str) -> Scenario:
        if self.single is not None:
            return self.single.scenario(self.name or default_name)
        made = parse_scenario(self.yaml or "", file=f"scenario {default_name}")
        return _renamed(made, self.name) if self.name else made

    def definition(self) -> dict[str, Any]:
        """What a saved run keeps: the single-queue fields or the YAML's mapping, as ``callops simulate --save``."""
        return self.single.definition() if self.single is not None else yaml_definition(self.yaml or "")


class RunIn(BaseModel):
    """One scenario, or two to compare side by side, with the replications and the master seed; ``save`` keeps
    one replication of the first scenario (seeded by ``seed``) as the saved scenario of that name."""

    model_config = ConfigDict(extra="forbid")

    scenarios: list[ScenarioIn] = Field(min_length=1, max_length=2)
    replications: int = Field(5, ge=2, le=MAX_REPLICATIONS)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    save: str | None = Field(None, description="save the first scenario's run as this scenario name")


def _renamed(scenario: Scenario, name: str) -> Scenario:
    return replace(scenario, name=name)


def expected_calls(scenario: Scenario) -> float:
    """Calls one replication is expected to generate: direct arrivals plus IVR callers, over all intervals."""
    direct = sum(sum(q.arrivals_per_interval) for q in scenario.queues)
    return float(direct + sum(scenario.ivr_arrivals_per_interval))


def _check_size(scenarios: list[Scenario], replications: int) -> None:
    """Refuse scenarios too long or too large for one request (the CLI has no such limits)."""
    for s in scenarios:
        hours = s.intervals * s.interval_s / 3600
        if hours > MAX_HOURS + s.interval_s / 3600:  # the single queue adds one warm-up interval
            raise InvalidInput(f"scenario {s.name!r} covers {hours:g} h; the API simulates at most "
                               f"{MAX_HOURS:g} h (use the CLI for longer runs)", field="scenarios")
    total = replications * sum(expected_calls(s) for s in scenarios)
    if total > MAX_CALLS:
        raise InvalidInput(f"about {total:,.0f} calls over all replications; the API runs at most {MAX_CALLS:,} "
                           f"(fewer replications, hours or calls, or use the CLI)", field="scenarios")


def run(body: RunIn, deadline: Deadline) -> list[tuple[Scenario, Result]]:
    """Build, bound and run the request's scenarios, each from the same master seed (common random numbers),
    within the request's ``deadline``."""
    if body.save is not None:
        check_scenario_name(body.save, field="save")
    names = ["A", "B"]
    scenarios = [s.scenario(names[i]) for i, s in enumerate(body.scenarios)]
    if len(scenarios) == 2 and scenarios[0].name == scenarios[1].name:
        scenarios[1] = _renamed(scenarios[1], f"{scenarios[1].name} (B)")
    _check_size(scenarios, body.replications)
    return [(s, run_scenario(s, body.replications, body.seed, deadline=deadline)) for s in scenarios]


def _save_first(conn: sa.Connection, body: RunIn, runs: list[tuple[Scenario, Result]],
               user: User) -> SavedScenario | None:
    """Save the first scenario's run as ``body.save`` (none without it) for ``user``."""
    if body.save is None:
        return None
    scenario, result = runs[0]
    saved = save_run(conn, body.save, scenario=scenario, definition=body.scenarios[0].definition(), result=result,
                     seed=body.seed, now=dt.datetime.now(dt.UTC), created_by=user.username)
    return saved


@router.post("/api/simulation/run", response_model=SimulationRunOut, response_model_exclude_unset=True)
def api_run(body: RunIn, conn: ConnDep, settings: SettingsDep, user: Simulator,
            deadline: DeadlineDep) -> dict[str, Any]:
    """Run one or two scenarios; per metric the mean over replications and its Student-t 95 % interval. With
    ``save``, ``saved`` is the stored scenario as ``GET /api/simulation/scenarios`` lists it."""
    runs = run(body, deadline)
    answer: dict[str, Any] = {"replications": body.replications, "seed": body.seed, "metrics": list(METRICS),
                              "results": [r.as_dict() for _, r in runs]}
    saved = _save_first(conn, body, runs, user)
    if saved is not None:
        answer["saved"] = scenario_json(saved, zoneinfo.ZoneInfo(settings.site_tz))
    return answer


@router.get("/api/simulation/scenarios", response_model=list[SavedScenarioOut])
def api_scenarios(conn: ConnDep, settings: SettingsDep, user: Simulator) -> list[dict[str, Any]]:
    """Saved scenarios, newest first, as ``callops scenarios list --json`` in the site's zone: calls, the dates
    they span, first and last call start, replications, seed."""
    return [scenario_json(s, zoneinfo.ZoneInfo(settings.site_tz)) for s in list_scenarios(conn)]


@router.delete("/api/simulation/scenarios/{name}", response_model=SavedScenarioOut)
def api_delete_scenario(name: str, conn: ConnDep, settings: SettingsDep, user: Simulator) -> dict[str, Any]:
    """Delete a saved scenario with its calls and agent intervals; answers what it held (404 when unknown)."""
    deleted = delete_scenario(conn, name)
    return scenario_json(deleted, zoneinfo.ZoneInfo(settings.site_tz))


@dataclass(frozen=True, slots=True)
class QueueSummary:
    """One queue of a scenario as the page lists it: its skill, mean direct arrivals and overflow target."""

    name: str
    skill: str
    arrivals_per_interval: float
    overflow_to: str | None


@dataclass(frozen=True, slots=True)
class ScenarioSummary:
    """What a run scenario holds (queues, IVR callers, agents) beside the calls it was offered."""

    name: str
    queues: tuple[QueueSummary, ...]
    ivr_arrivals_per_interval: float | None
    agents: int
    offered_mean: float


def _mean(values: tuple[float, ...]) -> float:
    return sum(values) / len(values) if values else 0.0


def summarize(scenario: Scenario, result: Result) -> ScenarioSummary:
    """The scenario's queues, IVR arrivals (None without an IVR) and agents, with the result's mean offered calls."""
    queues = tuple(QueueSummary(q.config.name, q.config.skill, _mean(q.arrivals_per_interval), q.config.overflow_to)
                   for q in scenario.queues)
    ivr = _mean(scenario.ivr_arrivals_per_interval) if scenario.ivr is not None else None
    agents = sum(max(g.counts, default=0) for g in scenario.groups)
    return ScenarioSummary(result.scenario, queues, ivr, agents, result.offered_mean)


def comparison_chart(results: list[Result], label: Any) -> dict[str, Any]:
    """Bars per rate metric (percent), one data set per scenario; the CI95 is in each bar's tooltip data."""
    return {
        "type": "bar",
        "data": {"labels": [label(f"sim.{m}") for m in RATE_METRICS],
                 "datasets": [{"label": r.scenario,
                               "data": [round(100 * r.metrics[m].mean, 2) for m in RATE_METRICS]}
                              for r in results]},
        "options": {"maintainAspectRatio": False, "scales": {"y": {"beginAtZero": True, "max": 100}}},
    }


def _form_values(form: dict[str, str], side: str) -> dict[str, str]:
    return {key: form.get(f"{side}_{key}", default) for key, default in SINGLE_DEFAULTS.items()} | {
        "name": form.get(f"{side}_name", ""), "yaml": form.get(f"{side}_yaml", ""),
        "enabled": "1" if side == "a" or form.get(f"{side}_enabled") else ""}


def _scenario_from_form(values: dict[str, str], side: str) -> ScenarioIn:
    name = values["name"].strip() or None
    if values["yaml"].strip():
        return ScenarioIn.model_validate({"name": name, "yaml": values["yaml"]})
    numbers: dict[str, Any] = {}
    for key in SINGLE_DEFAULTS:
        text = values[key].strip()
        if not text:
            continue
        numbers[key] = read_number({f"{side}_{key}": text}, f"{side}_{key}")
    for key in ("interval_min", "agents"):
        if key in numbers:
            numbers[key] = int(numbers[key])
    return ScenarioIn.model_validate({"name": name, "single": numbers})


def _report_links(saved: SavedScenario, tz: zoneinfo.ZoneInfo) -> dict[str, str]:
    """Links to the report pages for a saved scenario: the dashboard, and with calls the builder over the local
    dates they span and the daily report of the first."""
    links = {"dashboard": "/reports?" + urlencode({"scenario": saved.name})}
    span = scenario_json(saved, tz)
    first, last = span["from"], span["to"]
    if first is not None and last is not None:
        links["builder"] = "/reports/builder?" + urlencode({"scenario": saved.name, "from": first, "to": last})
        links["daily"] = "/reports/daily?" + urlencode({"scenario": saved.name, "date": first})
        links["first"], links["last"] = first, last
    return links


def _page(request: Request, viewer: Any, form: dict[str, str], runs: list[tuple[Scenario, Result]] | None = None,
          error: str | None = None, status_code: int = 200, saved: SavedScenario | None = None) -> HTMLResponse:
    sides = {side: _form_values(form, side) for side in SIDES}
    results = [r for _, r in runs] if runs else None
    context: dict[str, Any] = {
        "tab": "scenarios", "sides": sides, "replications": form.get("replications", "5"),
        "seed": form.get("seed", "1"), "save": form.get("save", ""), "saved": saved,
        "report_links": _report_links(saved, viewer.tz) if saved is not None else None,
        "results": results, "error": error, "metrics": METRICS, "queue_metrics": QUEUE_METRICS,
        "per_queue": any(len(r.queues) > 1 for r in results or ()), "max_replications": MAX_REPLICATIONS,
        "max_hours": MAX_HOURS, "outbound_metrics": OUTBOUND_METRICS, "outbound_counts": SHOWN_OUTBOUND_COUNTS,
        "summaries": [summarize(s, r) for s, r in runs] if runs else None,
        "chart": comparison_chart(results, viewer.t) if results else None}
    return render(request, viewer, "simulation/index.html", context, status_code=status_code)


@router.get("/simulation", response_class=HTMLResponse, include_in_schema=False)
def simulation_page(request: Request, user: Simulator, viewer: ViewerDep) -> HTMLResponse:
    return _page(request, viewer, {"b_agents": "15"})


@router.post("/simulation", response_class=HTMLResponse, include_in_schema=False)
async def simulation_run_page(request: Request, conn: ConnDep, user: Simulator, viewer: ViewerDep,
                              deadline: DeadlineDep) -> HTMLResponse:
    raw = await request.form()
    form = {key: str(value) for key, value in raw.items() if isinstance(value, str)}
    try:
        sides = [_scenario_from_form(_form_values(form, side), side) for side in SIDES
                 if _form_values(form, side)["enabled"]]
        body = RunIn(scenarios=sides, replications=int(form.get("replications") or 5),
                     seed=int(form.get("seed") or 0), save=form.get("save", "").strip() or None)
        # the replications are CPU work: off the event loop, so other requests are served meanwhile
        runs = await run_in_threadpool(run, body, deadline)
        saved = await run_in_threadpool(_save_first, conn, body, runs, user)
    except FORM_ERRORS as exc:
        conn.rollback()
        return _page(request, viewer, form, error=" ".join(field_errors(exc, viewer.t).values()), status_code=400)
    except TimeLimit as exc:
        conn.rollback()
        return _page(request, viewer, form, error=str(exc), status_code=exc.http_status)
    except ValueError:  # replications or seed not a whole number
        conn.rollback()
        field = "replications" if not (form.get("replications") or "5").strip().isdigit() else "seed"
        message = viewer.t("form.field_error", field=field, message=viewer.t("error.v.int_parsing"))
        return _page(request, viewer, form, error=message, status_code=400)
    return _page(request, viewer, form, runs, saved=saved)
