"""Replay stored history: fit an average day of a queue from its real calls, simulate it, compare per hour.

Joins the store (``queued_calls``) and the pure replay of :mod:`callops.simulation.replay`; the CLI, the page and
the API call :func:`replay_history`, read weekdays with :func:`parse_weekdays` and answer :func:`replay_json`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.simulation import Capacity, Scenario, actual_by_hour, fit_day, mean_absolute_errors, simulate_by_hour
from callops.store.history import queued_calls

__all__ = ["HourComparison", "ReplayReport", "parse_weekdays", "replay_history", "replay_json"]


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
    replications: int
    seed: int


def parse_weekdays(text: str | None) -> frozenset[int] | None:
    """ISO weekdays from ``7,1,2,3,4`` (1 = Monday ... 7 = Sunday); None (every day) without text."""
    if text is None:
        return None
    try:
        days = frozenset(int(d) for d in text.split(","))
    except ValueError as exc:
        raise InvalidInput(f"{text!r} is not a list of ISO weekdays like 7,1,2,3,4", field="weekdays") from exc
    if not days or not days <= set(range(1, 8)):
        raise InvalidInput("weekdays are 1 (Monday) to 7 (Sunday)", field="weekdays")
    return days


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
                        errors=mean_absolute_errors(actual, simulated, compared), scenario=scenario,
                        replications=replications, seed=seed)


def replay_json(report: ReplayReport) -> dict[str, Any]:
    """The report as ``callops replay --json`` and ``GET /api/simulation/replay`` answer it (rounded).

    Each measure keeps the name it has in the simulator's and the queueing results (``service_level``,
    ``asa_s``, ``p_abandon``), suffixed ``_actual`` or ``_sim``, as in ``mean_absolute_error`` and the plan check.
    """
    rows = [{"hour": h.hour, "offered_per_day": round(h.offered_per_day, 1), "agents": h.agents,
             "service_level_actual": round(h.service_level_actual, 4),
             "service_level_sim": round(h.service_level_sim, 4),
             "asa_s_actual": round(h.asa_s_actual, 1), "asa_s_sim": round(h.asa_s_sim, 1),
             "p_abandon_actual": round(h.p_abandon_actual, 4), "p_abandon_sim": round(h.p_abandon_sim, 4)}
            for h in report.hours]
    return {"queue": report.queue, "days": report.days, "calls": report.calls, "capacity": report.capacity,
            "patience_s": round(report.patience_s, 1), "replications": report.replications, "seed": report.seed,
            "hours": rows, "mean_absolute_error": {k: round(v, 4) for k, v in report.errors.items()}}
