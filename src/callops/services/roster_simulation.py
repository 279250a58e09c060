"""A roster checked by simulation per skill, for ``callops roster simulate`` and the roster page.

The workload comes from a CSV (``interval_start,calls,aht_s[,skill]``) or from saved staffing plans (each
plan's calls and handle time per interval, its queue as the skill); the roster from a JSON file or a saved
version with the agents it was built for. :func:`roster_simulation_json` is the one answer shape.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from callops.deadline import Deadline
from callops.errors import InvalidInput
from callops.scheduling.roster_model import ANY_SKILL, RosterAgent, RosterShift
from callops.simulation.from_roster import RosterSimulation, Workload, simulate_roster
from callops.store.plans import list_plans
from callops.store.roster_builds import load_inputs
from callops.store.rosters import load_roster

__all__ = [
    "MAX_CALLS",
    "MAX_REPLICATIONS",
    "plan_choices",
    "roster_simulation_json",
    "simulate_saved",
    "workload_from_plans",
    "check_roster_by_simulation",
]

MAX_REPLICATIONS = 50
MAX_CALLS = 3_000_000  # simulated calls (workload x replications) one request may cause


def plan_choices(conn: sa.Connection) -> list[tuple[str, int, dt.datetime, str | None]]:
    """(name, version, created_at, queue) of every saved staffing plan, newest first: the workloads a roster
    may be simulated against."""
    return list_plans(conn)


def workload_from_plans(conn: sa.Connection, refs: Sequence[str]) -> list[Workload]:
    """The calls and handle time per interval of the saved staffing plans ``refs`` (``NAME[@VERSION]``); each
    plan's queue is its skill (a plan without a queue: any skill). Two plans of the same queue are refused."""
    from callops.services.workforce import load_plan_ref

    out: list[Workload] = []
    seen: set[str] = set()
    for ref in refs:
        plan = load_plan_ref(conn, ref)
        skill = plan.queue or ANY_SKILL
        if skill in seen:
            raise InvalidInput(f"two plans for the skill {skill}", field="plan")
        seen.add(skill)
        out += [Workload(i.start_at, skill, i.calls, i.aht_s if i.aht_s > 0 else 180.0) for i in plan.intervals]
    return out


def check_roster_by_simulation(
    shifts: Sequence[RosterShift],
    agents: Sequence[RosterAgent],
    workload: Sequence[Workload],
    *,
    replications: int,
    seed: int,
    target: float,
    interval_min: int,
    sl_time_s: float,
    patience_s: float | None,
    deadline: Deadline | None = None,
) -> RosterSimulation:
    """Bounded: at most :data:`MAX_REPLICATIONS` replications and :data:`MAX_CALLS` simulated calls."""
    if not 2 <= replications <= MAX_REPLICATIONS:
        raise InvalidInput(f"replications must be 2 to {MAX_REPLICATIONS}", field="replications")
    if not 0 < sl_time_s <= 3600:
        raise InvalidInput("the service-level time is 1 to 3600 seconds", field="sl_time")
    if patience_s is not None and not patience_s > 0:
        raise InvalidInput("patience is a positive number of seconds", field="patience")
    return simulate_roster(
        shifts,
        agents,
        workload,
        replications=replications,
        seed=seed,
        target=target,
        interval_min=interval_min,
        sl_time_s=sl_time_s,
        patience_s=patience_s,
        max_calls=MAX_CALLS,
        deadline=deadline,
    )


def simulate_saved(
    conn: sa.Connection,
    name: str,
    version: int | None,
    workload: Sequence[Workload],
    *,
    replications: int,
    seed: int,
    target: float = 0.8,
    sl_time_s: float = 20.0,
    patience_s: float | None = None,
    deadline: Deadline | None = None,
) -> RosterSimulation:
    """A saved roster version against ``workload``, its agents' skills from what it was built from (a roster saved
    without them: every agent serves every skill)."""
    roster = load_roster(conn, name, version)
    inputs = load_inputs(conn, roster.roster_id, roster.tz)
    agents = list(inputs.agents) if inputs is not None else []
    return check_roster_by_simulation(
        roster.shifts,
        agents,
        workload,
        replications=replications,
        seed=seed,
        target=target,
        interval_min=30,
        sl_time_s=sl_time_s,
        patience_s=patience_s,
        deadline=deadline,
    )


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def roster_simulation_json(sim: RosterSimulation, *, tz: dt.tzinfo | zoneinfo.ZoneInfo) -> dict[str, Any]:
    """Per skill the service level over the roster with its 95 % interval; the short-interval counts; every
    interval and skill: calls, agents on the phones, simulated offered, service level and its interval."""
    return {
        "replications": sim.replications,
        "skills": {
            k: {"service_level": _r(e.mean), "service_level_ci95": [_r(e.ci95[0]), _r(e.ci95[1])]}
            for k, e in sim.service_level.items()
        },
        "intervals_short": sim.intervals_short,
        "intervals_clearly_short": sim.intervals_clearly_short,
        "intervals": [
            {
                "start_at": c.start_at.astimezone(tz).isoformat(),
                "skill": c.skill,
                "calls": _r(c.calls, 3),
                "agents": c.agents,
                "offered_sim": _r(c.offered, 3),
                "service_level_sim": _r(c.service_level),
                "service_level_sim_ci95": None
                if c.service_level_ci95 is None
                else [_r(c.service_level_ci95[0]), _r(c.service_level_ci95[1])],
                "target": c.target,
                "short": c.short,
                "clearly_short": c.clearly_short,
            }
            for c in sim.intervals
        ],
    }
