"""The roster page's simulation check as JSON (issue 11), the same answer as ``callops roster simulate --saved NAME
... --json``:

    GET  /api/rosters/saved/{name}/simulate?plan=...   against saved staffing plans (``--plan``)
    POST /api/rosters/saved/{name}/simulate            against the workload CSV in the body (``--workload``)
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from callops.errors import InvalidInput, NotFound
from callops.permissions import Permission
from callops.services.roster_simulation import roster_simulation_json, simulate_saved, workload_from_plans
from callops.simulation.from_roster import Workload, parse_workload
from callops.store.rosters import StoredRoster, load_roster
from callops.web.deps import ConnDep, User, require
from callops.web.form_input import text_of
from callops.web.routes.rosters_simulate import MAX_WEB_PLANS, MAX_WEB_REPLICATIONS, MAX_WORKLOAD_BYTES, WORKLOAD_FILE

router = APIRouter(prefix="/api/rosters", tags=["rosters"])

Planner = Annotated[User, require(Permission.PLAN_WORKFORCE)]


class SkillServiceLevelOut(BaseModel):
    service_level: float | None
    service_level_ci95: list[float | None]


class RosterSimIntervalOut(BaseModel):
    start_at: str
    skill: str
    calls: float | None
    agents: int
    offered_sim: float | None
    service_level_sim: float | None
    service_level_sim_ci95: list[float | None] | None
    target: float
    short: bool
    clearly_short: bool


class RosterSimulationOut(BaseModel):
    roster: str
    version: int
    replications: int
    skills: dict[str, SkillServiceLevelOut]
    intervals_short: int
    intervals_clearly_short: int
    intervals: list[RosterSimIntervalOut]


@dataclass
class SimulationQuery:
    """The query both forms of the check take (the CLI's options of the same names)."""

    version: int | None = None
    replications: Annotated[int, Query(ge=2, le=MAX_WEB_REPLICATIONS)] = 10
    target: Annotated[float, Query(gt=0, le=1)] = 0.8
    seed: Annotated[int, Query(ge=0)] = 2026
    sl_time_s: Annotated[float, Query(gt=0, le=3600)] = 20.0


SimulationQueryDep = Annotated[SimulationQuery, Depends()]


@router.get("/saved/{name}/simulate", response_model=RosterSimulationOut)
def api_simulate(name: str, conn: ConnDep, user: Planner, plan: Annotated[list[str], Query()],
                 q: SimulationQueryDep) -> dict[str, Any]:
    """Simulate a saved roster version against saved staffing plans (one per skill: the plan's queue): per skill the
    service level with its 95 % interval, and every interval and skill. Bad input answers 400 naming the field."""
    if not plan or len(plan) > MAX_WEB_PLANS:
        raise InvalidInput(f"one to {MAX_WEB_PLANS} plans", field="plan")
    roster = load_roster(conn, name, q.version)
    try:
        workload = workload_from_plans(conn, plan)
    except NotFound as exc:
        raise InvalidInput(str(exc), field="plan") from None
    return _answer(conn, roster, workload, q)


_WORKLOAD_BODY = {"required": True, "description": (
    "The workload CSV: `interval_start,calls,aht_s[,skill]` (`offered` may stand for `calls`, `queue` for `skill`), "
    f"local times of the roster's zone, UTF-8; at most {MAX_WORKLOAD_BYTES // 1024} KiB."),
    "content": {"text/csv": {"schema": {"type": "string"}}}}


@router.post("/saved/{name}/simulate", response_model=RosterSimulationOut,
             openapi_extra={"requestBody": _WORKLOAD_BODY})
async def api_simulate_workload(name: str, request: Request, conn: ConnDep, user: Planner,
                                q: SimulationQueryDep) -> dict[str, Any]:
    """Simulate a saved roster version against the workload CSV sent as the body (``Content-Type: text/csv``), as
    ``callops roster simulate --workload FILE`` does. A bad file answers 400 with its line and field."""
    text = await _body_text(request)

    def work() -> dict[str, Any]:  # off the event loop: a simulation takes seconds
        roster = load_roster(conn, name, q.version)
        workload = parse_workload(text, tz=zoneinfo.ZoneInfo(roster.tz), file=WORKLOAD_FILE)
        return _answer(conn, roster, workload, q)

    return await run_in_threadpool(work)


async def _body_text(request: Request) -> str:
    """The body as text: at most :data:`MAX_WORKLOAD_BYTES`, UTF-8 (a BOM is dropped), not empty."""
    data = bytearray()
    async for chunk in request.stream():  # stops reading once past the limit
        data += chunk
        if len(data) > MAX_WORKLOAD_BYTES:
            break
    text = text_of(bytes(data), max_bytes=MAX_WORKLOAD_BYTES, field="workload")
    if not text.strip():
        raise InvalidInput("the body is empty: send the workload CSV", field="workload")
    return text


def _answer(conn: ConnDep, roster: StoredRoster, workload: list[Workload], q: SimulationQuery) -> dict[str, Any]:
    sim = simulate_saved(conn, roster.name, roster.version, workload, replications=q.replications, seed=q.seed,
                         target=q.target, sl_time_s=q.sl_time_s)
    return {"roster": roster.name, "version": roster.version} | roster_simulation_json(
        sim, tz=zoneinfo.ZoneInfo(roster.tz))
