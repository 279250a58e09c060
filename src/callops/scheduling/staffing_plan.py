"""Staffing plans: a forecast times service targets gives the agents needed per interval.

A plan is what scheduling has to cover. Each interval carries the forecast calls and handle
time, the agents the queueing model requires, the agents to schedule after shrinkage, and what
that staffing is expected to deliver (service level, ASA, abandon rate, occupancy).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from callops.errors import InvalidInput
from callops.queueing.staffing import check_recovery

__all__ = ["StaffingTargets", "PlanInterval", "StaffingPlan", "PlanDifference", "compare_plans"]


@dataclass(frozen=True, slots=True)
class StaffingTargets:
    interval_min: int = 30
    service_level: float = 0.8
    sl_time_s: float = 20.0
    shrinkage: float = 0.3
    patience_s: float | None = None  # Erlang A when given
    max_occupancy: float | None = None
    asa_s: float | None = None
    max_abandon: float | None = None
    distressing_share: float = 0.0  # seed 003: share of calls after which an agent needs recovery
    recovery_s: float = 0.0

    def __post_init__(self) -> None:
        checks = [
            (self.interval_min in (5, 15, 30, 60), "interval_min", "must be 5, 15, 30 or 60"),
            (0 < self.service_level < 1, "service_level", "must be between 0 and 1"),
            (self.sl_time_s >= 0, "sl_time_s", "must not be negative"),
            (0 <= self.shrinkage < 1, "shrinkage", "must be in [0, 1)"),
            (self.patience_s is None or self.patience_s > 0, "patience_s", "must be positive"),
            (self.max_occupancy is None or 0 < self.max_occupancy <= 1, "max_occupancy", "must be in (0, 1]"),
            (self.asa_s is None or self.asa_s > 0, "asa_s", "must be positive"),
            (self.max_abandon is None or 0 < self.max_abandon < 1, "max_abandon", "must be in (0, 1)"),
            (0 <= self.distressing_share <= 1, "distressing_share", "must be in [0, 1]"),
            (self.recovery_s >= 0, "recovery_s", "must not be negative"),
        ]
        for ok, name, reason in checks:
            if not ok:
                raise InvalidInput(f"{name} {reason}", field=name)
        if self.max_abandon is not None and self.patience_s is None:
            raise InvalidInput("max_abandon needs patience_s (Erlang C callers never hang up)", field="max_abandon")
        check_recovery(self.distressing_share, self.recovery_s)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class PlanInterval:
    start_at: dt.datetime
    calls: float
    aht_s: float
    agents: int
    scheduled: int
    service_level: float
    asa_s: float
    p_abandon: float
    occupancy: float


@dataclass(frozen=True, slots=True)
class StaffingPlan:
    name: str
    targets: StaffingTargets
    intervals: tuple[PlanInterval, ...]
    version: int = 0  # 0 until saved
    queue: str | None = None
    note: str | None = None
    created_at: dt.datetime | None = None
    created_by: str | None = None
    forecast_id: int | None = None
    plan_id: int | None = None

    def __post_init__(self) -> None:
        _check_sorted(self.intervals)

    @property
    def agent_hours(self) -> float:
        """Scheduled agent-hours the plan asks for."""
        return sum(i.scheduled for i in self.intervals) * self.targets.interval_min / 60

    @property
    def peak_scheduled(self) -> int:
        return max((i.scheduled for i in self.intervals), default=0)

    @property
    def expected_service_level(self) -> float:
        """Call-weighted service level over the plan."""
        calls = sum(i.calls for i in self.intervals)
        if calls == 0:
            return math.nan
        return sum(i.service_level * i.calls for i in self.intervals) / calls


@dataclass(frozen=True, slots=True)
class PlanDifference:
    start_at: dt.datetime
    scheduled_a: int | None
    scheduled_b: int | None

    @property
    def delta(self) -> int:
        return (self.scheduled_b or 0) - (self.scheduled_a or 0)


def compare_plans(a: StaffingPlan, b: StaffingPlan) -> list[PlanDifference]:
    """Scheduled agents of two plans side by side, interval by interval (either may lack one)."""
    left = {i.start_at: i.scheduled for i in a.intervals}
    right = {i.start_at: i.scheduled for i in b.intervals}
    return [PlanDifference(t, left.get(t), right.get(t)) for t in sorted(left.keys() | right.keys())]


def _check_sorted(intervals: Sequence[PlanInterval]) -> None:
    for before, after in zip(intervals, intervals[1:], strict=False):
        if after.start_at <= before.start_at:
            raise InvalidInput(f"intervals must be in time order; {after.start_at.isoformat()} is out of order",
                               field="interval_start")
