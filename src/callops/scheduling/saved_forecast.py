"""A forecast kept for planning: calls, band and handle time per interval, saved under a name and version.

The pure forecasting package returns local wall-clock intervals; a saved forecast holds timezone-aware
interval starts (stored as UTC) with the zone they were made in, the model, its backtest accuracy and
the manual overrides applied, so a plan built from it can say where its numbers came from.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from callops.errors import InvalidInput

__all__ = ["ForecastPoint", "SavedForecast"]


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    """One interval: forecast calls, the prediction band (None if none) and the AHT (None if unknown)."""

    start_at: dt.datetime
    calls: float
    lo: float | None = None
    hi: float | None = None
    aht_s: float | None = None

    def __post_init__(self) -> None:
        if self.start_at.tzinfo is None:
            raise InvalidInput("a forecast interval start needs a time zone", field="interval_start")
        if not (math.isfinite(self.calls) and self.calls >= 0):
            raise InvalidInput(f"forecast calls {self.calls} must be a number >= 0", field="calls")
        if self.aht_s is not None and not (math.isfinite(self.aht_s) and self.aht_s > 0):
            raise InvalidInput(f"AHT {self.aht_s} must be a number > 0", field="aht_s")


@dataclass(frozen=True, slots=True)
class SavedForecast:
    """A named forecast; ``version`` is 0 until stored, ``forecast_id`` its row id once stored."""

    name: str
    grain_min: int
    model: str
    tz: str
    points: tuple[ForecastPoint, ...]
    queue: str | None = None
    accuracy: dict[str, Any] = field(default_factory=dict)
    overrides: tuple[dict[str, Any], ...] = ()
    version: int = 0
    created_at: dt.datetime | None = None
    created_by: str | None = None
    forecast_id: int | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidInput("a forecast needs a name", field="name")
        for before, after in zip(self.points, self.points[1:], strict=False):
            if after.start_at <= before.start_at:
                raise InvalidInput(
                    f"forecast intervals must be in time order; {after.start_at.isoformat()} is out of order",
                    field="interval_start",
                )

    @property
    def total_calls(self) -> float:
        return sum(p.calls for p in self.points)
