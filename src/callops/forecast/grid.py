"""The day-by-slot grid every model reads: history as a (days x slots-of-day) matrix on the calendar.

Operating hours are learned here: a slot of the week (weekday, time of day) is open when some ordinary
day (no holiday, no swapped working weekend) had calls in it. Cells of open slots that have no row, and
whole holidays and working weekends, are filled from the same slot in neighbouring weeks so that models
see a regular weekly pattern; which cells were filled is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from callops.forecast.calendar import HolidayCalendar
from callops.forecast.series import DAY_MIN, History

__all__ = ["Layout", "build_layout", "future_mask", "scatter_future", "weekdays_of"]


def weekdays_of(first_day: dt.date, n_days: int, offset: int = 0) -> np.ndarray:
    """Weekdays (Monday 0) of ``n_days`` consecutive days from ``offset`` days after ``first_day``."""
    return (first_day.weekday() + offset + np.arange(n_days)) % 7


@dataclass(frozen=True, slots=True)
class Layout:
    """History on the calendar grid.

    ``values``: observed calls (NaN where there is no row); ``filled``: ordinary, gap-free values used
    for fitting (NaN on closed slots); ``ordinary``: the day is neither a holiday nor a working weekend
    and has rows; ``open_mask[w, s]``: slot ``s`` of weekday ``w`` is open.
    """

    grain_min: int
    first_day: dt.date
    values: np.ndarray
    filled: np.ndarray
    ordinary: np.ndarray
    open_mask: np.ndarray
    calendar: HolidayCalendar

    @property
    def n_days(self) -> int:
        return int(self.values.shape[0])

    @property
    def slots_per_day(self) -> int:
        return int(self.values.shape[1])

    @property
    def weekdays(self) -> np.ndarray:
        return weekdays_of(self.first_day, self.n_days)

    @property
    def open_days(self) -> np.ndarray:
        """Indices of days whose weekday has open slots (the regular business-day sequence)."""
        return np.flatnonzero(self.open_mask[self.weekdays].any(axis=1))

    @property
    def slots_per_week(self) -> int:
        return int(self.open_mask.sum())

    def day(self, index: int) -> dt.date:
        return self.first_day + dt.timedelta(days=int(index))

    def sequence(self) -> np.ndarray:
        """The filled open cells of every open day in time order (weekly period ``slots_per_week``)."""
        days = self.open_days
        mask = self.open_mask[self.weekdays[days]]
        return np.asarray(self.filled[days][mask])

    def daily_totals(self) -> np.ndarray:
        """Filled day totals of the open days, in order."""
        days = self.open_days
        return np.asarray(np.nansum(self.filled[days], axis=1))


def _fill_by_week(matrix: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
    """Fills NaN cells from the same slot one week earlier, then later, then the slot's median."""
    out = matrix.copy()
    for w in range(7):
        rows = np.flatnonzero(weekdays == w)
        if len(rows) == 0:
            continue
        block = out[rows]
        for k in range(1, len(rows)):
            gap = np.isnan(block[k])
            block[k, gap] = block[k - 1, gap]
        for k in range(len(rows) - 2, -1, -1):
            gap = np.isnan(block[k])
            block[k, gap] = block[k + 1, gap]
        out[rows] = block
    return out


def build_layout(history: History, grain_min: int, calendar: HolidayCalendar) -> Layout:
    """Places an aggregated ``history`` (grain ``grain_min``) on the day x slot grid."""
    minutes = history.starts.astype("datetime64[m]").astype(np.int64)
    day_numbers = minutes // DAY_MIN
    first = int(day_numbers[0])
    n_days = int(day_numbers[-1]) - first + 1
    slots = 1 if grain_min == DAY_MIN else DAY_MIN // grain_min
    values = np.full((n_days, slots), np.nan)
    slot_index = 0 if grain_min == DAY_MIN else (minutes % DAY_MIN) // grain_min
    values[day_numbers - first, slot_index] = history.calls
    first_day = dt.date(1970, 1, 1) + dt.timedelta(days=first)
    weekdays = weekdays_of(first_day, n_days)
    dates = [first_day + dt.timedelta(days=k) for k in range(n_days)]
    special = np.array([calendar.is_holiday(d) or calendar.is_working_weekend(d) for d in dates], dtype=bool)
    has_rows = ~np.isnan(values).all(axis=1)
    ordinary = has_rows & ~special
    open_mask = np.zeros((7, slots), dtype=bool)
    for w in range(7):
        rows = values[ordinary & (weekdays == w)]
        if len(rows):
            open_mask[w] = np.nan_to_num(rows, nan=0.0).max(axis=0) > 0
    usable = values.copy()
    usable[~ordinary] = np.nan
    filled = _fill_by_week(usable, weekdays)
    closed = ~open_mask[weekdays]
    filled[closed] = np.nan
    filled[~closed] = np.nan_to_num(filled[~closed], nan=0.0)
    return Layout(
        grain_min=grain_min,
        first_day=first_day,
        values=values,
        filled=filled,
        ordinary=ordinary,
        open_mask=open_mask,
        calendar=calendar,
    )


def future_mask(layout: Layout, n_days: int) -> np.ndarray:
    """Open cells of the ``n_days`` ordinary days after the history: (n_days, slots) booleans."""
    return np.asarray(layout.open_mask[weekdays_of(layout.first_day, n_days, offset=layout.n_days)])


def scatter_future(layout: Layout, n_days: int, sequence: np.ndarray) -> np.ndarray:
    """Puts a forecast of the open-cell sequence back on the grid (NaN on closed cells)."""
    mask = future_mask(layout, n_days)
    out = np.full(mask.shape, np.nan)
    out[mask] = sequence[: int(mask.sum())]
    return out
