"""Intraday profiles: the share of a day's calls that falls in each slot, per weekday.

The share is the mean over the last ``weeks`` ordinary days of that weekday, smoothed over neighbouring
open slots with a Gaussian of ``sigma_min`` minutes (when that is at least half a slot), renormalised to 1.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter1d

from callops.forecast.grid import Layout

__all__ = ["intraday_profiles"]


def intraday_profiles(layout: Layout, *, weeks: int = 6, sigma_min: float = 5.0) -> np.ndarray:
    """(7, slots) shares; each open weekday's row sums to 1 over its open slots, closed slots are 0."""
    slots = layout.slots_per_day
    profiles = np.zeros((7, slots))
    weekdays = layout.weekdays
    sigma = sigma_min / layout.grain_min
    for w in range(7):
        open_slots = layout.open_mask[w]
        if not open_slots.any():
            continue
        days = np.flatnonzero((weekdays == w) & layout.ordinary)
        if len(days) == 0:
            days = np.flatnonzero(weekdays == w)
        rows = layout.filled[days[-weeks:]][:, open_slots]
        totals = rows.sum(axis=1)
        rows = rows[totals > 0] / totals[totals > 0, None]
        share = rows.mean(axis=0) if len(rows) else np.full(int(open_slots.sum()), 1.0 / open_slots.sum())
        if sigma >= 0.5 and len(share) > 2:
            share = gaussian_filter1d(share, sigma, mode="nearest")
        profiles[w, open_slots] = share / share.sum()
    return profiles
