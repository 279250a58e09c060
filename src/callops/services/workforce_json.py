"""Workforce results as plain JSON data: one shape for ``callops ... --json`` and the HTTP API.

``erlang_answer`` and ``staffing_answer`` give the keys and numbers of ``callops erlang --json`` and
``callops staffing --json``; JSON has no infinity or NaN, so an unbounded wait or an undefined
service level is null.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from callops.queueing import ServiceTargets, evaluate, required_agents
from callops.scheduling import PlanComparison, PlanTotals, SavedForecast, StaffingPlan, plan_totals, recovery_agents

__all__ = ["comparison_json", "erlang_answer", "forecast_json", "plan_json", "staffing_answer", "totals_json"]


def _num(value: float) -> float | None:
    return value if math.isfinite(value) else None


def erlang_answer(
    *,
    calls: float,
    interval_s: float,
    aht_s: float,
    agents: int,
    sl_time_s: float = 20.0,
    patience_s: float | None = None,
) -> dict[str, Any]:
    """What ``agents`` deliver: the keys of ``callops erlang --json`` (more with a patience)."""
    m = evaluate(
        calls=calls, interval_s=interval_s, aht_s=aht_s, agents=agents, sl_time_s=sl_time_s, patience_s=patience_s
    )
    out: dict[str, Any] = {
        "p_wait": m.p_wait,
        "service_level": m.service_level,
        "asa_s": _num(m.asa_s),
        "occupancy": m.occupancy,
    }
    if patience_s is not None:
        out |= {
            "p_abandon": m.p_abandon,
            "service_level_answered": m.service_level_answered,
            "mean_wait_s": m.mean_wait_s,
        }
    return out


def staffing_answer(
    *,
    calls: float,
    interval_s: float,
    aht_s: float,
    targets: ServiceTargets,
    patience_s: float | None = None,
    shrinkage: float = 0.0,
    distressing_share: float = 0.0,
    recovery_s: float = 0.0,
) -> dict[str, Any]:
    """The fewest agents for the targets: the keys of ``callops staffing --json`` (recovery keys with it)."""
    r = required_agents(
        calls=calls,
        interval_s=interval_s,
        aht_s=aht_s,
        targets=targets,
        patience_s=patience_s,
        shrinkage=shrinkage,
        distressing_share=distressing_share,
        recovery_s=recovery_s,
    )
    m = r.metrics
    out: dict[str, Any] = {
        "agents": r.agents,
        "scheduled": r.scheduled,
        "service_level": m.service_level,
        "asa_s": _num(m.asa_s),
        "p_wait": m.p_wait,
        "p_abandon": m.p_abandon,
        "occupancy": m.occupancy,
    }
    if recovery_s > 0:
        out |= {
            "effective_aht_s": r.effective_aht_s,
            "agents_without_recovery": r.agents_without_recovery,
            "recovery_agents": r.recovery_agents,
        }
    return out


def _at(value: dt.datetime, tz: dt.tzinfo | None) -> str:
    return (value if tz is None else value.astimezone(tz)).isoformat()


def totals_json(totals: PlanTotals) -> dict[str, Any]:
    return {
        "calls": totals.calls,
        "agent_hours": totals.agent_hours,
        "required_agent_hours": totals.required_agent_hours,
        "peak_scheduled": totals.peak_scheduled,
        "peak_agents": totals.peak_agents,
        "expected_service_level": _num(totals.expected_service_level),
    }


def plan_json(plan: StaffingPlan, *, with_intervals: bool = True, tz: dt.tzinfo | None = None) -> dict[str, Any]:
    """A plan: name, version, targets, totals and (optionally) every interval with its recovery cost.

    Interval starts are ISO 8601 with their UTC offset, in ``tz`` (default UTC).
    """
    out: dict[str, Any] = {
        "name": plan.name,
        "version": plan.version,
        "queue": plan.queue,
        "created_at": plan.created_at.isoformat() if plan.created_at else None,
        "created_by": plan.created_by,
        "forecast_id": plan.forecast_id,
        "note": plan.note,
        "targets": plan.targets.as_dict(),
        "totals": totals_json(plan_totals(plan)),
    }
    if with_intervals:
        recovery = recovery_agents(plan)
        out["totals"]["recovery_agent_hours"] = float(recovery.sum()) * plan.targets.interval_min / 60
        out["intervals"] = [
            {
                "interval_start": _at(i.start_at, tz),
                "calls": i.calls,
                "aht_s": i.aht_s,
                "agents": i.agents,
                "scheduled": i.scheduled,
                "service_level": _num(i.service_level),
                "asa_s": _num(i.asa_s),
                "p_abandon": i.p_abandon,
                "occupancy": i.occupancy,
                "recovery_agents": int(recovery[k]),
            }
            for k, i in enumerate(plan.intervals)
        ]
    return out


def comparison_json(
    a: StaffingPlan, b: StaffingPlan, comparison: PlanComparison, *, tz: dt.tzinfo | None = None
) -> dict[str, Any]:
    """Two plans side by side: their names and versions, totals, deltas and one row per interval."""
    return {
        "a": {"name": a.name, "version": a.version, "totals": totals_json(comparison.a)},
        "b": {"name": b.name, "version": b.version, "totals": totals_json(comparison.b)},
        "agent_hours_delta": comparison.agent_hours_delta,
        "peak_delta": comparison.peak_delta,
        "changed_intervals": comparison.changed_intervals,
        "intervals": [
            {
                "interval_start": _at(r.start_at, tz),
                "scheduled_a": r.scheduled_a,
                "scheduled_b": r.scheduled_b,
                "delta": r.delta,
                "service_level_a": None if r.service_level_a is None else _num(r.service_level_a),
                "service_level_b": None if r.service_level_b is None else _num(r.service_level_b),
            }
            for r in comparison.rows
        ],
    }


def forecast_json(forecast: SavedForecast, *, with_points: bool = True, tz: dt.tzinfo | None = None) -> dict[str, Any]:
    """A saved forecast: name, version, model, accuracy, overrides and its points."""
    out: dict[str, Any] = {
        "name": forecast.name,
        "version": forecast.version,
        "queue": forecast.queue,
        "grain_min": forecast.grain_min,
        "model": forecast.model,
        "tz": forecast.tz,
        "created_at": forecast.created_at.isoformat() if forecast.created_at else None,
        "total_calls": forecast.total_calls,
        "accuracy": forecast.accuracy,
        "overrides": list(forecast.overrides),
    }
    if with_points:
        out["points"] = [
            {"interval_start": _at(p.start_at, tz), "forecast": p.calls, "lo": p.lo, "hi": p.hi, "aht_s": p.aht_s}
            for p in forecast.points
        ]
    return out
