"""Seasonal naive: each open slot of the week gets its value from the last week of history.

The baseline every backtest includes. Gaps and holidays in that week were filled from earlier weeks
(``grid.build_layout``), so this is "same slot 7 days earlier, going back further weeks if missing".
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from statsforecast.models import SeasonalNaive as _SeasonalNaive

from callops.forecast.grid import Layout, future_mask, scatter_future
from callops.forecast.model import GridModel

__all__ = ["SeasonalNaive"]


class SeasonalNaive(GridModel):
    name: ClassVar[str] = "seasonal_naive"

    def _fit_grid(self, layout: Layout) -> None:
        self._model = _SeasonalNaive(season_length=layout.slots_per_week).fit(layout.sequence())

    def _predict_grid(self, n_days: int) -> np.ndarray:
        layout = self.layout
        h = int(future_mask(layout, n_days).sum())
        mean = np.asarray(self._model.predict(h=h)["mean"], dtype=float)
        return scatter_future(layout, n_days, mean)
