"""Day totals times intraday profile: a model forecasts the total of each open day, and the profile of
its weekday (``profile.intraday_profiles``) splits it into intervals.

- ``weekly_average``: a day's total is the mean of the last ``weeks`` totals of the same weekday.
- ``ets``: AutoETS (statsforecast) on the sequence of open-day totals, season = open days a week.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

import numpy as np
from statsforecast.models import AutoETS

from callops.forecast.calendar import HolidayCalendar
from callops.forecast.grid import Layout, weekdays_of
from callops.forecast.model import GridModel
from callops.forecast.profile import intraday_profiles

__all__ = ["DayTotalModel", "WeeklyAverage", "EtsDaily"]


class DayTotalModel(GridModel):
    """Base of the day-total x profile models; subclasses forecast the totals of the future open days."""

    def _fit_grid(self, layout: Layout) -> None:
        self._profiles = intraday_profiles(layout)
        self._fit_totals(layout)

    @abstractmethod
    def _fit_totals(self, layout: Layout) -> None: ...

    @abstractmethod
    def _forecast_totals(self, future_days: np.ndarray) -> np.ndarray:
        """Totals for future open days given as day offsets after the history (0 = the next day)."""

    def _predict_grid(self, n_days: int) -> np.ndarray:
        layout = self.layout
        weekdays = weekdays_of(layout.first_day, n_days, offset=layout.n_days)
        open_days = np.flatnonzero(layout.open_mask[weekdays].any(axis=1))
        out = np.full((n_days, layout.slots_per_day), np.nan)
        if len(open_days) == 0:
            return out
        totals = np.maximum(self._forecast_totals(open_days), 0.0)
        mask = layout.open_mask[weekdays]
        for k, day in enumerate(open_days):
            out[day, mask[day]] = totals[k] * self._profiles[weekdays[day], mask[day]]
        return out


class WeeklyAverage(DayTotalModel):
    name: ClassVar[str] = "weekly_average"

    def __init__(self, *, grain_min: int, calendar: HolidayCalendar, weeks: int = 4) -> None:
        super().__init__(grain_min=grain_min, calendar=calendar)
        self.weeks = weeks

    def _fit_totals(self, layout: Layout) -> None:
        weekdays = layout.weekdays
        totals = np.nansum(layout.filled, axis=1)
        self._by_weekday = np.zeros(7)
        for w in range(7):
            days = np.flatnonzero((weekdays == w) & layout.ordinary)
            if len(days) == 0:
                days = np.flatnonzero(weekdays == w)
            if len(days):
                self._by_weekday[w] = float(totals[days[-self.weeks :]].mean())

    def _forecast_totals(self, future_days: np.ndarray) -> np.ndarray:
        layout = self.layout
        return np.asarray(self._by_weekday[(layout.first_day.weekday() + layout.n_days + future_days) % 7])


class EtsDaily(DayTotalModel):
    name: ClassVar[str] = "ets"
    min_weeks: ClassVar[int] = 3

    def _fit_totals(self, layout: Layout) -> None:
        season = int(layout.open_mask.any(axis=1).sum())
        totals = layout.daily_totals()
        self._model = AutoETS(season_length=season if season > 1 else 1, model="ZZZ").fit(totals)

    def _forecast_totals(self, future_days: np.ndarray) -> np.ndarray:
        mean = np.asarray(self._model.predict(h=len(future_days))["mean"], dtype=float)
        return mean
