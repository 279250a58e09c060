"""Tests for the simulator's event loop: records, conservation of calls, behaviour switches."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from callops.records import AgentState, Outcome
from callops.simulation import scenario_to_records, simulate, single_queue


@settings(max_examples=15, deadline=None)
@given(agents=st.integers(1, 6), calls=st.floats(0, 60), seed=st.integers(0, 10_000))
def test_outcomes_sum_to_offered(agents: int, calls: float, seed: int) -> None:
    """Answered, abandoned and timed-out calls always add up to offered."""
    scenario = single_queue(calls=calls, interval_s=1800, aht_s=200, agents=agents, hours=1, patience_s=120)
    run = simulate(scenario, np.random.SeedSequence(seed))
    assert run.answered + run.abandoned + run.timeout == run.offered
    assert run.answered_within <= run.answered


def test_records_are_canonical_and_scenario_tagged() -> None:
    """A recorded run yields Call and AgentInterval records with source sim and the scenario name."""
    scenario = single_queue(calls=40, interval_s=1800, aht_s=180, agents=4, hours=1, patience_s=200)
    calls, intervals = scenario_to_records(scenario, 7)
    assert calls and intervals
    assert {c.source for c in calls} == {"sim:single-queue"} and {c.scenario for c in calls} == {"single-queue"}
    answered = [c for c in calls if c.outcome is Outcome.ANSWERED]
    assert answered and all(c.agent is not None and c.wait_s is not None for c in answered)
    assert {i.state for i in intervals} >= {AgentState.READY, AgentState.ON_CALL}
    assert all(i.end_at > i.start_at for i in intervals)


def test_no_agents_means_every_patient_call_abandons() -> None:
    """With one agent and a huge AHT nearly all callers abandon."""
    scenario = single_queue(calls=60, interval_s=1800, aht_s=100_000, agents=1, hours=1, patience_s=60)
    run = simulate(scenario, np.random.SeedSequence(2))
    assert run.abandoned >= run.offered - 2


def test_ring_all_scenario_conserves_calls() -> None:
    """A two-queue skills scenario under ring-all with ring time and no-answers still accounts for every call."""
    from callops.simulation import parse_scenario

    text = """
name: ring
interval_min: 30
intervals: 4
strategy: ring_all
queues:
  - {name: sales, arrivals: 60, handle: 200, patience: 120}
  - {name: care, arrivals: 40, handle: 150, patience: 200}
agents:
  - {group: s, skills: {sales: 1}, count: 5, ring_s: 4, no_answer_share: 0.05, away_s: 30}
  - {group: c, skills: {care: 1, sales: 1}, count: 4, ring_s: 4}
"""
    run = simulate(parse_scenario(text), np.random.SeedSequence(3))
    assert run.offered > 300 and run.answered > 0.5 * run.offered
    assert run.answered + run.abandoned + run.timeout == run.offered


def test_breaks_take_agents_off_the_phones_for_their_full_length() -> None:
    """Three of 14 agents break for 15 minutes at 02:00 and two more at 02:15: every break interval lasts exactly
    15 minutes with its reason, none starts before its time, busy agents start theirs when their call ends, and
    the service level of the day falls against the same day without breaks (same seed)."""
    from dataclasses import replace

    from callops.simulation import Break, run_scenario

    base = single_queue(calls=100, interval_s=1800, aht_s=180, agents=14, hours=4, patience_s=300)
    group = replace(base.groups[0], breaks=(Break(7200, 900, 3, "tea"), Break(8100, 900, 2, "tea")))
    with_breaks = replace(base, groups=(group,))
    _, intervals = scenario_to_records(with_breaks, 5)
    taken = [i for i in intervals if i.state is AgentState.BREAK]
    assert len(taken) == 5 and {i.reason for i in taken} == {"tea"}
    assert all((i.end_at - i.start_at).total_seconds() == 900 for i in taken)
    first = min(i.start_at for i in intervals)  # everybody logs in at the start
    offsets = sorted((i.start_at - first).total_seconds() for i in taken)
    assert offsets[0] >= 7200 and offsets[3] >= 8100
    assert len({i.agent for i in taken}) == 5  # nobody is picked twice while on or due a break
    before = run_scenario(base, 10, 3).metrics["service_level"].mean
    after = run_scenario(with_breaks, 10, 3).metrics["service_level"].mean
    assert after < before - 0.01, (before, after)


def test_breaks_parse_from_yaml_and_bad_ones_are_named() -> None:
    """agents[].breaks in scenario YAML: at_min, minutes, agents, reason; a zero-minute break is refused."""
    import pytest

    from callops.errors import InvalidInput
    from callops.simulation import parse_scenario

    text = ("queues: [{name: q, arrivals: 10, handle: 60}]\nintervals: 4\n"
            "agents: [{group: g, skills: {q: 1}, count: 3, breaks: [{at_min: 30, minutes: 10, agents: 1, "
            "reason: lunch}]}]\n")
    [group] = parse_scenario(text).groups
    assert group.breaks[0].at_s == 1800 and group.breaks[0].duration_s == 600 and group.breaks[0].reason == "lunch"
    with pytest.raises(InvalidInput, match=r"agents\[0\]\.breaks"):
        parse_scenario(text.replace("minutes: 10", "minutes: 0"), file="s.yaml")
