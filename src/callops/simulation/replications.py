"""Independent replications from one master seed, with Student-t 95 % confidence intervals."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as scipy_stats

from callops.deadline import Deadline
from callops.errors import InvalidInput
from callops.records import AgentInterval, Call
from callops.simulation.engine import QueueStats, RunStats, simulate
from callops.simulation.outbound import OutboundStats
from callops.simulation.scenario import Scenario

__all__ = ["METRICS", "OUTBOUND_COUNTS", "OUTBOUND_METRICS", "OUTCOME_COUNTS", "QUEUE_METRICS", "Estimate",
           "OutboundResult", "QueueResult", "Result", "estimate", "run_scenario", "scenario_to_records"]

METRICS = ("service_level", "p_abandon", "asa_s", "p_wait", "occupancy")
_RATES = frozenset({"service_level", "p_abandon", "p_wait", "occupancy"})
QUEUE_METRICS = ("service_level", "p_abandon", "asa_s", "p_wait")  # agents are shared: occupancy is not per queue
# What else a replication counts, reported as means per replication: calls the system took out of the queue
# (capacity, maximum wait), answered calls whose caller took a callback, callers who ended in the IVR.
OUTCOME_COUNTS = ("timeout", "callback", "ivr_self_service", "ivr_hangup")
# An outbound campaign's measures per replication (rates and shares; connects per agent hour) and its counts.
OUTBOUND_METRICS = ("abandon_rate", "abandon_rate_actual", "agent_talk_share", "outbound_talk_share",
                    "connects_per_agent_hour")
OUTBOUND_COUNTS = ("dials", "reserved_dials", "live", "connects", "abandons", "amd_false_positives",
                   "amd_false_positives_estimated", "machines", "no_answers", "refusals")


@dataclass(frozen=True, slots=True)
class Estimate:
    mean: float
    ci95: tuple[float, float]

    def as_dict(self) -> dict[str, object]:
        return {"mean": round(self.mean, 6), "ci95": [round(self.ci95[0], 6), round(self.ci95[1], 6)]}


@dataclass(frozen=True, slots=True)
class QueueResult:
    """One queue's metrics over replications, counted by the queue a call arrived to."""

    offered_mean: float
    metrics: dict[str, Estimate]
    timeout_mean: float = 0.0

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {k: v.as_dict() for k, v in self.metrics.items()}
        out["offered_mean"] = round(self.offered_mean, 3)
        out["timeout_mean"] = round(self.timeout_mean, 3)
        return out


@dataclass(frozen=True, slots=True)
class OutboundResult:
    """The outbound campaign over replications: each measure's mean and 95 % interval, the worst replication's
    abandon rate, the worst rolling window over all replications, and the counts' means per replication."""

    campaign: str
    pacing: str
    abandon_cap: float
    window_h: float
    metrics: dict[str, Estimate]
    abandon_rate_max: float
    max_window_abandon_rate: float
    counts: dict[str, float]

    @classmethod
    def of(cls, campaign: str, pacing: str, abandon_cap: float, window_h: float,
           runs: list[OutboundStats]) -> OutboundResult:
        return cls(campaign, pacing, abandon_cap, window_h,
                   {k: estimate([getattr(r, k) for r in runs], rate=k != "connects_per_agent_hour")
                    for k in OUTBOUND_METRICS},
                   max(r.abandon_rate for r in runs), max(r.max_window_abandon_rate for r in runs),
                   {k: float(np.mean([getattr(r, k) for r in runs])) for k in OUTBOUND_COUNTS})

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"campaign": self.campaign, "pacing": self.pacing, "abandon_cap": self.abandon_cap,
                                  "window_h": self.window_h}
        for k, v in self.metrics.items():
            out[k] = {**v.as_dict(), "max": round(self.abandon_rate_max, 6)} if k == "abandon_rate" else v.as_dict()
        out["max_window_abandon_rate"] = round(self.max_window_abandon_rate, 6)
        for k, mean in self.counts.items():
            out[f"{k}_mean"] = round(mean, 3)
        return out


