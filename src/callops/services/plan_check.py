"""A staffing plan checked by simulation: one run and one JSON shape for ``callops simulate --plan`` and the web.

``check_plan`` simulates the plan (``callops.simulation.plan_scenario``) and compares it interval by interval
(``compare_with_plan``); ``plan_check_json`` is the answer of ``callops simulate --plan ... --json`` and of
``POST /api/workforce/plans/{name}/simulate``, with interval starts in the zone given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from callops.deadline import Deadline
from callops.errors import InvalidInput
from callops.scheduling import StaffingPlan
from callops.simulation import IntervalCheck, Result, Scenario, compare_with_plan, plan_scenario, run_scenario

__all__ = ["PlanCheck", "check_plan", "interval_check_json", "plan_check_json"]


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """A plan, the scenario made from it, the simulation's result and each interval's plan-against-simulation."""

    plan: StaffingPlan
    scenario: Scenario
    result: Result
    intervals: tuple[IntervalCheck, ...]

    @property
    def intervals_with_calls(self) -> int:
        """Intervals where the simulation offered at least one call (the others have no service level)."""
        return sum(c.service_level_sim is not None for c in self.intervals)

    @property
    def intervals_short(self) -> int:
        """Intervals whose simulated service level falls below the plan's target."""
        return sum(c.short for c in self.intervals)

    @property
    def intervals_clearly_short(self) -> int:
        """Intervals whose simulated service level's whole 95 % interval is below the target."""
        return sum(c.clearly_short for c in self.intervals)


def check_plan(plan: StaffingPlan, *, replications: int, seed: int, patience_s: float | None = None,
               max_calls: float | None = None, deadline: Deadline | None = None) -> PlanCheck:
    """Simulate ``plan`` ``replications`` times from ``seed`` and compare every interval with the plan.

    ``max_calls`` bounds the work: a plan whose forecast calls times ``replications`` exceed it is refused
    (``InvalidInput`` on the field ``replications``) before anything runs.
    """
    if max_calls is not None:
        total = replications * sum(i.calls for i in plan.intervals)
        if total > max_calls:
            raise InvalidInput(f"plan {plan.name}@{plan.version} expects about {total:,.0f} calls over "
                               f"{replications} replications; at most {max_calls:,.0f} run here (fewer "
                               f"replications, or `callops simulate --plan`)", field="replications")
    scenario = plan_scenario(plan, patience_s=patience_s)
    result = run_scenario(scenario, replications, seed, deadline=deadline)
    return PlanCheck(plan, scenario, result, tuple(compare_with_plan(plan, result)))


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def interval_check_json(c: IntervalCheck, tz: dt.tzinfo) -> dict[str, Any]:
    """One interval: its start in ``tz`` (ISO 8601 with offset), the plan's figures and the simulated ones."""
    return {"start_at": c.start_at.astimezone(tz).isoformat(), "calls": _round(c.calls, 3), "agents": c.agents,
            "offered_sim": _round(c.offered, 3), "service_level_plan": _round(c.service_level_plan),
            "service_level_sim": _round(c.service_level_sim), "asa_s_plan": _round(c.asa_s_plan),
            "asa_s_sim": _round(c.asa_s_sim), "p_abandon_plan": _round(c.p_abandon_plan),
            "p_abandon_sim": _round(c.p_abandon_sim), "short": c.short,
            "service_level_sim_ci95": None if c.service_level_ci95 is None
            else [_round(v) for v in c.service_level_ci95],
            "clearly_short": c.clearly_short}


def plan_check_json(check: PlanCheck, *, tz: dt.tzinfo) -> dict[str, Any]:
    """The result's metrics with 95 % intervals, the plan, its target, the short-interval count and every interval."""
    plan = check.plan
    return check.result.as_dict() | {
        "plan": f"{plan.name}@{plan.version}", "target_service_level": plan.targets.service_level,
        "intervals_short": check.intervals_short, "intervals_clearly_short": check.intervals_clearly_short,
        "intervals_with_calls": check.intervals_with_calls,
        "intervals": [interval_check_json(c, tz) for c in check.intervals]}
