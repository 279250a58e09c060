"""MSTL recovers a known daily and weekly pattern."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.forecast import GridModel, History, Mstl, history_from_datetimes, holiday_calendar

CALENDAR = holiday_calendar(None, dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def _expected(start: dt.datetime) -> float:
    """Hourly 24x7 expectation: weekday level times a day curve peaking at 13:00."""
    level = (300.0, 260.0, 250.0, 250.0, 280.0, 120.0, 90.0)[start.weekday()]
    return level * (0.2 + np.exp(-(((start.hour - 13) / 4.0) ** 2))) / 10


def _series(days: int, seed: int) -> History:
    rng = np.random.default_rng(seed)
    starts = [dt.datetime(2024, 3, 4) + dt.timedelta(hours=h) for h in range(24 * days)]
    return history_from_datetimes(starts, [float(rng.poisson(_expected(s))) for s in starts])


def _assert_recovers(model: type[GridModel]) -> None:
    forecast = model(grain_min=60, calendar=CALENDAR).fit(_series(56, 7)).predict(7, levels=[80])
    truth = np.array([_expected(s) for s in forecast.starts.tolist()])
    assert len(forecast.starts) == 7 * 24
    assert np.abs(forecast.mean - truth).sum() / truth.sum() < 0.10
    assert np.all(forecast.bands[0].lo <= forecast.mean) and np.all(forecast.mean <= forecast.bands[0].hi)


def test_mstl_recovers_known_seasonality() -> None:
    """Fitted on 8 noisy weeks, MSTL forecasts the next week within 10 % WAPE of the expectation."""
    _assert_recovers(Mstl)


def test_mstl_needs_three_weeks() -> None:
    """Two weeks are refused with the reason."""
    with pytest.raises(InvalidInput, match="at least 21 days"):
        Mstl(grain_min=60, calendar=CALENDAR).fit(_series(14, 2))
