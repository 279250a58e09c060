"""Independent replications from one master seed, with Student-t 95 % confidence intervals."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from callops.errors import InvalidInput
from callops.records import AgentInterval, Call
from callops.simulation.engine import RunStats, simulate
from callops.simulation.scenario import Scenario

__all__ = ["METRICS", "Estimate", "Result", "estimate", "run_scenario", "scenario_to_records"]

METRICS = ("service_level", "p_abandon", "asa_s", "p_wait", "occupancy")


@dataclass(frozen=True, slots=True)
class Estimate:
    mean: float
    ci95: tuple[float, float]

    def as_dict(self) -> dict[str, object]:
        return {"mean": round(self.mean, 6), "ci95": [round(self.ci95[0], 6), round(self.ci95[1], 6)]}


@dataclass(frozen=True, slots=True)
class Result:
    """The scenario's metrics over replications; each replication's ratios weigh equally."""

    scenario: str
    replications: int
    offered_mean: float
    metrics: dict[str, Estimate]

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {k: v.as_dict() for k, v in self.metrics.items()}
        out["offered_mean"] = round(self.offered_mean, 3)
        out["replications"] = self.replications
        out["scenario"] = self.scenario
        return out


def estimate(values: list[float]) -> Estimate:
    """Mean and Student-t 95 % interval of independent replication values."""
    arr = np.asarray(values, dtype=float)
    mean = float(arr.mean())
    if len(arr) < 2:
        return Estimate(mean, (mean, mean))
    half = float(scipy_stats.t.ppf(0.975, len(arr) - 1) * arr.std(ddof=1) / math.sqrt(len(arr)))
    return Estimate(mean, (mean - half, mean + half))


def _ratios(run: RunStats) -> dict[str, float]:
    offered = max(run.offered, 1)
    busy = run.handling_s + run.ready_s
    return {
        "service_level": run.answered_within / offered,
        "p_abandon": run.abandoned / offered,
        "asa_s": run.answered_wait_s / max(run.answered, 1),
        "p_wait": run.waited / offered,
        "occupancy": run.handling_s / busy if busy > 0 else 0.0,
    }


def run_scenario(scenario: Scenario, replications: int, seed: int) -> Result:
    """Run ``replications`` independent replications seeded from ``seed`` (numpy SeedSequence spawn)."""
    if replications < 1:
        raise InvalidInput("replications must be at least 1", field="replications")
    runs = [simulate(scenario, child) for child in np.random.SeedSequence(seed).spawn(replications)]
    per = [_ratios(r) for r in runs]
    metrics = {k: estimate([p[k] for p in per]) for k in METRICS}
    return Result(scenario.name, replications, float(np.mean([r.offered for r in runs])), metrics)


def scenario_to_records(scenario: Scenario, seed: int) -> tuple[list[Call], list[AgentInterval]]:
    """One replication's Call and AgentInterval records (source "sim", ``scenario`` set) for storage."""
    run = simulate(scenario, np.random.SeedSequence(seed), record=True)
    return run.calls, run.intervals
