"""Calendar regression on day totals, times the intraday profile.

log(1 + total of day d) = b0 + b_weekday(d) + b1 [d is the 1st business day of its month]
  + b2 [2nd business day] + b3 [last business day] + b4 [the previous business weekday was closed],
fitted by weighted least squares on the ordinary days of the last ``window_weeks`` weeks, weight
0.5 ** (age in weeks / ``halflife_weeks``) so the level follows recent weeks; a small ridge
(``ridge``) keeps rare indicators from running away. Business days are open weekdays that are not holidays.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import numpy as np

from callops.forecast.calendar import HolidayCalendar
from callops.forecast.daily import DayTotalModel
from callops.forecast.grid import Layout, weekdays_of

__all__ = ["CalendarRegression", "calendar_features"]


def calendar_features(first_day: dt.date, business: np.ndarray, open_weekdays: np.ndarray) -> np.ndarray:
    """Columns: intercept, one per open weekday but the first, 1st/2nd/last business day, after closure.

    Days of the first month before ``first_day`` count as business days when their weekday is open, so
    the first day of a series is not taken for the first business day of its month.
    """
    lead = first_day.day - 1
    start = first_day - dt.timedelta(days=lead)
    assumed = open_weekdays[weekdays_of(start, lead)] if lead else np.zeros(0, dtype=bool)
    business = np.concatenate([assumed, business])
    n = len(business)
    weekdays = weekdays_of(start, n)
    months = np.array([(start + dt.timedelta(days=k)).month + 12 * (start + dt.timedelta(days=k)).year
                       for k in range(n)])
    kinds = np.flatnonzero(open_weekdays)
    columns = [np.ones(n)] + [(weekdays == w).astype(float) for w in kinds[1:]]
    first = np.zeros(n)
    second = np.zeros(n)
    last = np.zeros(n)
    for month in np.unique(months):
        days = np.flatnonzero((months == month) & business)
        if len(days):
            first[days[0]] = 1.0
            last[days[-1]] = 1.0
        if len(days) > 1:
            second[days[1]] = 1.0
    after = np.zeros(n)
    open_day = open_weekdays[weekdays]
    previous: int | None = None
    for k in range(n):
        if not open_day[k]:
            continue
        if previous is not None and business[k] and not business[previous]:
            after[k] = 1.0
        previous = k
    return np.column_stack([*columns, first, second, last, after])[lead:]


class CalendarRegression(DayTotalModel):
    name: ClassVar[str] = "regression"
    min_weeks: ClassVar[int] = 3

    def __init__(
        self,
        *,
        grain_min: int,
        calendar: HolidayCalendar,
        halflife_weeks: float = 3.0,
        window_weeks: int = 12,
        ridge: float = 0.1,
    ) -> None:
        super().__init__(grain_min=grain_min, calendar=calendar)
        self.halflife_weeks = halflife_weeks
        self.window_weeks = window_weeks
        self.ridge = ridge

    def _business(self, layout: Layout, n_days: int) -> np.ndarray:
        """Open weekdays: with rows and no holiday in the history; after it, not closed for a holiday."""
        business = np.asarray(layout.open_mask.any(axis=1))[weekdays_of(layout.first_day, n_days)]
        business[: layout.n_days] &= layout.ordinary
        for k in range(layout.n_days, n_days):
            if self._holidays.closed and self.calendar.is_holiday(layout.first_day + dt.timedelta(days=k)):
                business[k] = False
        return np.asarray(business)

    def _fit_totals(self, layout: Layout) -> None:
        n = layout.n_days
        totals = np.nansum(layout.filled, axis=1)
        open_weekdays = np.asarray(layout.open_mask.any(axis=1))
        self._open_weekdays = open_weekdays
        age_weeks = (n - 1 - np.arange(n)) / 7.0
        rows = layout.ordinary & open_weekdays[layout.weekdays] & (age_weeks < self.window_weeks)
        self._rows = rows
        self._log_totals = np.log1p(totals)
        self._weights = np.where(rows, 0.5 ** (age_weeks / self.halflife_weeks), 0.0)

    def _coefficients(self, features: np.ndarray) -> np.ndarray:
        x = features[: self.layout.n_days][self._rows]
        y = self._log_totals[self._rows]
        root = np.sqrt(self._weights[self._rows])
        penalty = np.where(x.std(axis=0) > 0, self.ridge, 1e6) if len(x) else np.full(x.shape[1], 1e6)
        penalty[0] = 0.0
        xw = x * root[:, None]
        return np.asarray(np.linalg.solve(xw.T @ xw + np.diag(penalty), xw.T @ (y * root)))

    def _forecast_totals(self, future_days: np.ndarray) -> np.ndarray:
        layout = self.layout
        span = layout.n_days + int(future_days.max()) + 1
        features = calendar_features(layout.first_day, self._business(layout, span), self._open_weekdays)
        beta = self._coefficients(features)
        return np.asarray(np.expm1(features[layout.n_days + future_days] @ beta))
