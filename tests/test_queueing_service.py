"""The one-interval service functions that the CLI, API and pages call."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.queueing import QueueMetrics, ServiceTargets, evaluate, required_agents, staff_intervals


def test_evaluate_erlang_c() -> None:
    """13 agents for 100 calls of 180 s in 30 min: Erlang C P(wait) 0.2852705 and service level 0.7955948."""
    m = evaluate(calls=100, interval_s=1800, aht_s=180, agents=13, sl_time_s=20)
    assert m.model == "erlang_c"
    assert abs(m.p_wait - 0.2852705) < 1e-6 and abs(m.service_level - 0.7955948) < 1e-6
    assert m.p_abandon == 0.0 and m.load == 10.0


def test_evaluate_erlang_a_with_patience() -> None:
    """With a patience of 300 s the same centre with 14 agents abandons 1.3984 % of calls."""
    m = evaluate(calls=100, interval_s=1800, aht_s=180, agents=14, sl_time_s=20, patience_s=300)
    assert m.model == "erlang_a"
    assert abs(m.p_abandon - 0.013984) < 2e-6 and abs(m.service_level - 0.916792) < 2e-6


def test_results_are_frozen() -> None:
    """QueueMetrics cannot be changed after it is made."""
    m = evaluate(calls=10, interval_s=900, aht_s=120, agents=3)
    assert isinstance(m, QueueMetrics)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.agents = 4  # type: ignore[misc]  # the assignment is the behaviour under test


def test_required_agents_with_shrinkage() -> None:
    """80/20 needs 14 agents and 20 scheduled at 30 % shrinkage, and delivers service level 0.88835."""
    r = required_agents(calls=100, interval_s=1800, aht_s=180, targets=ServiceTargets(0.8, 20), shrinkage=0.3)
    assert (r.agents, r.scheduled, r.recovery_agents) == (14, 20, 0)
    assert round(r.metrics.service_level, 5) == 0.88835


def test_recovery_costs_agents() -> None:
    """800 calls, 15 % followed by 2 minutes of recovery: the extra agents are reported as the cost."""
    r = required_agents(
        calls=800,
        interval_s=1800,
        aht_s=300,
        targets=ServiceTargets(0.8, 20),
        distressing_share=0.15,
        recovery_s=120,
    )
    plain = required_agents(calls=800, interval_s=1800, aht_s=300, targets=ServiceTargets(0.8, 20))
    assert r.effective_aht_s == pytest.approx(318)
    assert r.agents_without_recovery == plain.agents
    assert r.recovery_agents == r.agents - plain.agents > 0
    assert r.metrics.service_level >= 0.8


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"calls": -1.0}, "calls"),
        ({"aht_s": 0.0}, "aht_s"),
        ({"agents": -2}, "agents"),
        ({"patience_s": 0.0}, "patience_s"),
        ({"interval_s": float("inf")}, "interval_s"),
    ],
)
def test_bad_values_name_the_field(kwargs: dict[str, float], field: str) -> None:
    """Each bad input is refused with an InvalidInput naming its field."""
    args: dict[str, float] = {"calls": 100.0, "interval_s": 1800.0, "aht_s": 180.0, "agents": 13}
    args.update(kwargs)
    with pytest.raises(InvalidInput, match=field):
        evaluate(**args)  # type: ignore[arg-type]  # agents is an int in the mapping


def test_staff_intervals_equals_one_at_a_time() -> None:
    """A day of intervals staffed in one call gives each interval what required_agents gives it alone."""
    calls = np.array([0.0, 40.0, 100.0, 260.0, 90.0])
    aht = np.array([180.0, 200.0, 180.0, 240.0, 300.0])
    targets = ServiceTargets(0.8, 20, max_abandon=0.05)
    plan = staff_intervals(
        calls=calls, interval_s=1800, aht_s=aht, targets=targets, patience_s=240, shrinkage=0.25,
        distressing_share=0.1, recovery_s=90,
    )
    for i in range(calls.size):
        one = required_agents(
            calls=float(calls[i]), interval_s=1800, aht_s=float(aht[i]), targets=targets, patience_s=240,
            shrinkage=0.25, distressing_share=0.1, recovery_s=90,
        )
        assert (int(plan.agents[i]), int(plan.scheduled[i])) == (one.agents, one.scheduled)
        assert int(plan.agents_without_recovery[i]) == one.agents_without_recovery
        assert float(plan.metrics.service_level[i]) == pytest.approx(one.metrics.service_level, abs=1e-12)
    assert plan.agents[0] == 0 and plan.effective_aht_s.tolist() == (aht + 9).tolist()
