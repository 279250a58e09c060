"""Handle time for the intervals of a plan, learned from the history's handle time per interval.

The forecast package predicts calls only; a plan also needs the AHT of each interval. The profile is the
call-weighted mean AHT of the same slot of the week (weekday and time of day) in the history; a slot the
history never answered in falls back to the same time of day on any day, then to the overall mean.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from callops.errors import InvalidInput

__all__ = ["handle_time_profile"]


def _weighted_means(keys: list[object], aht: NDArray[np.float64], weight: NDArray[np.float64]) -> dict[object, float]:
    sums: dict[object, float] = {}
    weights: dict[object, float] = {}
    for key, a, w in zip(keys, aht, weight, strict=True):
        sums[key] = sums.get(key, 0.0) + a * w
        weights[key] = weights.get(key, 0.0) + w
    return {key: sums[key] / weights[key] for key in sums}


def handle_time_profile(
    *,
    history_starts: Sequence[dt.datetime],
    history_calls: ArrayLike,
    history_aht_s: ArrayLike,
    starts: Sequence[dt.datetime],
) -> NDArray[np.float64]:
    """AHT in seconds for each of ``starts`` (local wall-clock times, like ``history_starts``).

    ``history_aht_s`` is NaN where no call was answered; such intervals are left out.
    """
    calls = np.asarray(history_calls, dtype=np.float64)
    aht = np.asarray(history_aht_s, dtype=np.float64)
    if calls.shape != (len(history_starts),) or aht.shape != calls.shape:
        raise InvalidInput("history starts, calls and handle times differ in length", field="aht_s")
    known = np.isfinite(aht) & (aht > 0) & (calls > 0)
    if not np.any(known):
        raise InvalidInput("the history has no answered call to learn handle time from: give an AHT", field="aht")
    picked = [s for s, k in zip(history_starts, known, strict=True) if k]
    aht, calls = aht[known], calls[known]
    by_slot = _weighted_means([(s.weekday(), s.hour, s.minute) for s in picked], aht, calls)
    by_time = _weighted_means([(s.hour, s.minute) for s in picked], aht, calls)
    overall = float(np.sum(aht * calls) / np.sum(calls))
    out = [
        by_slot.get((s.weekday(), s.hour, s.minute), by_time.get((s.hour, s.minute), overall)) for s in starts
    ]
    return np.asarray(out, dtype=np.float64)
