"""Seasonal naive repeats the last week, filling gaps from earlier weeks."""

from __future__ import annotations

import datetime as dt

import numpy as np

from callops.forecast import History, SeasonalNaive, history_from_datetimes, holiday_calendar

CALENDAR = holiday_calendar(None, dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def _expected(start: dt.datetime) -> float:
    """Hourly 24x7 expectation: weekday level times a day curve peaking at 13:00."""
    level = (300.0, 260.0, 250.0, 250.0, 280.0, 120.0, 90.0)[start.weekday()]
    return level * (0.2 + np.exp(-(((start.hour - 13) / 4.0) ** 2))) / 10


def _series(days: int, seed: int) -> History:
    rng = np.random.default_rng(seed)
    starts = [dt.datetime(2024, 3, 4) + dt.timedelta(hours=h) for h in range(24 * days)]
    return history_from_datetimes(starts, [float(rng.poisson(_expected(s))) for s in starts])


def test_seasonal_naive_repeats_the_last_week() -> None:
    """Seasonal naive's first and second forecast weeks both equal the last week of history."""
    history = _series(21, 8)
    forecast = SeasonalNaive(grain_min=60, calendar=CALENDAR).fit(history).predict(14)
    last_week = history.calls[-168:]
    assert forecast.mean[:168].tolist() == last_week.tolist()
    assert forecast.mean[168:].tolist() == last_week.tolist()


def test_seasonal_naive_fills_a_missing_day_from_the_week_before() -> None:
    """With the last Tuesday missing, its forecast comes from the Tuesday one week earlier."""
    history = _series(21, 9)
    keep = history.starts.astype("datetime64[D]") != np.datetime64("2024-03-19")
    gappy = History(history.starts[keep], history.calls[keep])
    forecast = SeasonalNaive(grain_min=60, calendar=CALENDAR).fit(gappy).predict(7)
    tuesday = forecast.starts.astype("datetime64[D]") == np.datetime64("2024-03-26")
    before = history.starts.astype("datetime64[D]") == np.datetime64("2024-03-12")
    assert forecast.mean[tuesday].tolist() == history.calls[before].tolist()
