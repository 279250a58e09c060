"""Tests for scenario YAML parsing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.routing import Strategy
from callops.simulation import parse_scenario, simulate

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "bank.yaml"


def test_example_scenario_parses_and_runs() -> None:
    """The example with IVR, several queues, skills, overflow, callbacks and retrials runs end to end."""
    scenario = parse_scenario(EXAMPLE.read_text(encoding="utf-8"), file=str(EXAMPLE))
    assert scenario.strategy is Strategy.LONGEST_IDLE and len(scenario.queues) == 3
    run = simulate(scenario, np.random.SeedSequence(1))
    assert scenario.ivr is not None
    assert run.offered > 1000 and run.callback > 0 and run.ivr_self_service > 0
    assert run.answered + run.abandoned + run.timeout == run.offered


def test_bad_distribution_names_the_file() -> None:
    """An unknown distribution is refused with the file and field named."""
    text = "queues: [{name: q, arrivals: 1, handle: {dist: weibull, mean_s: 3}}]\nagents: []\n"
    with pytest.raises(InvalidInput, match="s.yaml.*weibull"):
        parse_scenario(text, file="s.yaml")


def test_wrong_number_of_interval_values() -> None:
    """A per-interval list of the wrong length is refused."""
    text = "intervals: 2\nqueues: [{name: q, arrivals: [1, 2, 3], handle: 60}]\nagents: []\n"
    with pytest.raises(InvalidInput, match="needs 2 values"):
        parse_scenario(text, file="s.yaml")


def test_records_carry_ivr_times_and_ivr_endings() -> None:
    """A caller transferred by the IVR has IVR entry and exit before queue entry (exit = queue entry, after the
    menu's 25 s); callers who end in the IVR become records with an IVR outcome, counted apart from offered calls."""
    from callops.records import Outcome
    from callops.simulation import scenario_to_records

    scenario = parse_scenario(EXAMPLE.read_text(encoding="utf-8"), file=str(EXAMPLE))
    calls, _ = scenario_to_records(scenario, 4)
    through = [c for c in calls if c.ivr_entered_at is not None and c.queue_entered_at is not None]
    assert through and all(c.ivr_exited_at == c.queue_entered_at for c in through)
    assert all((c.queue_entered_at - c.ivr_entered_at).total_seconds() == pytest.approx(25.0)  # type: ignore[operator]
               for c in through)
    ended = [c for c in calls if c.outcome in (Outcome.IVR_SELF_SERVICE, Outcome.IVR_HANGUP)]
    assert {c.outcome for c in ended} == {Outcome.IVR_SELF_SERVICE, Outcome.IVR_HANGUP}
    assert all(c.queue_entered_at is None and c.ivr_exited_at == c.ended_at for c in ended)
    assert len({c.source_call_id for c in calls}) == len(calls)
    run = simulate(scenario, np.random.SeedSequence(4), record=True)
    assert run.ivr_self_service + run.ivr_hangup == len(ended)
    assert run.offered == len(calls) - len(ended)


@pytest.mark.parametrize(("means", "message"), [("[60, 0]", "must be positive"), ("[60, 60, 60]", "needs 2 values")])
def test_handle_means_per_interval_are_checked(means: str, message: str) -> None:
    """handle_means_s gives the handle time's mean per interval; a zero or a wrong count is refused."""
    ok = parse_scenario("intervals: 2\nqueues: [{name: q, arrivals: 1, handle: 60, handle_means_s: [60, 120]}]\n"
                        "agents: []\n", file="s.yaml")
    assert ok.queues[0].handle_means_s == (60.0, 120.0)
    with pytest.raises(InvalidInput, match=message):
        parse_scenario(f"intervals: 2\nqueues: [{{name: q, arrivals: 1, handle: 60, handle_means_s: {means}}}]\n"
                       "agents: []\n", file="s.yaml")


@pytest.mark.parametrize("path", sorted(EXAMPLE.parent.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_scenario_runs(path: Path) -> None:
    """Each file in examples/scenarios parses and runs; bank-breaks takes its 18 tea breaks."""
    from callops.records import AgentState
    from callops.simulation import scenario_to_records

    scenario = parse_scenario(path.read_text(encoding="utf-8"), file=str(path))
    calls, intervals = scenario_to_records(scenario, 1)
    assert calls and intervals
    taken = [i for i in intervals if i.state is AgentState.BREAK]
    assert len(taken) == sum(b.agents for g in scenario.groups for b in g.breaks)
    assert ("breaks" in path.name) == bool(taken)
