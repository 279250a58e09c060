"""``GET /api/rosters/saved/{name}/simulate``: the roster page's simulation check as JSON (issue 11), the same
answer as ``callops roster simulate --saved NAME --plan ... --json``."""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from callops.errors import InvalidInput, NotFound
from callops.permissions import Permission
from callops.services.roster_simulation import roster_simulation_json, simulate_saved, workload_from_plans
from callops.store.rosters import load_roster
from callops.web.deps import ConnDep, User, require
from callops.web.routes.rosters_simulate import MAX_WEB_PLANS, MAX_WEB_REPLICATIONS

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


@router.get("/saved/{name}/simulate", response_model=RosterSimulationOut)
def api_simulate(
    name: str,
    conn: ConnDep,
    user: Planner,
    plan: Annotated[list[str], Query()],
    version: int | None = None,
    replications: Annotated[int, Query(ge=2, le=MAX_WEB_REPLICATIONS)] = 10,
    target: Annotated[float, Query(gt=0, le=1)] = 0.8,
    seed: Annotated[int, Query(ge=0)] = 2026,
    sl_time_s: Annotated[float, Query(gt=0, le=3600)] = 20.0,
) -> dict[str, Any]:
    """Simulate a saved roster version against saved staffing plans (one per skill: the plan's queue): per skill the
    service level with its 95 % interval, and every interval and skill. Bad input answers 400 naming the field."""
    if not plan or len(plan) > MAX_WEB_PLANS:
        raise InvalidInput(f"one to {MAX_WEB_PLANS} plans", field="plan")
    roster = load_roster(conn, name, version)
    try:
        workload = workload_from_plans(conn, plan)
    except NotFound as exc:
        raise InvalidInput(str(exc), field="plan") from None
    sim = simulate_saved(
        conn,
        roster.name,
        roster.version,
        workload,
        replications=replications,
        seed=seed,
        target=target,
        sl_time_s=sl_time_s,
    )
    return {"roster": roster.name, "version": roster.version} | roster_simulation_json(
        sim, tz=zoneinfo.ZoneInfo(roster.tz)
    )
