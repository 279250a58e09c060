"""Validation of the simulator against Erlang C and Erlang A, and the replication statistics."""

from __future__ import annotations

from pathlib import Path

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


def test_rate_intervals_stay_between_zero_and_one() -> None:
    """Student t around a rate near 1 would pass 100 %; a rate's interval is cut at 1, a duration's at 0."""
    near_one = estimate([0.97, 1.0, 1.0], rate=True)
    assert near_one.ci95[1] == 1.0 and near_one.ci95[0] < near_one.mean
    assert estimate([0.97, 1.0, 1.0]).ci95[1] > 1.0
    assert estimate([0.0, 0.0, 9.0]).ci95[0] == 0.0


def test_each_queue_has_its_own_estimates() -> None:
    """Per-queue results count every call once, in the queue it arrived to: the queues' offered calls add up to
    the scenario's, and a queue with more agents per call answers faster."""
    from callops.routing import QueueConfig
    from callops.simulation import AgentGroup, Distribution, QueueBehaviour, Scenario

    def queue(name: str) -> QueueBehaviour:
        return QueueBehaviour(QueueConfig(name, name), (100.0,) * 8, Distribution("exponential", 180.0),
                              Distribution("exponential", 300.0))

    scenario = Scenario("two", 1800.0, 8, (queue("tight"), queue("easy")),
                        (AgentGroup("t", {"tight": 1}, (11,)), AgentGroup("e", {"easy": 1}, (15,))), warmup_s=1800)
    result = run_scenario(scenario, 5, 3)
    assert list(result.queues) == ["tight", "easy"]
    assert sum(q.offered_mean for q in result.queues.values()) == pytest.approx(result.offered_mean)
    tight, easy = result.queues["tight"].metrics, result.queues["easy"].metrics
    assert tight["service_level"].ci95[1] < easy["service_level"].ci95[0]
    assert tight["p_abandon"].mean > easy["p_abandon"].mean
    assert "occupancy" not in tight
    assert set(result.as_dict()["queues"]) == {"tight", "easy"}  # type: ignore[call-overload]
    single = run_scenario(single_queue(calls=50, interval_s=1800, aht_s=180, agents=7, hours=2), 2, 1)
    assert "queues" not in single.as_dict()


def test_timeouts_callbacks_and_ivr_endings_are_reported() -> None:
    """What a replication counts beyond the metrics reaches the Result and its JSON: timeouts (a full queue and
    a maximum wait), callbacks, IVR self-service and hang-ups, as means per replication equal to the runs'."""
    import numpy as np

    from callops.simulation import parse_scenario, simulate

    text = (Path(__file__).parents[1] / "examples" / "scenarios" / "bank.yaml").read_text()
    scenario = parse_scenario(text.replace("capacity: 40", "capacity: 4").replace("max_wait_s: 900", "max_wait_s: 60"))
    result = run_scenario(scenario, 2, 7)
    runs = [simulate(scenario, child) for child in np.random.SeedSequence(7).spawn(2)]
    out = result.as_dict()
    for name in ("timeout", "callback", "ivr_self_service", "ivr_hangup"):
        mean = sum(getattr(r, name) for r in runs) / 2
        assert mean > 0, name
        assert result.outcomes[name] == mean and out[f"{name}_mean"] == round(mean, 3)
    loans = out["queues"]["loans"]  # type: ignore[index]
    assert loans["timeout_mean"] == result.outcomes["timeout"] > 0  # only loans has a capacity and a maximum wait