@dataclass(frozen=True, slots=True)
class Result:
    """The scenario's metrics over replications; each replication's ratios weigh equally.

    ``queues`` holds the same per queue (in the scenario's order); ``as_dict`` lists them only when the
    scenario has more than one queue, so a single queue's JSON is the plain metrics. ``by_interval`` holds
    the counts per interval (offered, answered, abandoned, answered_within, wait_s) summed over replications;
    ``interval_service_level`` each interval's service level with its 95 % interval over the replications that
    offered a call there (None with fewer than two); ``outcomes`` the mean per replication of each
    ``OUTCOME_COUNTS`` count (``as_dict``: ``timeout_mean``, ``callback_mean``, ...).
    """

    scenario: str
    replications: int
    offered_mean: float
    metrics: dict[str, Estimate]
    queues: dict[str, QueueResult] = field(default_factory=dict)
    by_interval: dict[str, tuple[float, ...]] = field(default_factory=dict)  # sums over replications
    interval_service_level: tuple[Estimate | None, ...] = ()  # over the replications that had calls there
    outcomes: dict[str, float] = field(default_factory=dict)  # OUTCOME_COUNTS, mean per replication
    outbound: OutboundResult | None = None  # the scenario's outbound campaign, if it has one

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {k: v.as_dict() for k, v in self.metrics.items()}
        out["offered_mean"] = round(self.offered_mean, 3)
        for name, mean in self.outcomes.items():
            out[f"{name}_mean"] = round(mean, 3)
        if len(self.queues) > 1:
            out["queues"] = {name: q.as_dict() for name, q in self.queues.items()}
        if self.outbound is not None:
            out["outbound"] = self.outbound.as_dict()
        out["replications"] = self.replications
        out["scenario"] = self.scenario
        return out


def estimate(values: list[float], *, rate: bool = False) -> Estimate:
    """Mean and Student-t 95 % interval of independent replication values; a ``rate`` interval stays in [0, 1]."""
    arr = np.asarray(values, dtype=float)
    mean = float(arr.mean())
    if len(arr) < 2:
        return Estimate(mean, (mean, mean))
    half = float(scipy_stats.t.ppf(0.975, len(arr) - 1) * arr.std(ddof=1) / math.sqrt(len(arr)))
    lo, hi = mean - half, mean + half
    if rate:
        lo, hi = max(lo, 0.0), min(hi, 1.0)
    else:
        lo = max(lo, 0.0)  # every metric here is a rate or a duration: none is negative
    return Estimate(mean, (lo, hi))


def _ratios(run: RunStats | QueueStats) -> dict[str, float]:
    offered = max(run.offered, 1)
    out = {
        "service_level": run.answered_within / offered,
        "p_abandon": run.abandoned / offered,
        "asa_s": run.answered_wait_s / max(run.answered, 1),
        "p_wait": run.waited / offered,
    }
    if isinstance(run, RunStats):
        busy = run.handling_s + run.ready_s
        out["occupancy"] = run.handling_s / busy if busy > 0 else 0.0
    return out


def run_scenario(scenario: Scenario, replications: int, seed: int, *, deadline: Deadline | None = None) -> Result:
    """Run ``replications`` independent replications seeded from ``seed`` (numpy SeedSequence spawn); a
    ``deadline`` is checked before each replication."""
    if replications < 1:
        raise InvalidInput("replications must be at least 1", field="replications")
    runs = []
    for child in np.random.SeedSequence(seed).spawn(replications):
        if deadline is not None:
            deadline.check(f"the simulation of {scenario.name}")
        runs.append(simulate(scenario, child))
    per = [_ratios(r) for r in runs]
    metrics = {k: estimate([p[k] for p in per], rate=k in _RATES) for k in METRICS}
    queues = {}
    for q in scenario.queues:
        name = q.config.name
        per_queue = [_ratios(r.by_queue[name]) for r in runs]
        queues[name] = QueueResult(float(np.mean([r.by_queue[name].offered for r in runs])),
                                   {k: estimate([p[k] for p in per_queue], rate=k in _RATES)
                                    for k in QUEUE_METRICS},
                                   float(np.mean([r.by_queue[name].timeout for r in runs])))
    by_interval = {k: tuple(float(v) for v in np.sum([r.by_interval[k] for r in runs], axis=0))
                   for k in runs[0].by_interval}
    interval_sl = tuple(_interval_service_level([r.by_interval for r in runs], k) for k in range(scenario.intervals))
    outcomes = {k: float(np.mean([getattr(r, k) for r in runs])) for k in OUTCOME_COUNTS}
    outbound = None
    campaign = scenario.outbound
    if campaign is not None:
        outbound = OutboundResult.of(campaign.name, campaign.pacing, campaign.abandon_cap, campaign.window_s / 3600.0,
                                     [r.outbound for r in runs if r.outbound is not None])
    return Result(scenario.name, replications, float(np.mean([r.offered for r in runs])), metrics, queues,
                  by_interval, interval_sl, outcomes, outbound)


def _interval_service_level(per_run: list[dict[str, list[float]]], k: int) -> Estimate | None:
    values = [run["answered_within"][k] / run["offered"][k] for run in per_run if run["offered"][k] > 0]
    return estimate(values, rate=True) if len(values) >= 2 else None


def scenario_to_records(scenario: Scenario, seed: int) -> tuple[list[Call], list[AgentInterval]]:
    """One replication's Call and AgentInterval records (source "sim:NAME", ``scenario`` = NAME) for storage."""
    run = simulate(scenario, np.random.SeedSequence(seed), record=True)
    return run.calls, run.intervals
