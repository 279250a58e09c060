"""The roster page's simulation check as JSON (issue 11), the same answer as ``callops roster simulate --saved NAME
... --json``:

    GET  /api/rosters/saved/{name}/simulate?plan=...   against saved staffing plans (``--plan``)
    POST /api/rosters/saved/{name}/simulate            against the workload CSV in the body (``--workload``)
"""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from callops.errors import InvalidInput, NotFound
from callops.permissions import Permission
from callops.services.roster_simulation import roster_simulation_json, simulate_saved, workload_from_plans
from callops.simulation.from_roster import Workload, parse_workload
from callops.store.rosters import load_roster
from callops.web.deps import ConnDep, User, require
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
    return _answer(conn, roster.name, roster.version, roster.tz, workload, replications=replications, seed=seed,
                   target=target, sl_time_s=sl_time_s)


_WORKLOAD_BODY = {"required": True, "description": (
    "The workload CSV: `interval_start,calls,aht_s[,skill]` (`offered` may stand for `calls`, `queue` for `skill`), "
    f"local times of the roster's zone, UTF-8; at most {MAX_WORKLOAD_BYTES // 1024} KiB."),
    "content": {"text/csv": {"schema": {"type": "string"}}}}


@router.post("/saved/{name}/simulate", response_model=RosterSimulationOut,
             openapi_extra={"requestBody": _WORKLOAD_BODY})
async def api_simulate_workload(
    name: str,
    request: Request,
    conn: ConnDep,
    user: Planner,
    version: int | None = None,
    replications: Annotated[int, Query(ge=2, le=MAX_WEB_REPLICATIONS)] = 10,
    target: Annotated[float, Query(gt=0, le=1)] = 0.8,
    seed: Annotated[int, Query(ge=0)] = 2026,
    sl_time_s: Annotated[float, Query(gt=0, le=3600)] = 20.0,
) -> dict[str, Any]:
    """Simulate a saved roster version against the workload CSV sent as the body (``Content-Type: text/csv``), as
    ``callops roster simulate --workload FILE`` does. A bad file answers 400 with its line and field."""
    text = await _body_text(request)
    roster = load_roster(conn, name, version)
    workload = parse_workload(text, tz=zoneinfo.ZoneInfo(roster.tz), file=WORKLOAD_FILE)
    return _answer(conn, roster.name, roster.version, roster.tz, workload, replications=replications, seed=seed,
                   target=target, sl_time_s=sl_time_s)


async def _body_text(request: Request) -> str:
    """The body as text: at most :data:`MAX_WORKLOAD_BYTES`, UTF-8 (a BOM is dropped), not empty."""
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_WORKLOAD_BYTES:
            raise InvalidInput(f"larger than {MAX_WORKLOAD_BYTES // 1024} KiB", field="workload")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("not UTF-8 text", field="workload") from None
    if not text.strip():
        raise InvalidInput("the body is empty: send the workload CSV", field="workload")
    return text


def _answer(conn: ConnDep, name: str, version: int, tz: str, workload: list[Workload], *, replications: int,
            seed: int, target: float, sl_time_s: float) -> dict[str, Any]:
    sim = simulate_saved(conn, name, version, workload, replications=replications, seed=seed, target=target,
                         sl_time_s=sl_time_s)
    return {"roster": name, "version": version} | roster_simulation_json(sim, tz=zoneinfo.ZoneInfo(tz))
