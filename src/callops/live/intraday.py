"""Intraday management: today's actual calls against the forecast and the plan, a re-forecast of the rest of
the day, the staffing gap per interval and what moving agents between two queues would do (Erlang C).

Re-forecast: the finished intervals' actual calls over their forecast give the day's ratio, shrunk toward 1
while few calls have been seen, ``(actual + k) / (forecast + k)`` with ``k = SHRINK_CALLS``; the rest of the
day is the forecast times that ratio. Required agents per remaining interval are the fewest on the phones
meeting the plan's targets for the re-forecast calls and the plan's AHT (Erlang C, or Erlang A when the plan has
a patience); the gap is the plan's agents minus those: negative is short. ``first_short`` is the first interval
from now that is short, the manager's "from 14:00 short by 4".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from callops.queueing.erlang_c import erlang_c
from callops.queueing.staffing import ServiceTargets, minimum_agents

__all__ = ["PlanSlot", "IntradayRow", "Intraday", "intraday", "MoveResult", "move_agents", "SHRINK_CALLS"]

SHRINK_CALLS = 20.0


@dataclass(frozen=True, slots=True)
class PlanSlot:
    start_at: dt.datetime
    forecast_calls: float
    aht_s: float
    planned_agents: int  # on the phones, as the plan staffs them


@dataclass(frozen=True, slots=True)
class IntradayRow:
    start_at: dt.datetime
    forecast_calls: float
    actual_calls: int | None  # None for intervals not begun
    reforecast_calls: float
    aht_s: float
    planned_agents: int
    required_agents: int
    gap: int  # planned - required; negative: short
    state: str  # done, now, later


@dataclass(frozen=True, slots=True)
class Intraday:
    ratio: float
    actual_so_far: int
    forecast_so_far: float
    rows: tuple[IntradayRow, ...]
    first_short: IntradayRow | None


def intraday(slots: Sequence[PlanSlot], actual: Mapping[dt.datetime, int], now: dt.datetime, *, interval_s: int,
             targets: ServiceTargets, patience_s: float | None = None) -> Intraday:
    """Today's view from the plan ``slots``, ``actual`` calls per interval start, at ``now``."""
    done = [s for s in slots if s.start_at + dt.timedelta(seconds=interval_s) <= now]
    actual_so_far = sum(actual.get(s.start_at, 0) for s in done)
    forecast_so_far = sum(s.forecast_calls for s in done)
    ratio = (actual_so_far + SHRINK_CALLS) / (forecast_so_far + SHRINK_CALLS)
    calls = np.array([s.forecast_calls * ratio for s in slots], dtype=np.float64)
    aht = np.array([s.aht_s for s in slots], dtype=np.float64)
    required = (minimum_agents(calls=calls, interval_s=interval_s, aht_s=aht, targets=targets, patience_s=patience_s)
                if len(slots) else np.zeros(0, dtype=np.int64))
    rows = []
    for s, reforecast, need in zip(slots, calls, required, strict=True):
        end = s.start_at + dt.timedelta(seconds=interval_s)
        state = "done" if end <= now else "now" if s.start_at <= now else "later"
        rows.append(IntradayRow(
            start_at=s.start_at, forecast_calls=round(s.forecast_calls, 2),
            actual_calls=actual.get(s.start_at, 0) if state != "later" else None,
            reforecast_calls=round(float(reforecast), 2), aht_s=s.aht_s, planned_agents=s.planned_agents,
            required_agents=int(need), gap=s.planned_agents - int(need), state=state))
    short = next((r for r in rows if r.state != "done" and r.gap < 0), None)
    return Intraday(ratio=round(ratio, 4), actual_so_far=actual_so_far, forecast_so_far=round(forecast_so_far, 2),
                    rows=tuple(rows), first_short=short)


@dataclass(frozen=True, slots=True)
class MoveResult:
    agents: int
    from_agents: tuple[int, int]  # before, after
    to_agents: tuple[int, int]
    from_service_level: tuple[float, float]
    to_service_level: tuple[float, float]


def move_agents(*, agents: int, from_calls: float, from_aht_s: float, from_agents: int, to_calls: float,
                to_aht_s: float, to_agents: int, interval_s: int, sl_time_s: float) -> MoveResult:
    """Service level of both queues in one interval before and after moving ``agents`` from one to the other."""
    moved = max(0, min(agents, from_agents))
    sl = erlang_c(calls=[from_calls, from_calls, to_calls, to_calls], interval_s=interval_s,
                  aht_s=[from_aht_s, from_aht_s, to_aht_s, to_aht_s],
                  agents=[from_agents, from_agents - moved, to_agents, to_agents + moved],
                  sl_time_s=sl_time_s).service_level
    values = [round(float(v), 4) for v in np.atleast_1d(sl)]
    return MoveResult(agents=moved, from_agents=(from_agents, from_agents - moved),
                      to_agents=(to_agents, to_agents + moved), from_service_level=(values[0], values[1]),
                      to_service_level=(values[2], values[3]))
