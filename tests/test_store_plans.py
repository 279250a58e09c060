"""Staffing plans are saved as versions and compared interval by interval."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from callops.errors import InvalidInput, NotFound
from callops.scheduling import PlanInterval, StaffingPlan, StaffingTargets, compare_plans
from callops.store.plans import list_plans, load_plan, save_plan

T0 = dt.datetime(2026, 5, 4, 0, 0, tzinfo=dt.UTC)


def _plan(scheduled: list[int], name: str = "may") -> StaffingPlan:
    intervals = tuple(PlanInterval(start_at=T0 + dt.timedelta(minutes=30 * k), calls=100.0, aht_s=180.0,
                                   agents=s - 6, scheduled=s, service_level=0.8, asa_s=10.0, p_abandon=0.0,
                                   occupancy=0.7) for k, s in enumerate(scheduled))
    return StaffingPlan(name=name, targets=StaffingTargets(shrinkage=0.3), intervals=intervals, queue="PS")


def test_save_versions_and_load(engine: sa.Engine) -> None:
    """Saving a name twice gives versions 1 and 2; each loads back as saved."""
    with engine.begin() as conn:
        first = save_plan(conn, _plan([20, 21]), now=T0)
        second = save_plan(conn, _plan([22, 23, 24]), now=T0 + dt.timedelta(hours=1))
        assert (first.version, second.version) == (1, 2)
        assert [i.scheduled for i in load_plan(conn, "may").intervals] == [22, 23, 24]
        assert load_plan(conn, "may", 1).intervals == first.intervals == _plan([20, 21]).intervals
        assert load_plan(conn, "may", 1).targets == StaffingTargets(shrinkage=0.3)
        assert [(n, v) for n, v, _, _ in list_plans(conn)] == [("may", 2), ("may", 1)]
        with pytest.raises(NotFound):
            load_plan(conn, "june")


def test_compare_and_totals() -> None:
    """Two plans compare per interval; agent-hours and peak come from scheduled agents."""
    a, b = _plan([20, 21]), _plan([22, 23, 24])
    assert [d.delta for d in compare_plans(a, b)] == [2, 2, 24]
    assert a.agent_hours == 20.5 and b.peak_scheduled == 24


def test_targets_are_validated() -> None:
    """Impossible targets are refused naming the field."""
    with pytest.raises(InvalidInput, match="shrinkage"):
        StaffingTargets(shrinkage=1.0)
    with pytest.raises(InvalidInput, match="interval_min"):
        StaffingTargets(interval_min=7)
