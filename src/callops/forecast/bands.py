"""Prediction bands around a mean forecast of counts.

Errors are standardised by the Poisson scale: z = (actual - forecast) / sqrt(max(forecast, 1)).
``DispersionBands`` assumes z is normal with variance phi (quasi-Poisson; phi from week-on-week
differences of the history); ``EmpiricalBands`` takes the quantiles of z seen in a rolling-origin backtest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from callops.errors import InvalidInput
from callops.forecast.result import Band

__all__ = ["DispersionBands", "EmpiricalBands", "check_levels", "dispersion_from_weekly_differences"]


def check_levels(levels: Sequence[int]) -> tuple[int, ...]:
    for level in levels:
        if not 0 < level < 100:
            raise InvalidInput(f"level {level} must be between 0 and 100 (percent)", field="level")
    return tuple(levels)


def _scale(mean: np.ndarray) -> np.ndarray:
    return np.asarray(np.sqrt(np.maximum(mean, 1.0)))


def _band(level: int, mean: np.ndarray, z_lo: float, z_hi: float) -> Band:
    scale = _scale(mean)
    return Band(level=level, lo=np.maximum(mean + z_lo * scale, 0.0), hi=np.maximum(mean + z_hi * scale, 0.0))


@dataclass(frozen=True, slots=True)
class DispersionBands:
    """Normal bands with variance ``phi`` x forecast."""

    phi: float

    def bands(self, mean: np.ndarray, levels: Sequence[int]) -> tuple[Band, ...]:
        out = []
        for level in check_levels(levels):
            z = float(norm.ppf(0.5 + level / 200.0)) * np.sqrt(self.phi)
            out.append(_band(level, mean, -z, z))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class EmpiricalBands:
    """Bands from the quantiles of standardised backtest errors."""

    errors: np.ndarray

    @classmethod
    def from_backtest(cls, actual: np.ndarray, forecast: np.ndarray) -> EmpiricalBands:
        return cls(errors=(actual - forecast) / _scale(forecast))

    def bands(self, mean: np.ndarray, levels: Sequence[int]) -> tuple[Band, ...]:
        out = []
        for level in check_levels(levels):
            tail = (1.0 - level / 100.0) / 2.0
            z_lo, z_hi = np.quantile(self.errors, [tail, 1.0 - tail])
            out.append(_band(level, mean, float(z_lo), float(z_hi)))
        return tuple(out)


def dispersion_from_weekly_differences(sequence: np.ndarray, period: int, *, weeks: int = 8) -> float:
    """phi = mean((y_t - y_{t-period})^2) / (2 mean(y)) over the last ``weeks`` weeks; at least 1."""
    recent = sequence[-(weeks + 1) * period :]
    if len(recent) <= period or recent.mean() <= 0:
        return 1.0
    diff = recent[period:] - recent[:-period]
    return max(1.0, float(np.mean(diff**2) / (2.0 * recent.mean())))
