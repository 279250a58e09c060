"""Replay history: ``/simulation/replay`` (the simulation page's second tab) and ``GET /api/simulation/replay``.

Both take the query of ``callops replay``: ``queue`` (empty: all queues as one), ``from`` and ``to`` (local dates in
the viewer's zone, inclusive), ``weekdays`` (ISO, ``7,1,2,3,4`` or repeated), ``capacity``, ``replications`` and
``seed``; the API answers the JSON of ``callops replay --json`` (:func:`callops.services.replay.replay_json`).
Requests stay short: at most ``MAX_REPLICATIONS`` replications and ``MAX_DAYS`` days of history. Both need the
run_simulations right; nothing is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, get_args

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse

from callops.dates import require_date
from callops.errors import InvalidInput
from callops.permissions import Permission
from callops.services.replay import ReplayReport, parse_weekdays, replay_history, replay_json
from callops.simulation import Capacity
from callops.store.history import QueueHistory, queue_histories
from callops.web.deps import ConnDep, User, ViewerDep, require
from callops.web.i18n import Translator
from callops.web.rendering import render
from callops.web.routes.simulation import MAX_REPLICATIONS
from callops.web.routes.simulation_models import ReplayOut
from callops.web.viewer import Viewer

__all__ = ["MAX_DAYS", "ReplayParams", "ReplayRequest", "replay", "replay_chart", "router"]

router = APIRouter(tags=["simulation"])

Simulator = Annotated[User, require(Permission.RUN_SIMULATIONS)]

MAX_DAYS = 92
DEFAULT_DAYS = 28
MIN_CALLS_PER_DAY = 5.0
CAPACITIES: dict[str, Capacity] = {c: c for c in get_args(Capacity)}
WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)
MAX_SEED = 2**63 - 1


@dataclass(frozen=True, slots=True)
class ReplayRequest:
    """A checked replay request: the arguments of :func:`callops.services.replay.replay_history`."""

    queue: str | None
    start: dt.date
    end: dt.date
    weekdays: frozenset[int] | None
    capacity: Capacity
    replications: int
    seed: int


def _date(text: str | None, field: str) -> dt.date:
    return require_date(text, field=field, missing="give the first and the last day (YYYY-MM-DD, inclusive)")


def _whole(text: str, field: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise InvalidInput(f"{text!r} is not a whole number", field=field) from exc
    if not low <= value <= high:
        raise InvalidInput(f"{value} is not between {low} and {high}", field=field)
    return value


@dataclass(frozen=True, slots=True)
class ReplayParams:
    """The query as typed (texts), for the page to show back; :meth:`request` checks it."""

    queue: str
    start: str
    end: str
    weekdays: tuple[str, ...]
    capacity: str
    replications: str
    seed: str

    def request(self) -> ReplayRequest:
        """The checked request; a bad value is InvalidInput naming its query parameter."""
        start, end = _date(self.start, "from"), _date(self.end, "to")
        if end < start:
            raise InvalidInput(f"the range ends ({end}) before it starts ({start})", field="to")
        days = (end - start).days + 1
        if days > MAX_DAYS:
            raise InvalidInput(f"{start} to {end} is {days} days; a request replays at most {MAX_DAYS} "
                               f"(use callops replay for longer)", field="to")
        capacity = CAPACITIES.get(self.capacity)
        if capacity is None:
            raise InvalidInput(f"capacity {self.capacity!r} is not one of {', '.join(CAPACITIES)}", field="capacity")
        return ReplayRequest(
            queue=self.queue.strip() or None, start=start, end=end,
            weekdays=parse_weekdays(",".join(self.weekdays)) if self.weekdays else None, capacity=capacity,
            replications=_whole(self.replications, "replications", 2, MAX_REPLICATIONS),
            seed=_whole(self.seed, "seed", 0, MAX_SEED))


def _params(
    queue: Annotated[str, Query(description="The queue (empty: all queues as one)")] = "",
    start: Annotated[str, Query(alias="from", description="First local day, inclusive (YYYY-MM-DD)")] = "",
    end: Annotated[str, Query(alias="to", description="Last local day, inclusive (YYYY-MM-DD)")] = "",
    weekdays: Annotated[list[str] | None, Query(description="ISO weekdays, e.g. 7,1,2,3,4 (default: all)")] = None,
    capacity: Annotated[str, Query(description="calibrated, scaled or servers")] = "calibrated",
    replications: Annotated[str, Query(description=f"2 to {MAX_REPLICATIONS}")] = "10",
    seed: Annotated[str, Query(description="Master seed")] = "1",
) -> ReplayParams:
    return ReplayParams(queue=queue, start=start, end=end, weekdays=tuple(w for w in weekdays or () if w.strip()),
                        capacity=capacity, replications=replications.strip(), seed=seed.strip())


ReplayParamsDep = Annotated[ReplayParams, Depends(_params)]


def replay(conn: sa.Connection, request: ReplayRequest, *, tz: str) -> ReplayReport:
    """Fit, simulate and compare the request's history (days in zone ``tz``) as ``callops replay`` does."""
    return replay_history(conn, start=request.start, end=request.end, tz=tz, queue=request.queue,
                          weekdays=request.weekdays, capacity=request.capacity, replications=request.replications,
                          seed=request.seed, min_calls_per_day=MIN_CALLS_PER_DAY)


