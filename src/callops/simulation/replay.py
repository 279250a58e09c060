"""Replay a real month: fit an average day per hour from call-level arrays, replay it, and measure the actual day.

Inputs are already-parsed arrays (one entry per call offered to the queue); the importer is elsewhere. The fit:

- arrivals per hour: offered calls in that hour / days;
- service: empirical, per hour of day (the served calls that arrived in that hour; all served calls for an hour
  without one). The simulator takes one handle distribution per queue, not per interval, so each hour is its
  own queue of the scenario; all need the same skill, and the router gives a free agent the call that has
  waited longest, so together they are one first-come-first-served queue;
- patience: exponential with the censored estimate  mean = Σ time in queue of all queued calls / abandons;
- agents per hour (``capacity``):

  - ``"calibrated"`` (default): the N whose Erlang A P(wait), with that hour's arrival rate and mean service
    time and the fitted patience, is closest to the observed share of offered calls that waited;
  - ``"scaled"``: calibrated, then moved with the load when other days' arrivals are replayed: the margin
    above the offered load R (Erlangs) is kept in square-root units, beta = (N - R) / sqrt(R), and the
    replayed hour gets round(R' + beta sqrt(R')) agents for its load R';
  - ``"servers"``: distinct servers who served a call in the hour, averaged over days. Optimistic: one call
    in the hour counts a full agent-hour, while the bank's agents also worked outbound and other tasks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from callops.errors import InvalidInput
from callops.queueing.erlang_a import erlang_a_load
from callops.routing import QueueConfig
from callops.simulation.distributions import Distribution
from callops.simulation.engine import simulate
from callops.simulation.scenario import AgentGroup, QueueBehaviour, Scenario

__all__ = [
    "Capacity",
    "HourlyMetrics",
    "actual_by_hour",
    "calibrate_agents",
    "fit_day",
    "mean_absolute_errors",
    "simulate_by_hour",
    "waited_share_by_hour",
]

Capacity = Literal["calibrated", "scaled", "servers"]
HOURS = 24


@dataclass(frozen=True, slots=True)
class HourlyMetrics:
    """Per hour of day (24 rows): calls offered (over all days or runs), service level, ASA, abandon rate."""

    offered: NDArray[np.float64]
    service_level: NDArray[np.float64]
    asa_s: NDArray[np.float64]
    p_abandon: NDArray[np.float64]


def _check(hour: NDArray[np.int64], *arrays: NDArray[np.generic]) -> None:
    if any(len(a) != len(hour) for a in arrays):
        raise InvalidInput("all call arrays must have the same length")
    if len(hour) == 0 or hour.min() < 0 or hour.max() >= HOURS:
        raise InvalidInput("hour must hold values 0-23 and at least one call", field="hour")


def waited_share_by_hour(*, hour: NDArray[np.int64], wait_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per hour, the share of offered calls that waited (wait > 0); 0 where the hour has no calls.

    The count of waiting calls is kept within [1/2, offered - 1/2], so an hour where none (or all) of a few calls
    waited asks for a finite number of agents rather than for P(wait) = 0 (or 1) exactly.
    """
    _check(hour, wait_s)
    offered = np.bincount(hour, minlength=HOURS).astype(float)
    waited = np.clip(np.bincount(hour, weights=(wait_s > 0).astype(float), minlength=HOURS), 0.5, offered - 0.5)
    return np.where(offered > 0, waited / np.maximum(offered, 1), 0.0)


def calibrate_agents(
    *, arrivals_per_hour: ArrayLike, aht_s: ArrayLike, patience_s: float, p_wait: ArrayLike, max_agents: int = 1000
) -> NDArray[np.int64]:
    """Per hour, the number of agents (1 to ``max_agents``) whose Erlang A P(wait) is closest to ``p_wait``.

    Arrays broadcast, one element per hour. P(wait) falls as agents are added, so a bisection finds the fewest
    agents at or below the target, and the answer is that count or one fewer, whichever is closer (a tie goes
    to fewer agents). An hour without arrivals gets 1.
    """
    calls, aht, target = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (arrivals_per_hour, aht_s,
                                                                                         p_wait)))
    if np.any(calls < 0) or np.any(aht <= 0) or patience_s <= 0:
        raise InvalidInput("arrivals must not be negative; service time and patience must be positive")
    if np.any((target < 0) | (target > 1)):
        raise InvalidInput("p_wait is a share between 0 and 1", field="p_wait")
    if max_agents < 1:
        raise InvalidInput("max_agents must be at least 1", field="max_agents")
    load = calls * aht / 3600.0

    def p_wait_at(agents: NDArray[np.int64]) -> NDArray[np.float64]:
        return erlang_a_load(agents=agents, load=load, aht_s=aht, patience_s=patience_s, sl_time_s=0.0,
                             with_asa=False).p_wait

    lo, hi = np.ones(load.shape, dtype=np.int64), np.full(load.shape, max_agents, dtype=np.int64)
    while np.any(lo < hi):  # bisection for the fewest agents with P(wait) <= target (max_agents if none)
        mid = (lo + hi) // 2
        low_enough = p_wait_at(mid) <= target
        hi, lo = np.where(low_enough, mid, hi), np.where(low_enough | (lo == hi), lo, mid + 1)
    fewer = np.maximum(lo - 1, 1)
    best = np.where(np.abs(p_wait_at(fewer) - target) <= np.abs(p_wait_at(lo) - target), fewer, lo)
    return np.where(calls > 0, best, 1).astype(np.int64)


