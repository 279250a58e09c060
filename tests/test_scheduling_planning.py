"""Building staffing plans from forecast calls and handle time: known values, shrinkage, recovery, laws."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callops.errors import InvalidInput
from callops.queueing import ServiceTargets, required_agents
from callops.scheduling import StaffingTargets, build_plan, recovery_agents, service_targets

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def starts(n: int, minutes: int = 30) -> list[dt.datetime]:
    return [T0 + dt.timedelta(minutes=minutes * k) for k in range(n)]


def test_known_interval_needs_14_agents_and_20_scheduled() -> None:
    """100 calls in 30 min at AHT 180 s and 80/20 need 14 agents, 20 scheduled at 30 % shrinkage."""
    plan = build_plan(name="p", starts=starts(1), calls=[100], aht_s=180,
                      targets=StaffingTargets(interval_min=30, service_level=0.8, sl_time_s=20, shrinkage=0.3))
    (row,) = plan.intervals
    assert (row.agents, row.scheduled) == (14, 20)
    assert row.service_level == pytest.approx(0.88835, abs=1e-5)
    assert row.occupancy == pytest.approx(10 / 14)
    assert row.p_abandon == 0.0
    assert plan.agent_hours == 10.0


def test_erlang_a_plan_with_patience() -> None:
    """With a 300 s patience the plan uses Erlang A: 14 agents give P(abandon) 0.013984."""
    plan = build_plan(name="p", starts=starts(1), calls=[100], aht_s=180,
                      targets=StaffingTargets(service_level=0.9, sl_time_s=20, shrinkage=0.0, patience_s=300))
    (row,) = plan.intervals
    assert row.agents == 14
    assert row.p_abandon == pytest.approx(0.013984, abs=1e-6)
    assert row.service_level == pytest.approx(0.916792, abs=1e-6)


def test_intervals_without_calls_need_nobody() -> None:
    """An interval without calls gets 0 agents, service level 1 and ASA 0."""
    plan = build_plan(name="p", starts=starts(3), calls=[0, 100, 0], aht_s=[180, 180, 180],
                      targets=StaffingTargets(shrinkage=0.3))
    assert [i.scheduled for i in plan.intervals] == [0, 20, 0]
    assert plan.intervals[0].service_level == 1.0 and plan.intervals[0].asa_s == 0.0
    assert plan.peak_scheduled == 20


def test_recovery_cost_per_interval() -> None:
    """600 calls, AHT 300 s, a fifth distressing with 120 s recovery: recovery costs 9 agents (117 vs 108)."""
    targets = StaffingTargets(service_level=0.8, sl_time_s=20, shrinkage=0.3, distressing_share=0.2, recovery_s=120)
    plan = build_plan(name="p", starts=starts(2), calls=[600, 100], aht_s=[300, 180], targets=targets)
    assert plan.intervals[0].agents == 117
    assert recovery_agents(plan).tolist()[0] == 9
    plain = build_plan(name="p", starts=starts(2), calls=[600, 100], aht_s=[300, 180],
                       targets=StaffingTargets(service_level=0.8, sl_time_s=20, shrinkage=0.3))
    assert recovery_agents(plain).tolist() == [0, 0]
    assert (np.array([i.agents for i in plan.intervals]) - recovery_agents(plan)).tolist() == [
        i.agents for i in plain.intervals]


def test_service_targets_carry_every_target() -> None:
    """The queueing targets inside plan targets keep service level, time, ASA, abandon and occupancy."""
    targets = StaffingTargets(service_level=0.9, sl_time_s=15, asa_s=30, max_abandon=0.05, max_occupancy=0.85,
                              patience_s=200)
    assert service_targets(targets) == ServiceTargets(0.9, 15, 30, 0.05, 0.85)


@pytest.mark.parametrize("bad", [
    {"starts": starts(2), "calls": [1.0]},
    {"starts": [dt.datetime(2026, 3, 2, 1, 0)], "calls": [1.0]},
    {"starts": starts(1), "calls": [-1.0]},
    {"starts": starts(1), "calls": [1.0], "aht_s": 0.0},
    {"starts": starts(1), "calls": [1.0], "name": " "},
])
def test_bad_input_names_the_problem(bad: dict[str, object]) -> None:
    """Mismatched lengths, naive times, negative calls, zero AHT or no name raise InvalidInput."""
    args: dict[str, object] = {"name": "p", "aht_s": 180.0, "targets": StaffingTargets()} | bad
    with pytest.raises(InvalidInput):
        build_plan(**args)  # type: ignore[arg-type]  # the bad values are the point


@settings(max_examples=40, deadline=None)
@given(calls=st.lists(st.floats(0, 2000), min_size=1, max_size=12), aht=st.floats(30, 900),
       shrinkage=st.floats(0, 0.6), sl=st.floats(0.5, 0.95))
def test_plan_matches_one_interval_staffing(calls: list[float], aht: float, shrinkage: float, sl: float) -> None:
    """Every plan interval equals `required_agents` for that interval alone, and meets the target."""
    targets = StaffingTargets(service_level=sl, sl_time_s=20, shrinkage=shrinkage)
    plan = build_plan(name="p", starts=starts(len(calls)), calls=calls, aht_s=aht, targets=targets)
    for row, offered in zip(plan.intervals, calls, strict=True):
        one = required_agents(calls=offered, interval_s=1800, aht_s=aht, targets=service_targets(targets),
                              shrinkage=shrinkage)
        assert (row.agents, row.scheduled) == (one.agents, one.scheduled)
        assert row.scheduled >= row.agents
        assert row.service_level >= sl - 1e-9


@pytest.mark.parametrize(("changes", "field"), [({"distressing_share": 0.2}, "recovery_s"),
                                                ({"recovery_s": 90.0}, "recovery_s"),
                                                ({"max_abandon": 0.05}, "max_abandon")])
def test_plan_targets_refuse_half_given_rules(changes: dict[str, float], field: str) -> None:
    """Recovery needs its share and its time; an abandon target needs a patience (Erlang A)."""
    with pytest.raises(InvalidInput) as caught:
        StaffingTargets(**changes)  # type: ignore[arg-type]
    assert caught.value.field == field
