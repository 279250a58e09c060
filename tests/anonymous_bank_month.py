"""January 1999 of the Anonymous Bank call-center data (Technion, Guedj & Mandelbaum) as call arrays, replayed.

Shared by tests/test_simulation_replay.py and benchmarks/replay_chart.py (which writes the docs' table and chart).
"""

from __future__ import annotations

import datetime as dt
import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from callops.simulation import Capacity, HourlyMetrics, actual_by_hour, fit_day, simulate_by_hour

__all__ = ["BUSY_HOURS", "SPLITS", "Replay", "load_month", "replay"]

BUSY_HOURS = range(8, 21)
# name: (days fitted, days replayed and compared), as days of the month; Sunday-Thursday only (see load_month)
SPLITS = {"in-sample": (range(1, 32), range(1, 32)),
          "out-of-sample": (range(1, 16), range(16, 32)),
          "out-of-sample, reversed": (range(16, 32), range(1, 16))}


def _seconds(text: str) -> int:
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + int(s)


def load_month(path: Path) -> dict[str, Any]:
    """Calls offered to the queue (served, or hung up after queueing) on the bank's full working days,
    Sunday to Thursday (Friday closes at 14:00, Saturday opens at about 20:00): day (YYMMDD), hour, answered,
    wait, service, server."""
    rows: list[tuple[int, int, bool, float, float, str]] = []
    with gzip.open(path, "rt", encoding="latin-1") as f:
        next(f)
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) < 17:
                continue
            outcome, q_time, q_start = c[12], int(c[11]), c[9]
            answered = outcome == "AGENT"
            if not answered and not (outcome == "HANG" and q_time > 0):
                continue
            date = int(c[5])
            if dt.date(1900 + date // 10000, date // 100 % 100, date % 100).isoweekday() in (5, 6):
                continue
            start = _seconds(q_start) if q_start != "0:00:00" else _seconds(c[7])
            rows.append((date, start // 3600 % 24, answered, float(q_time), float(c[15]), c[16]))
    names = ("day", "hour", "answered", "wait_s", "service_s", "server")
    return {name: np.array(column) for name, column in zip(names, zip(*rows, strict=True), strict=True)}


@dataclass(frozen=True, slots=True)
class Replay:
    """Actual and simulated measures per hour of the replayed days, the agents per hour and the day count."""

    actual: HourlyMetrics
    simulated: HourlyMetrics
    agents: tuple[int, ...]
    days: int


def replay(month: dict[str, Any], split: str, capacity: Capacity, *, replications: int,
           seed: int = 1999) -> Replay:
    """Fit on the split's first days, replay the arrivals of its second days, and measure both."""
    fitted, replayed = ({k: v[np.isin(month["day"] % 100, list(days))] for k, v in month.items()}
                        for days in SPLITS[split])
    days = len(np.unique(replayed["day"]))
    scenario = fit_day(**fitted, capacity=capacity,
                       arrivals_per_hour=np.bincount(replayed["hour"], minlength=24) / days)
    actual = actual_by_hour(hour=replayed["hour"], answered=replayed["answered"], wait_s=replayed["wait_s"])
    simulated = simulate_by_hour(scenario, seed=np.random.SeedSequence(seed), replications=replications)
    return Replay(actual, simulated, scenario.groups[0].counts, days)
