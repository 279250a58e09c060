"""Check a staffing plan by simulation: its forecast calls, handle times and agents as a scenario.

The queueing formulas behind a plan assume steady state inside each interval; the simulator carries queues
over interval boundaries, draws Poisson arrivals and random handle times, and so shows how the plan holds up.
The agents simulated are the plan's ``agents`` (on the phones), not ``scheduled`` (which adds shrinkage).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from callops.errors import InvalidInput
from callops.routing import QueueConfig
from callops.scheduling import StaffingPlan
from callops.simulation.distributions import Distribution
from callops.simulation.replications import Result
from callops.simulation.scenario import AgentGroup, QueueBehaviour, Scenario

__all__ = ["IntervalCheck", "compare_with_plan", "plan_scenario"]


def plan_scenario(plan: StaffingPlan, *, handle: str = "exponential", patience_s: float | None = None) -> Scenario:
    """One queue with the plan's calls per interval, handle time means per interval and agents per interval.

    Intervals the plan leaves out (closed hours) are simulated with no calls and no agents. ``handle``:
    ``exponential`` (the plan's Erlang assumption) or ``constant``. ``patience_s``: the callers' mean patience
    (exponential); defaults to the plan's own (Erlang A), else nobody abandons (Erlang C).
    """
    if not plan.intervals:
        raise InvalidInput(f"plan {plan.name} has no intervals", field="plan")
    if handle not in ("exponential", "constant"):
        raise InvalidInput(f"handle must be exponential or constant, not {handle!r}", field="handle")
    slots = _slots(plan)
    calls = sum(i.calls for i in plan.intervals)
    mean_aht = sum(i.calls * i.aht_s for i in plan.intervals) / calls if calls > 0 else plan.intervals[0].aht_s
    if not mean_aht > 0:
        raise InvalidInput(f"plan {plan.name} has no positive handle time", field="aht_s")
    n = slots[-1] + 1
    arrivals, means, agents = [0.0] * n, [mean_aht] * n, [0] * n
    for k, i in zip(slots, plan.intervals, strict=True):
        arrivals[k], agents[k] = i.calls, i.agents
        if i.aht_s > 0:
            means[k] = i.aht_s
    patience = patience_s if patience_s is not None else plan.targets.patience_s
    queue = plan.queue or "plan"
    behaviour = QueueBehaviour(
        config=QueueConfig(queue, queue), arrivals_per_interval=tuple(arrivals),
        handle=Distribution(handle, mean_aht), handle_means_s=tuple(means),
        patience=Distribution("exponential", patience) if patience is not None else None)
    group = AgentGroup("plan", {queue: 1}, tuple(agents),
                       distressing_share=plan.targets.distressing_share, recovery_s=plan.targets.recovery_s)
    return Scenario(name=f"{plan.name}@{plan.version}", interval_s=plan.targets.interval_min * 60.0, intervals=n,
                    queues=(behaviour,), groups=(group,), sl_time_s=plan.targets.sl_time_s)


def _slots(plan: StaffingPlan) -> list[int]:
    """Each plan interval's index on the simulation's clock, which starts at the plan's first interval."""
    step = dt.timedelta(minutes=plan.targets.interval_min)
    first = plan.intervals[0].start_at
    slots = []
    for i in plan.intervals:
        k, rest = divmod(i.start_at - first, step)
        if rest:
            raise InvalidInput(f"plan {plan.name}: interval {i.start_at.isoformat()} is not a whole number of "
                               f"{plan.targets.interval_min}-min steps after the first", field="plan")
        slots.append(k)
    return slots


@dataclass(frozen=True, slots=True)
class IntervalCheck:
    """One plan interval: what the plan expects against what the simulation gave (pooled replications)."""

    start_at: dt.datetime
    calls: float
    agents: int
    offered: float  # simulated, mean per replication
    service_level_target: float
    service_level_plan: float
    service_level_sim: float | None  # None when no call was simulated there
    service_level_ci95: tuple[float, float] | None  # over the replications (None with fewer than two with calls)
    asa_s_plan: float
    asa_s_sim: float | None
    p_abandon_plan: float
    p_abandon_sim: float | None

    @property
    def short(self) -> bool:
        """The simulated service level falls below the plan's target (a point estimate: may be noise)."""
        return self.service_level_sim is not None and self.service_level_sim < self.service_level_target

    @property
    def clearly_short(self) -> bool:
        """Even the upper end of the simulated service level's 95 % interval is below the target."""
        return self.service_level_ci95 is not None and self.service_level_ci95[1] < self.service_level_target


def _ci(result: Result, k: int) -> tuple[float, float] | None:
    found = result.interval_service_level[k] if k < len(result.interval_service_level) else None
    return None if found is None else found.ci95


def compare_with_plan(plan: StaffingPlan, result: Result) -> list[IntervalCheck]:
    """Per interval, the plan's expected service level, ASA and abandon rate beside the simulated ones."""
    per = result.by_interval
    slots = _slots(plan)
    if len(per.get("offered", ())) != slots[-1] + 1:
        raise InvalidInput("the result does not come from this plan's scenario", field="result")
    rows = []
    for k, i in zip(slots, plan.intervals, strict=True):
        offered, answered = per["offered"][k], per["answered"][k]
        rows.append(IntervalCheck(
            start_at=i.start_at, calls=i.calls, agents=i.agents, offered=offered / result.replications,
            service_level_target=plan.targets.service_level, service_level_plan=i.service_level,
            asa_s_plan=i.asa_s, p_abandon_plan=i.p_abandon,
            service_level_sim=per["answered_within"][k] / offered if offered else None,
            service_level_ci95=_ci(result, k),
            asa_s_sim=per["wait_s"][k] / answered if answered else None,
            p_abandon_sim=per["abandoned"][k] / offered if offered else None))
    return rows
