"""Accuracy measures.

WAPE = sum |actual - forecast| / sum actual.
MASE = mean |actual - forecast| / mean |y_t - y_{t-m}| over the training sequence, m = open slots a week
(the in-sample error of the weekly seasonal naive forecast).
"""

from __future__ import annotations

import numpy as np

__all__ = ["wape", "mase_scale", "mase"]


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    total = float(np.sum(actual))
    return float(np.sum(np.abs(actual - forecast))) / total if total > 0 else float("nan")


def mase_scale(sequence: np.ndarray, period: int) -> float:
    if len(sequence) <= period:
        return float("nan")
    return float(np.mean(np.abs(sequence[period:] - sequence[:-period])))


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float) -> float:
    if not scale > 0:
        return float("nan")
    return float(np.mean(np.abs(actual - forecast))) / scale
