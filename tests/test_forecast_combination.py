"""The combination averages its members' forecasts."""

from __future__ import annotations

import numpy as np

from callops.forecast import (
    CalendarRegression,
    Combination,
    WeeklyAverage,
)
from forecast_synthetic import CALENDAR, assert_recovers, series


def test_combination_recovers_known_seasonality() -> None:
    """Fitted on 8 noisy weeks, the combination forecasts within 10 % WAPE of the expectation."""
    assert_recovers(Combination)


def test_combination_is_the_mean_of_its_members() -> None:
    """With two members the forecast is their average, interval by interval."""
    history = series(35, 3)
    pair = Combination(grain_min=60, calendar=CALENDAR, members=(WeeklyAverage, CalendarRegression))
    mean = pair.fit(history).predict(7).mean
    one = WeeklyAverage(grain_min=60, calendar=CALENDAR).fit(history).predict(7).mean
    two = CalendarRegression(grain_min=60, calendar=CALENDAR).fit(history).predict(7).mean
    assert np.allclose(mean, (one + two) / 2)
