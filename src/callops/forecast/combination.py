"""Combination: the mean of the ordinary-day forecasts of several models fitted on the same grid.

Averaging forecasts whose errors differ (a recent weekly mean, exponential smoothing, a calendar
regression) is usually better than any one of them; the backtest decides whether it is here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from callops.forecast.calendar import HolidayCalendar
from callops.forecast.daily import EtsDaily, WeeklyAverage
from callops.forecast.grid import Layout
from callops.forecast.model import GridModel
from callops.forecast.regression import CalendarRegression

__all__ = ["Combination"]


class Combination(GridModel):
    name: ClassVar[str] = "combined"
    min_weeks: ClassVar[int] = 3

    def __init__(
        self,
        *,
        grain_min: int,
        calendar: HolidayCalendar,
        members: Sequence[type[GridModel]] = (WeeklyAverage, EtsDaily, CalendarRegression),
    ) -> None:
        super().__init__(grain_min=grain_min, calendar=calendar)
        self.members = [member(grain_min=grain_min, calendar=calendar) for member in members]

    def _fit_grid(self, layout: Layout) -> None:
        for member in self.members:
            member.fit_layout(layout)

    def _predict_grid(self, n_days: int) -> np.ndarray:
        grids = np.stack([member.predict_grid(n_days) for member in self.members])
        counts = np.sum(~np.isnan(grids), axis=0)
        return np.where(counts > 0, np.nansum(grids, axis=0) / np.maximum(counts, 1), np.nan)
