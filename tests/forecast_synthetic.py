"""A synthetic hourly series with known weekly and intraday seasonality, shared by the model tests."""

from __future__ import annotations

import datetime as dt

import numpy as np

from callops.forecast import GridModel, History, history_from_datetimes, holiday_calendar

__all__ = ["CALENDAR", "assert_recovers", "expected", "series"]

CALENDAR = holiday_calendar(None, dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def expected(start: dt.datetime) -> float:
    """Hourly 24x7 expectation: weekday level times a day curve peaking at 13:00."""
    level = (300.0, 260.0, 250.0, 250.0, 280.0, 120.0, 90.0)[start.weekday()]
    return float(level * (0.2 + np.exp(-(((start.hour - 13) / 4.0) ** 2))) / 10)


def series(days: int, seed: int) -> History:
    """``days`` days of Poisson counts around ``expected``, from Monday 2024-03-04."""
    rng = np.random.default_rng(seed)
    starts = [dt.datetime(2024, 3, 4) + dt.timedelta(hours=h) for h in range(24 * days)]
    return history_from_datetimes(starts, [float(rng.poisson(expected(s))) for s in starts])


def assert_recovers(model: type[GridModel]) -> None:
    """Fitted on 8 weeks, ``model`` forecasts the next week within 10 % WAPE, the mean inside its band."""
    forecast = model(grain_min=60, calendar=CALENDAR).fit(series(56, 7)).predict(7, levels=[80])
    truth = np.array([expected(s) for s in forecast.starts.tolist()])
    assert len(forecast.starts) == 7 * 24
    assert np.abs(forecast.mean - truth).sum() / truth.sum() < 0.10
    assert np.all(forecast.bands[0].lo <= forecast.mean) and np.all(forecast.mean <= forecast.bands[0].hi)


def weekday_mornings(
    days: int, skip: set[dt.date] | None = None, first: dt.date = dt.date(2024, 1, 1)
) -> list[tuple[dt.datetime, float]]:
    """Hourly rows 09:00-11:00 on weekdays (none on ``skip`` days): 10 + hour index + weekday calls."""
    rows = []
    for k in range(days):
        day = first + dt.timedelta(days=k)
        if day.weekday() >= 5 or day in (skip or set()):
            continue
        rows += [(dt.datetime.combine(day, dt.time(9 + h)), float(10 + h + day.weekday())) for h in range(3)]
    return rows
