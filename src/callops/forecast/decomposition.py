"""MSTL: the interval series minus daily and weekly seasonal components (STL, repeated), the rest
forecast by AutoETS without season (statsforecast ``MSTL``), fitted on the open-cell sequence of the
last ``max_weeks`` weeks. The daily period is used when every open weekday has the same number of open slots.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from statsforecast.models import MSTL as _MSTL
from statsforecast.models import AutoETS

from callops.errors import InvalidInput
from callops.forecast.calendar import HolidayCalendar
from callops.forecast.grid import Layout, future_mask, scatter_future
from callops.forecast.model import GridModel

__all__ = ["Mstl", "mstl_seasons"]


def mstl_seasons(layout: Layout) -> list[int]:
    week = layout.slots_per_week
    per_day = {int(n) for n in layout.open_mask.sum(axis=1) if n > 0}
    if len(per_day) == 1:
        day = per_day.pop()
        if 1 < day < week:
            return [day, week]
    return [week]


class Mstl(GridModel):
    name: ClassVar[str] = "mstl"
    min_weeks: ClassVar[int] = 3

    def __init__(self, *, grain_min: int, calendar: HolidayCalendar, max_weeks: int = 12) -> None:
        super().__init__(grain_min=grain_min, calendar=calendar)
        self.max_weeks = max_weeks

    def _fit_grid(self, layout: Layout) -> None:
        seasons = mstl_seasons(layout)
        sequence = layout.sequence()[-self.max_weeks * layout.slots_per_week :]
        if len(sequence) < 2 * max(seasons) + 1:
            raise InvalidInput("MSTL needs more than two weeks of history", field="calls")
        self._model = _MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN")).fit(sequence)

    def _predict_grid(self, n_days: int) -> np.ndarray:
        layout = self.layout
        h = int(future_mask(layout, n_days).sum())
        mean = np.asarray(self._model.predict(h=h)["mean"], dtype=float)
        return scatter_future(layout, n_days, mean)
