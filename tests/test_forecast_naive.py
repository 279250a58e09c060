"""Seasonal naive repeats the last week, filling gaps from earlier weeks."""

from __future__ import annotations

import numpy as np

from callops.forecast import History, SeasonalNaive
from forecast_synthetic import CALENDAR, series


def test_seasonal_naive_repeats_the_last_week() -> None:
    """Seasonal naive's first and second forecast weeks both equal the last week of history."""
    history = series(21, 8)
    forecast = SeasonalNaive(grain_min=60, calendar=CALENDAR).fit(history).predict(14)
    last_week = history.calls[-168:]
    assert forecast.mean[:168].tolist() == last_week.tolist()
    assert forecast.mean[168:].tolist() == last_week.tolist()


def test_seasonal_naive_fills_a_missing_day_from_the_week_before() -> None:
    """With the last Tuesday missing, its forecast comes from the Tuesday one week earlier."""
    history = series(21, 9)
    keep = history.starts.astype("datetime64[D]") != np.datetime64("2024-03-19")
    gappy = History(history.starts[keep], history.calls[keep])
    forecast = SeasonalNaive(grain_min=60, calendar=CALENDAR).fit(gappy).predict(7)
    tuesday = forecast.starts.astype("datetime64[D]") == np.datetime64("2024-03-26")
    before = history.starts.astype("datetime64[D]") == np.datetime64("2024-03-12")
    assert forecast.mean[tuesday].tolist() == history.calls[before].tolist()
