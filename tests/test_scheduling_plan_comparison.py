"""Two staffing plans side by side: per-interval rows, agent-hours, peak and expected service level."""

from __future__ import annotations

import datetime as dt

import pytest

from callops.scheduling import StaffingTargets, build_plan, compare_plan_totals, plan_totals

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
HALF = dt.timedelta(minutes=30)


def test_totals_of_a_plan() -> None:
    """Totals: calls, scheduled and required agent-hours, peak and call-weighted service level."""
    plan = build_plan(name="a", starts=[T0, T0 + HALF], calls=[100, 0], aht_s=180,
                      targets=StaffingTargets(shrinkage=0.3))
    totals = plan_totals(plan)
    assert (totals.calls, totals.agent_hours, totals.required_agent_hours) == (100, 10.0, 7.0)
    assert (totals.peak_scheduled, totals.peak_agents) == (20, 14)
    assert totals.expected_service_level == pytest.approx(0.88835, abs=1e-5)


def test_compare_versions_interval_by_interval() -> None:
    """Less shrinkage in B lowers scheduled agents; intervals only one plan has count with None."""
    a = build_plan(name="a", starts=[T0, T0 + HALF], calls=[100, 50], aht_s=180, targets=StaffingTargets(shrinkage=0.3))
    b = build_plan(name="a", starts=[T0 + HALF, T0 + 2 * HALF], calls=[50, 10], aht_s=180,
                   targets=StaffingTargets(shrinkage=0.1))
    cmp = compare_plan_totals(a, b)
    assert [r.start_at for r in cmp.rows] == [T0, T0 + HALF, T0 + 2 * HALF]
    first, middle, last = cmp.rows
    assert (first.scheduled_a, first.scheduled_b, first.delta) == (20, None, -20)
    assert middle.scheduled_a is not None and middle.scheduled_b is not None
    assert middle.delta == middle.scheduled_b - middle.scheduled_a < 0
    assert last.scheduled_a is None and last.delta == last.scheduled_b
    assert cmp.agent_hours_delta == pytest.approx(cmp.b.agent_hours - cmp.a.agent_hours)
    assert cmp.peak_delta == cmp.b.peak_scheduled - 20
    assert cmp.changed_intervals == 3
