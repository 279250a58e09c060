"""Two staffing plans (or two versions of one) side by side: per interval and in totals.

Totals: scheduled agent-hours (what the plan costs), required agent-hours (agents on the phones),
the peak of scheduled agents and the call-weighted expected service level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from callops.scheduling.staffing_plan import StaffingPlan, compare_plans

__all__ = ["ComparisonRow", "PlanComparison", "PlanTotals", "plan_totals", "compare_plan_totals"]


@dataclass(frozen=True, slots=True)
class PlanTotals:
    """What a whole plan asks for and is expected to deliver."""

    calls: float
    agent_hours: float
    required_agent_hours: float
    peak_scheduled: int
    peak_agents: int
    expected_service_level: float  # NaN for a plan without calls


def plan_totals(plan: StaffingPlan) -> PlanTotals:
    hours = plan.targets.interval_min / 60
    return PlanTotals(
        calls=sum(i.calls for i in plan.intervals),
        agent_hours=plan.agent_hours,
        required_agent_hours=sum(i.agents for i in plan.intervals) * hours,
        peak_scheduled=plan.peak_scheduled,
        peak_agents=max((i.agents for i in plan.intervals), default=0),
        expected_service_level=plan.expected_service_level,
    )


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One interval start; a side is None where its plan has no such interval."""

    start_at: dt.datetime
    scheduled_a: int | None
    scheduled_b: int | None
    service_level_a: float | None
    service_level_b: float | None

    @property
    def delta(self) -> int:
        """Scheduled agents of B minus A (a missing interval counts 0)."""
        return (self.scheduled_b or 0) - (self.scheduled_a or 0)


@dataclass(frozen=True, slots=True)
class PlanComparison:
    a: PlanTotals
    b: PlanTotals
    rows: tuple[ComparisonRow, ...]

    @property
    def agent_hours_delta(self) -> float:
        return self.b.agent_hours - self.a.agent_hours

    @property
    def peak_delta(self) -> int:
        return self.b.peak_scheduled - self.a.peak_scheduled

    @property
    def changed_intervals(self) -> int:
        return sum(1 for r in self.rows if r.delta != 0)


def compare_plan_totals(a: StaffingPlan, b: StaffingPlan) -> PlanComparison:
    """Plan ``a`` against plan ``b``: rows for every interval of either, and both plans' totals."""
    sl_a = {i.start_at: i.service_level for i in a.intervals}
    sl_b = {i.start_at: i.service_level for i in b.intervals}
    rows = tuple(
        ComparisonRow(
            start_at=d.start_at,
            scheduled_a=d.scheduled_a,
            scheduled_b=d.scheduled_b,
            service_level_a=sl_a.get(d.start_at),
            service_level_b=sl_b.get(d.start_at),
        )
        for d in compare_plans(a, b)
    )
    return PlanComparison(a=plan_totals(a), b=plan_totals(b), rows=rows)

