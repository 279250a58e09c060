"""Intraday profiles: shares of the day per open slot."""

from __future__ import annotations

import datetime as dt

import numpy as np

from callops.forecast import history_from_datetimes, holiday_calendar
from callops.forecast.grid import build_layout
from callops.forecast.profile import intraday_profiles
from forecast_synthetic import weekday_mornings

NO_HOLIDAYS = holiday_calendar(None, dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def test_profiles_sum_to_one_over_open_slots() -> None:
    """Each open weekday's intraday shares sum to 1, closed slots have share 0."""
    rows = weekday_mornings(21)
    layout = build_layout(history_from_datetimes(*zip(*rows, strict=True)), 60, NO_HOLIDAYS)
    profiles = intraday_profiles(layout)
    assert np.allclose(profiles[:5].sum(axis=1), 1.0)
    assert profiles[5:].sum() == 0 and profiles[:, :9].sum() == 0
