"""The roster page's simulation check (issue 11): a saved roster version against saved staffing plans, one
per skill (its queue), simulated with the agents' skills; per skill the service level with its 95 % interval
and the intervals below the target. Bounded tighter than the CLI: it runs inside the request.
"""

from __future__ import annotations

import zoneinfo
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse

from callops.errors import InvalidInput, NotFound
from callops.permissions import Permission
from callops.services.roster_simulation import roster_simulation_json, simulate_saved, workload_from_plans
from callops.store.plans import list_plans
from callops.store.rosters import load_roster
from callops.store.users import User
from callops.web.deps import ConnDep, ViewerDep, require
from callops.web.rendering import render

router = APIRouter(include_in_schema=False)

Planner = Annotated[User, require(Permission.PLAN_WORKFORCE)]

MAX_WEB_REPLICATIONS = 20
MAX_WEB_PLANS = 8
SHOWN_INTERVALS = 300


def _number(text: str, field: str, *, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a number", field=field) from None
    if not low <= value <= high:
        raise InvalidInput(f"between {low:g} and {high:g}", field=field)
    return value


@router.get("/rosters/saved/{name}/simulate", response_class=HTMLResponse)
def simulate_page(
    request: Request,
    name: str,
    conn: ConnDep,
    user: Planner,
    viewer: ViewerDep,
    version: int | None = None,
    plan: Annotated[list[str] | None, Query()] = None,
    replications: str = "10",
    target: str = "0.8",
    seed: str = "2026",
) -> HTMLResponse:
    """The form (plans as skills, replications, target); with plans chosen, the simulation's answer."""
    roster = load_roster(conn, name, version)
    zone = zoneinfo.ZoneInfo(roster.tz)
    chosen = [p for p in (plan or []) if p.strip()]
    form = {"replications": replications, "target": target, "seed": seed}
    context: dict[str, object] = {
        "roster": roster,
        "plans": list_plans(conn),
        "chosen": chosen,
        "form": form,
        "result": None,
        "error": None,
        "error_field": None,
    }
    status = 200
    if chosen:
        try:
            if len(chosen) > MAX_WEB_PLANS:
                raise InvalidInput(f"at most {MAX_WEB_PLANS} plans", field="plan")
            runs = int(_number(replications, "replications", low=2, high=MAX_WEB_REPLICATIONS))
            goal = _number(target, "target", low=0.01, high=1)
            start = int(_number(seed, "seed", low=0, high=2**31 - 1))
            try:
                workload = workload_from_plans(conn, chosen)
            except NotFound as exc:
                raise InvalidInput(str(exc), field="plan") from None
            sim = simulate_saved(
                conn, roster.name, roster.version, workload, replications=runs, seed=start, target=goal
            )
            data = roster_simulation_json(sim, tz=zone)
            short = [r for r in data["intervals"] if r["short"]]
            context["result"] = data | {
                "short_rows": short[:SHOWN_INTERVALS],
                "short_more": len(short) > SHOWN_INTERVALS,
            }
        except InvalidInput as exc:
            context["error"], context["error_field"], status = str(exc), exc.field, 400
    return render(request, viewer, "rosters/simulate.html", context, status_code=status)
