"""Replay stored history: fit an average day of a queue from its real calls, simulate it, compare per hour.

Joins the store (``queued_calls``) and the pure replay of :mod:`callops.simulation.replay`; the CLI and any page
call :func:`replay_history`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.simulation import Capacity, Scenario, actual_by_hour, fit_day, mean_absolute_errors, simulate_by_hour
from callops.store.history import queued_calls

__all__ = ["HourComparison", "ReplayReport", "replay_history"]


@dataclass(frozen=True, slots=True)
class HourComparison:
    hour: int
    offered_per_day: float
    agents: int
    service_level_actual: float
    service_level_sim: float
    asa_s_actual: float
    asa_s_sim: float
    p_abandon_actual: float
    p_abandon_sim: float


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """Actual against simulated per hour of the average day, and the mean absolute errors over the compared hours."""

    queue: str | None
    days: int
    calls: int
    capacity: Capacity
    patience_s: float
    hours: list[HourComparison]
    errors: dict[str, float]
    scenario: Scenario


def replay_history(
    conn: sa.Connection, *, start: dt.date, end: dt.date, tz: str, queue: str | None = None,
    weekdays: frozenset[int] | None = None, capacity: Capacity = "calibrated", replications: int = 10,
    seed: int = 1, sl_time_s: float = 20.0, min_calls_per_day: float = 5.0,
) -> ReplayReport:
    """Fit, replay and compare; hours with fewer than ``min_calls_per_day`` offered calls a day are left out."""
    if not 1 <= replications <= 100:
        raise InvalidInput("replications must be 1-100", field="replications")
    found = queued_calls(conn, start=start, end=end, tz=tz, queue=queue, weekdays=weekdays)
    if len(found.day) == 0:
        raise InvalidInput(f"no calls entered queue {queue or '(any)'} from {start} to {end}", field="queue")
    scenario = fit_day(day=found.day, hour=found.hour, answered=found.answered, wait_s=found.wait_s,
                       service_s=found.handle_s, server=found.agent, capacity=capacity, sl_time_s=sl_time_s,
                       name=f"replay-{queue or 'all'}", queue=queue or "all")
    actual = actual_by_hour(hour=found.hour, answered=found.answered, wait_s=found.wait_s, sl_time_s=sl_time_s)
    simulated = simulate_by_hour(scenario, seed=np.random.SeedSequence(seed), replications=replications)
    days = len(np.unique(found.day))
    compared = [h for h in range(24) if actual.offered[h] / days >= min_calls_per_day]
    if not compared:
        raise InvalidInput(f"no hour has {min_calls_per_day:g} calls a day to compare", field="min-calls")
    agents = scenario.groups[0].counts
    rows = [HourComparison(
        hour=h, offered_per_day=float(actual.offered[h] / days), agents=int(agents[h]),
        service_level_actual=float(actual.service_level[h]), service_level_sim=float(simulated.service_level[h]),
        asa_s_actual=float(actual.asa_s[h]), asa_s_sim=float(simulated.asa_s[h]),
        p_abandon_actual=float(actual.p_abandon[h]), p_abandon_sim=float(simulated.p_abandon[h]))
        for h in compared]
    patience = scenario.queues[0].patience
    return ReplayReport(queue=queue, days=days, calls=len(found.day), capacity=capacity,
                        patience_s=patience.mean if patience is not None else float("inf"), hours=rows,
                        errors=mean_absolute_errors(actual, simulated, compared), scenario=scenario)
