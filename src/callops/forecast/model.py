"""What every model shares: ``fit(history)`` returns the model, ``predict(horizon_days, levels)`` a Forecast.

A model only forecasts ordinary days on the grid (``_predict_grid``); this base class puts the history on
the grid, learns operating hours and the holiday effect, and turns the ordinary-day forecast into rows:
no rows for closed slots, holidays closed or scaled, a swapped working weekend (调休) forecast as the
mean of the nearest five ordinary Monday-Friday forecasts.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar, Protocol, Self

import numpy as np

from callops.errors import InvalidInput
from callops.forecast.bands import DispersionBands, EmpiricalBands, dispersion_from_weekly_differences
from callops.forecast.calendar import HolidayCalendar
from callops.forecast.grid import Layout, build_layout, weekdays_of
from callops.forecast.holiday_effect import HolidayEffect, learn_holiday_effect
from callops.forecast.result import Band, Forecast
from callops.forecast.series import DAY_MIN, History

__all__ = ["Model", "GridModel", "BandMaker"]


class BandMaker(Protocol):
    def bands(self, mean: np.ndarray, levels: Sequence[int]) -> tuple[Band, ...]: ...


class Model(Protocol):
    name: str

    def fit(self, history: History) -> Self: ...

    def predict(self, horizon_days: int, levels: Sequence[int] = ...) -> Forecast: ...


class GridModel(ABC):
    """Base of the models: subclasses implement ``_fit_grid`` and ``_predict_grid``."""

    name: ClassVar[str] = "grid"
    min_weeks: ClassVar[int] = 1

    def __init__(self, *, grain_min: int, calendar: HolidayCalendar) -> None:
        self.grain_min = grain_min
        self.calendar = calendar
        self._layout: Layout | None = None
        self._tz: dt.tzinfo | None = None
        self._holidays = HolidayEffect(closed=True, factor=0.0, observed=0)
        self._bands: BandMaker = DispersionBands(phi=1.0)

    @property
    def layout(self) -> Layout:
        if self._layout is None:
            raise InvalidInput(f"model {self.name} is not fitted")
        return self._layout

    @property
    def holiday_effect(self) -> HolidayEffect:
        return self._holidays

    def fit(self, history: History) -> Self:
        return self.fit_layout(build_layout(history, self.grain_min, self.calendar), tz=history.tz)

    def fit_layout(self, layout: Layout, *, tz: dt.tzinfo | None = None) -> Self:
        """Fit on history already on the grid (``fit`` builds it; combinations share one)."""
        if not layout.open_mask.any():
            raise InvalidInput(
                "the history has no calls on ordinary days: nothing to forecast from", field="calls"
            )
        if layout.n_days < 7 * self.min_weeks:
            raise InvalidInput(
                f"model {self.name} needs at least {7 * self.min_weeks} days of history "
                f"(the series covers {layout.n_days} days)",
                field="calls",
            )
        self._layout = layout
        self._tz = tz
        self._holidays = learn_holiday_effect(layout)
        self._bands = DispersionBands(
            dispersion_from_weekly_differences(layout.sequence(), layout.slots_per_week)
        )
        self._fit_grid(layout)
        return self

    def use_bands(self, bands: EmpiricalBands | DispersionBands) -> None:
        """Replace the model's own band estimate (e.g. by backtest errors)."""
        self._bands = bands

    @abstractmethod
    def _fit_grid(self, layout: Layout) -> None: ...

    def predict_grid(self, n_days: int) -> np.ndarray:
        """The ordinary-day forecast of the next ``n_days`` days, before the calendar: (n_days, slots)."""
        return self._predict_grid(n_days)

    @abstractmethod
    def _predict_grid(self, n_days: int) -> np.ndarray:
        """The ``n_days`` days after the history as ordinary days: (n_days, slots), NaN where closed."""

    def predict(self, horizon_days: int, levels: Sequence[int] = (80, 95)) -> Forecast:
        if horizon_days < 1:
            raise InvalidInput("the horizon must be at least one day", field="horizon")
        layout = self.layout
        base = np.maximum(self._predict_grid(horizon_days + 7), 0.0)
        matrix, mask = self._on_calendar(base, horizon_days)
        first = np.datetime64(layout.first_day + dt.timedelta(days=layout.n_days), "m")
        step = layout.grain_min if layout.grain_min != DAY_MIN else DAY_MIN
        offsets = np.arange(horizon_days * layout.slots_per_day).reshape(horizon_days, -1) * step
        starts = first + offsets[mask].astype("timedelta64[m]")
        mean = matrix[mask]
        return Forecast(
            starts=starts,
            mean=mean,
            bands=self._bands.bands(mean, levels),
            grain_min=layout.grain_min,
            model=self.name,
            tz=self._tz,
        )

    def _on_calendar(self, base: np.ndarray, horizon_days: int) -> tuple[np.ndarray, np.ndarray]:
        layout = self.layout
        start = layout.first_day + dt.timedelta(days=layout.n_days)
        weekdays = weekdays_of(start, len(base))
        dates = [start + dt.timedelta(days=k) for k in range(len(base))]
        ordinary = [
            w < 5 and not self.calendar.is_holiday(d) and not self.calendar.is_working_weekend(d)
            for w, d in zip(weekdays, dates, strict=True)
        ]
        matrix = base[:horizon_days].copy()
        mask = layout.open_mask[weekdays[:horizon_days]].copy()
        workday_mask = layout.open_mask[:5].any(axis=0)
        for k in range(horizon_days):
            if self.calendar.is_holiday(dates[k]):
                if self._holidays.closed:
                    mask[k] = False
                else:
                    matrix[k] *= self._holidays.factor
            elif self.calendar.is_working_weekend(dates[k]):
                nearest = sorted((j for j in range(len(base)) if ordinary[j]), key=lambda j: (abs(j - k), j))[
                    :5
                ]
                if nearest:
                    rows = base[nearest]
                    with np.errstate(all="ignore"):
                        counts = np.sum(~np.isnan(rows), axis=0)
                        matrix[k] = np.where(counts > 0, np.nansum(rows, axis=0) / np.maximum(counts, 1), 0.0)
                    mask[k] = workday_mask
        matrix = np.nan_to_num(matrix, nan=0.0)
        return matrix, mask
