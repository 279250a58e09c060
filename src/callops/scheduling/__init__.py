"""Workforce scheduling: from staffing requirements to plans (and, next, shifts)."""

from callops.scheduling.staffing_plan import PlanDifference, PlanInterval, StaffingPlan, StaffingTargets, compare_plans

__all__ = ["PlanDifference", "PlanInterval", "StaffingPlan", "StaffingTargets", "compare_plans"]
