"""Workforce scheduling: from staffing requirements to plans (and, next, shifts)."""

from callops.scheduling.handle_time import handle_time_profile
from callops.scheduling.plan_comparison import (
    ComparisonRow,
    PlanComparison,
    PlanTotals,
    compare_plan_totals,
    plan_totals,
)
from callops.scheduling.planning import build_plan, recovery_agents, service_targets
from callops.scheduling.saved_forecast import ForecastPoint, SavedForecast
from callops.scheduling.staffing_plan import PlanDifference, PlanInterval, StaffingPlan, StaffingTargets, compare_plans

__all__ = ["ComparisonRow", "ForecastPoint", "PlanComparison", "PlanDifference", "PlanInterval", "PlanTotals",
           "SavedForecast", "StaffingPlan", "StaffingTargets", "build_plan", "compare_plan_totals", "compare_plans",
           "handle_time_profile", "plan_totals", "recovery_agents", "service_targets"]
