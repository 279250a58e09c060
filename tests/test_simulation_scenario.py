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
