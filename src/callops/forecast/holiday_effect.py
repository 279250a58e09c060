"""What a holiday does to the volume, learned from the holidays in the history.

For every past holiday on a weekday the center normally works, the ratio of its calls to the ordinary
volume of that weekday (from the neighbouring weeks) is taken; a missing day counts as 0. When the median
ratio is below 0.2, or the history holds no such holiday, holidays are closed: no forecast rows.
Otherwise holidays get the median ratio times the ordinary forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callops.forecast.grid import Layout

__all__ = ["HolidayEffect", "learn_holiday_effect", "CLOSED_BELOW"]

CLOSED_BELOW = 0.2


@dataclass(frozen=True, slots=True)
class HolidayEffect:
    """``closed``: no rows on holidays; else the forecast is multiplied by ``factor``."""

    closed: bool
    factor: float
    observed: int


def learn_holiday_effect(layout: Layout) -> HolidayEffect:
    ratios = []
    weekdays = layout.weekdays
    for index in range(layout.n_days):
        if not layout.calendar.is_holiday(layout.day(index)) or not layout.open_mask[weekdays[index]].any():
            continue
        expected = float(np.nansum(layout.filled[index]))
        if expected > 0:
            ratios.append(float(np.nansum(layout.values[index])) / expected)
    if not ratios:
        return HolidayEffect(closed=True, factor=0.0, observed=0)
    factor = float(np.median(ratios))
    return HolidayEffect(closed=factor < CLOSED_BELOW, factor=factor, observed=len(ratios))
