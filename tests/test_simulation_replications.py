"""Validation of the simulator against Erlang C and Erlang A, and the replication statistics."""

from __future__ import annotations

import pytest

from callops.simulation import estimate, run_scenario, single_queue

# 100 calls per 30 min, AHT 180 s: A = 10 Erlangs.
ERLANG_A_14 = {"p_wait": 0.14526, "p_abandon": 0.013984, "service_level": 0.916792}  # N=14, patience 300 s
ERLANG_C_13 = {"p_wait": 0.2852705, "service_level": 0.7955948, "asa_s": 0.2852705 * 180 / (13 - 10),
               "p_abandon": 0.0, "occupancy": 10 / 13}


@pytest.mark.parametrize("seed", [3, 11])
def test_erlang_a_inside_the_confidence_intervals(seed: int) -> None:
    """With exponential patience, P(wait), P(abandon) and SL from Erlang A lie inside the 95 % CIs."""
    scenario = single_queue(calls=100, interval_s=1800, aht_s=180, agents=14, hours=12, patience_s=300)
    result = run_scenario(scenario, 10, seed)
    for metric, theory in ERLANG_A_14.items():
        lo, hi = result.metrics[metric].ci95
        assert lo <= theory <= hi, (metric, theory, lo, hi)


@pytest.mark.parametrize("seed", [5, 11])
def test_erlang_c_inside_the_confidence_intervals(seed: int) -> None:
    """Without abandonment, P(wait), SL, ASA and occupancy from Erlang C lie inside the 95 % CIs."""
    scenario = single_queue(calls=100, interval_s=1800, aht_s=180, agents=13, hours=12)
    result = run_scenario(scenario, 10, seed)
    for metric, theory in ERLANG_C_13.items():
        lo, hi = result.metrics[metric].ci95
        assert lo - 1e-12 <= theory <= hi + 1e-12, (metric, theory, lo, hi)


def test_same_seed_same_result() -> None:
    """Replications from the same master seed repeat exactly; another seed differs."""
    scenario = single_queue(calls=50, interval_s=1800, aht_s=180, agents=7, hours=2, patience_s=300)
    assert run_scenario(scenario, 3, 1) == run_scenario(scenario, 3, 1)
    assert run_scenario(scenario, 3, 1) != run_scenario(scenario, 3, 2)


def test_estimate_is_student_t() -> None:
    """The 95 % interval of 1, 2, 3 is 2 ± t(0.975, 2)·1/√3."""
    e = estimate([1.0, 2.0, 3.0])
    assert e.mean == 2.0
    assert e.ci95[1] - 2.0 == pytest.approx(4.302653 / 3**0.5, rel=1e-6)


def test_all_five_metrics_match_the_queueing_package() -> None:
    """Erlang A from callops.queueing (P(wait), P(abandon), SL, ASA of answered calls, occupancy) lies inside the
    CIs of the acceptance run (24 h, 10 replications, seed 11)."""
    from callops.queueing import erlang_a

    theory = erlang_a(calls=100, interval_s=1800, aht_s=180, agents=14, patience_s=300)
    scenario = single_queue(calls=100, interval_s=1800, aht_s=180, agents=14, hours=24, patience_s=300)
    result = run_scenario(scenario, 10, 11)
    for metric in ("p_wait", "p_abandon", "service_level", "asa_s", "occupancy"):
        value = float(getattr(theory, metric))
        lo, hi = result.metrics[metric].ci95
        assert lo <= value <= hi, (metric, value, lo, hi)