@router.get("/api/simulation/replay", response_model=ReplayOut)
def api_replay(conn: ConnDep, user: Simulator, viewer: ViewerDep, params: ReplayParamsDep) -> dict[str, Any]:
    """Replay stored history as ``callops replay --json``, with days in the user's zone: per compared hour the
    actual and simulated service level, ASA and abandon rate, and their mean absolute errors."""
    return replay_json(replay(conn, params.request(), tz=viewer.tz.key))


def replay_chart(t: Translator, report: ReplayReport) -> dict[str, Any]:
    """Actual and simulated service level per hour (percent, left axis) and abandon rate (percent, right axis)."""

    def percent(values: list[float]) -> list[float]:
        return [round(100 * v, 2) for v in values]

    hours = report.hours
    top = max([h.p_abandon_actual for h in hours] + [h.p_abandon_sim for h in hours] + [0.0])
    return {
        "type": "line",
        "data": {"labels": [f"{h.hour:02d}:00" for h in hours], "datasets": [
            {"label": t("sim.replay_sl_actual"), "data": percent([h.service_level_actual for h in hours]),
             "borderWidth": 2},
            {"label": t("sim.replay_sl_sim"), "data": percent([h.service_level_sim for h in hours]),
             "borderWidth": 2},
            {"label": t("sim.replay_abandon_actual"), "data": percent([h.p_abandon_actual for h in hours]),
             "yAxisID": "y2", "borderWidth": 1, "borderDash": [6, 4]},
            {"label": t("sim.replay_abandon_sim"), "data": percent([h.p_abandon_sim for h in hours]),
             "yAxisID": "y2", "borderWidth": 1, "borderDash": [2, 3]},
        ]},
        "options": {"maintainAspectRatio": False, "animation": False,
                    "interaction": {"mode": "index", "intersect": False},
                    "scales": {"y": {"min": 0, "max": 100, "title": {"display": True, "text": t("sim.replay_sl_axis")}},
                               "y2": {"position": "right", "min": 0, "suggestedMax": round(100 * top, 2) or 10,
                                      "grid": {"drawOnChartArea": False},
                                      "title": {"display": True, "text": t("sim.replay_abandon_axis")}}}},
    }


def _defaults(queues: list[QueueHistory], viewer: Viewer) -> dict[str, Any]:
    """The form before a run: the queue with most calls over its last ``DEFAULT_DAYS`` local days, every weekday."""
    form: dict[str, Any] = {"queue": "", "from": "", "to": "", "weekdays": [str(d) for d in WEEKDAYS],
                            "capacity": "calibrated", "replications": "10", "seed": "1"}
    if queues:
        biggest = max(queues, key=lambda q: q.calls)
        last = biggest.last_at.astimezone(viewer.tz).date()
        first = max(biggest.first_at.astimezone(viewer.tz).date(), last - dt.timedelta(days=DEFAULT_DAYS - 1))
        form |= {"queue": biggest.queue, "from": first.isoformat(), "to": last.isoformat()}
    return form


@router.get("/simulation/replay", response_class=HTMLResponse, include_in_schema=False)
def replay_page(request: Request, conn: ConnDep, user: Simulator, viewer: ViewerDep,
                params: ReplayParamsDep) -> HTMLResponse:
    queues = queue_histories(conn)
    submitted = "from" in request.query_params or "to" in request.query_params
    context: dict[str, Any] = {
        "tab": "replay", "queues": queues, "capacities": list(CAPACITIES), "weekdays": WEEKDAYS,
        "max_replications": MAX_REPLICATIONS, "max_days": MAX_DAYS, "min_calls": MIN_CALLS_PER_DAY, "report": None,
        "error": None,
        "form": {"queue": params.queue, "from": params.start, "to": params.end,
                 "weekdays": [d.strip() for w in params.weekdays for d in w.split(",")] or [str(d) for d in WEEKDAYS],
                 "capacity": params.capacity,
                 "replications": params.replications, "seed": params.seed} if submitted else _defaults(queues, viewer)}
    if not submitted:
        return render(request, viewer, "simulation/replay.html", context)
    try:
        checked = params.request()
        report = replay(conn, checked, tz=viewer.tz.key)
    except InvalidInput as exc:
        context["error"] = str(exc)
        return render(request, viewer, "simulation/replay.html", context, status_code=400)
    context |= {"report": report, "checked": checked, "answer": replay_json(report),
                "chart": replay_chart(viewer.t, report)}
    return render(request, viewer, "simulation/replay.html", context)
