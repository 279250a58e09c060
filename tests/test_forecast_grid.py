"""The day x slot grid: operating hours learned from history, gaps filled from neighbouring weeks."""

from __future__ import annotations

import datetime as dt

import numpy as np

from callops.forecast import history_from_datetimes, holiday_calendar
from callops.forecast.grid import build_layout
from forecast_synthetic import weekday_mornings

NO_HOLIDAYS = holiday_calendar(None, dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def test_open_slots_are_those_with_calls_on_ordinary_days() -> None:
    """Weekdays 09:00-11:00 are open; other hours and weekends are closed."""
    rows = weekday_mornings(21)
    layout = build_layout(history_from_datetimes(*zip(*rows, strict=True)), 60, NO_HOLIDAYS)
    assert layout.open_mask.sum() == 5 * 3
    assert layout.open_mask[0, 9:12].all() and not layout.open_mask[5].any()
    assert layout.slots_per_week == 15


def test_a_missing_day_is_filled_from_the_week_before() -> None:
    """The missing Wednesday 10 January takes the values of Wednesday 3 January."""
    rows = weekday_mornings(21, skip={dt.date(2024, 1, 10)})
    layout = build_layout(history_from_datetimes(*zip(*rows, strict=True)), 60, NO_HOLIDAYS)
    assert np.isnan(layout.values[9]).all()
    assert layout.filled[9, 9:12].tolist() == layout.filled[2, 9:12].tolist()
