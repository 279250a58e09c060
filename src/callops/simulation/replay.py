"""Replay a real month: fit an average day per hour from call-level arrays, and measure the actual day.

Inputs are already-parsed arrays (one entry per call offered to the queue); the importer is elsewhere.
Patience is exponential with the censored estimate  mean = Σ time in queue of all queued calls / abandons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from callops.errors import InvalidInput
from callops.routing import QueueConfig
from callops.simulation.distributions import Distribution
from callops.simulation.scenario import AgentGroup, QueueBehaviour, Scenario

__all__ = ["HourlyActual", "actual_by_hour", "fit_day"]


@dataclass(frozen=True, slots=True)
class HourlyActual:
    """Per hour of day (24 rows): service level, ASA and abandon rate of the real calls."""

    offered: NDArray[np.float64]
    service_level: NDArray[np.float64]
    asa_s: NDArray[np.float64]
    p_abandon: NDArray[np.float64]


def _check(hour: NDArray[np.int64], *arrays: NDArray[np.generic]) -> None:
    if any(len(a) != len(hour) for a in arrays):
        raise InvalidInput("all call arrays must have the same length")
    if len(hour) == 0 or hour.min() < 0 or hour.max() > 23:
        raise InvalidInput("hour must hold values 0-23 and at least one call", field="hour")


def fit_day(
    *, day: NDArray[np.int64], hour: NDArray[np.int64], answered: NDArray[np.bool_], wait_s: NDArray[np.float64],
    service_s: NDArray[np.float64], server: NDArray[np.str_], sl_time_s: float = 20.0, name: str = "replay",
) -> Scenario:
    """An average day: arrivals and agents per hour (distinct servers active), empirical service times."""
    _check(hour, day, answered, wait_s, service_s, server)
    days = len(np.unique(day))
    arrivals = np.bincount(hour, minlength=24) / days
    served = answered & (service_s > 0)
    active = {(int(d), int(h), str(s)) for d, h, s in zip(day[served], hour[served], server[served], strict=True)}
    agents = np.zeros(24)
    for _d, h, _s in active:
        agents[h] += 1
    agents_per_hour = tuple(max(1, round(a / days)) for a in agents)
    abandons = int((~answered).sum())
    patience_mean = float(wait_s.sum()) / max(abandons, 1)
    queue = QueueBehaviour(
        config=QueueConfig("bank", "bank"), arrivals_per_interval=tuple(float(a) for a in arrivals),
        handle=Distribution("empirical", values_s=tuple(float(v) for v in service_s[served])),
        patience=Distribution("exponential", patience_mean))
    group = AgentGroup("bank", {"bank": 1}, agents_per_hour)
    return Scenario(name=name, interval_s=3600.0, intervals=24, queues=(queue,), groups=(group,),
                    sl_time_s=sl_time_s)


def actual_by_hour(
    *, hour: NDArray[np.int64], answered: NDArray[np.bool_], wait_s: NDArray[np.float64], sl_time_s: float = 20.0
) -> HourlyActual:
    """Service level (answered within T / offered), ASA and abandon rate per hour of day."""
    _check(hour, answered, wait_s)
    offered = np.bincount(hour, minlength=24).astype(float)
    within = np.bincount(hour, weights=(answered & (wait_s <= sl_time_s)).astype(float), minlength=24)
    n_answered = np.bincount(hour, weights=answered.astype(float), minlength=24)
    wait = np.bincount(hour, weights=np.where(answered, wait_s, 0.0), minlength=24)
    safe = np.maximum(offered, 1)
    return HourlyActual(offered, within / safe, wait / np.maximum(n_answered, 1), (offered - n_answered) / safe)
