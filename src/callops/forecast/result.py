"""What a model predicts: interval starts, the mean, and prediction bands at one or more levels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from callops.errors import InvalidInput
from callops.forecast.series import to_datetimes

__all__ = ["Band", "Override", "Forecast"]


@dataclass(frozen=True, slots=True)
class Band:
    """A central prediction interval: calls fall in [lo, hi] with probability ``level`` percent."""

    level: int
    lo: np.ndarray
    hi: np.ndarray


@dataclass(frozen=True, slots=True)
class Override:
    """A known event: over local times [start, end) multiply by ``factor`` or set to ``value`` calls."""

    start: dt.datetime
    end: dt.datetime
    factor: float | None = None
    value: float | None = None

    def __post_init__(self) -> None:
        if (self.factor is None) == (self.value is None):
            raise InvalidInput("an override has either a factor or a value", field="override")
        if self.end <= self.start:
            raise InvalidInput(
                f"override ends ({self.end}) before it starts ({self.start})", field="override"
            )
        amount = self.factor if self.factor is not None else self.value
        if amount is None or not np.isfinite(amount) or amount < 0:
            raise InvalidInput(f"override amount {amount} must be a number >= 0", field="override")

    def as_dict(self) -> dict[str, str | float | None]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "factor": self.factor,
            "value": self.value,
        }


@dataclass(frozen=True, slots=True)
class Forecast:
    """Forecast calls per interval; ``starts`` are local wall-clock datetime64[m], ``tz`` the input's zone."""

    starts: np.ndarray
    mean: np.ndarray
    bands: tuple[Band, ...]
    grain_min: int
    model: str
    tz: dt.tzinfo | None = None
    overrides: tuple[Override, ...] = field(default=())

    def band(self, level: int) -> Band:
        for band in self.bands:
            if band.level == level:
                return band
        raise InvalidInput(f"no {level} % band in this forecast", field="level")

    def rows(self) -> list[dict[str, str | float]]:
        """One dict per interval: interval_start (ISO, naive or aware as the input), forecast, lo, hi.

        ``lo`` and ``hi`` are the first band's; a forecast without bands repeats the mean.
        """
        lo = self.bands[0].lo if self.bands else self.mean
        hi = self.bands[0].hi if self.bands else self.mean
        starts = to_datetimes(self.starts, self.tz)
        return [
            {
                "interval_start": s.isoformat(),
                "forecast": round(float(m), 3),
                "lo": round(float(a), 3),
                "hi": round(float(b), 3),
            }
            for s, m, a, b in zip(starts, self.mean, lo, hi, strict=True)
        ]