def _servers_per_hour(day: NDArray[np.int64], hour: NDArray[np.int64], server: NDArray[np.str_],
                      days: int) -> NDArray[np.int64]:
    agents = np.zeros(HOURS)
    for _d, h, _s in {(int(d), int(h), str(s)) for d, h, s in zip(day, hour, server, strict=True)}:
        agents[h] += 1
    return np.maximum(1, np.round(agents / days)).astype(np.int64)


def fit_day(
    *, day: NDArray[np.int64], hour: NDArray[np.int64], answered: NDArray[np.bool_], wait_s: NDArray[np.float64],
    service_s: NDArray[np.float64], server: NDArray[np.str_], capacity: Capacity = "calibrated",
    arrivals_per_hour: ArrayLike | None = None, sl_time_s: float = 20.0, name: str = "replay", queue: str = "bank",
) -> Scenario:
    """An average day of these calls: arrivals, service per hour, patience, and agents per ``capacity``.

    ``arrivals_per_hour`` (24 values) replaces the fitted arrivals after the calibration, to replay other days
    with the capacity, service and patience fitted on these. The hourly queues are named ``{queue}-HH``.
    """
    _check(hour, day, answered, wait_s, service_s, server)
    if capacity not in ("calibrated", "scaled", "servers"):
        raise InvalidInput(f"capacity {capacity!r} is not 'calibrated', 'scaled' or 'servers'", field="capacity")
    days = len(np.unique(day))
    fitted = np.bincount(hour, minlength=HOURS) / days
    arrivals = fitted if arrivals_per_hour is None else np.asarray(arrivals_per_hour, dtype=np.float64)
    if arrivals.shape != (HOURS,) or np.any(arrivals < 0):
        raise InvalidInput("arrivals_per_hour needs 24 values, none negative", field="arrivals_per_hour")
    served = answered & (service_s > 0)
    pooled = service_s[served]
    if len(pooled) == 0:
        raise InvalidInput("no served call with a service time to fit", field="service_s")
    patience_mean = float(wait_s.sum()) / max(int((~answered).sum()), 1)
    if patience_mean <= 0 and capacity != "servers":
        raise InvalidInput("no call waited, so patience and a calibrated capacity cannot be fitted; "
                           "use capacity='servers'", field="wait_s")
    by_hour = [service_s[served & (hour == h)] for h in range(HOURS)]
    by_hour = [values if len(values) else pooled for values in by_hour]
    aht = np.array([v.mean() for v in by_hour])
    if capacity == "servers":
        agents = _servers_per_hour(day[served], hour[served], server[served], days)
    else:
        agents = calibrate_agents(arrivals_per_hour=fitted, aht_s=aht, patience_s=patience_mean,
                                  p_wait=waited_share_by_hour(hour=hour, wait_s=wait_s))
    if capacity == "scaled":
        load, replayed = fitted * aht / 3600.0, arrivals * aht / 3600.0
        beta = (agents - load) / np.sqrt(np.where(load > 0, load, 1.0))
        agents = np.where((load > 0) & (replayed > 0),
                          np.maximum(1, np.round(replayed + beta * np.sqrt(replayed))), agents).astype(np.int64)
    queues = tuple(
        QueueBehaviour(
            config=QueueConfig(f"{queue}-{h:02d}", queue),
            arrivals_per_interval=tuple(float(a) if k == h else 0.0 for k, a in enumerate(arrivals)),
            handle=Distribution("empirical", values_s=tuple(float(v) for v in by_hour[h])),
            patience=Distribution("exponential", patience_mean))
        for h in range(HOURS) if arrivals[h] > 0)
    group = AgentGroup(queue, {queue: 1}, tuple(int(a) for a in agents))
    return Scenario(name=name, interval_s=3600.0, intervals=HOURS, queues=queues, groups=(group,),
                    sl_time_s=sl_time_s)


def actual_by_hour(
    *, hour: NDArray[np.int64], answered: NDArray[np.bool_], wait_s: NDArray[np.float64], sl_time_s: float = 20.0
) -> HourlyMetrics:
    """Service level (answered within T / offered), ASA and abandon rate per hour of day."""
    _check(hour, answered, wait_s)
    offered = np.bincount(hour, minlength=HOURS).astype(float)
    within = np.bincount(hour, weights=(answered & (wait_s <= sl_time_s)).astype(float), minlength=HOURS)
    n_answered = np.bincount(hour, weights=answered.astype(float), minlength=HOURS)
    wait = np.bincount(hour, weights=np.where(answered, wait_s, 0.0), minlength=HOURS)
    safe = np.maximum(offered, 1)
    return HourlyMetrics(offered, within / safe, wait / np.maximum(n_answered, 1), (offered - n_answered) / safe)


def simulate_by_hour(scenario: Scenario, *, seed: np.random.SeedSequence, replications: int) -> HourlyMetrics:
    """The same measures from ``replications`` runs of a 24-interval scenario, pooled over the runs."""
    if scenario.intervals != HOURS or replications < 1:
        raise InvalidInput("needs a 24-interval scenario and at least one replication")
    runs = [simulate(scenario, s).by_interval for s in seed.spawn(replications)]
    total = {k: np.sum([r[k] for r in runs], axis=0) for k in runs[0]}
    offered = np.maximum(total["offered"], 1)
    return HourlyMetrics(total["offered"], total["answered_within"] / offered,
                         total["wait_s"] / np.maximum(total["answered"], 1), total["abandoned"] / offered)


def mean_absolute_errors(actual: HourlyMetrics, simulated: HourlyMetrics, hours: Iterable[int]) -> dict[str, float]:
    """Mean over ``hours`` of |simulated - actual| for service level, ASA (s) and abandon rate."""
    rows = list(hours)
    return {k: float(np.mean(np.abs(getattr(simulated, k)[rows] - getattr(actual, k)[rows])))
            for k in ("service_level", "asa_s", "p_abandon")}
