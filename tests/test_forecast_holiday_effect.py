"""The holiday effect learned from past holidays: closed or a ratio."""

from __future__ import annotations

import datetime as dt

from callops.forecast import history_from_datetimes, holiday_calendar
from callops.forecast.grid import build_layout
from callops.forecast.holiday_effect import learn_holiday_effect
from forecast_synthetic import weekday_mornings

NO_HOLIDAYS = holiday_calendar(None, dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def test_holiday_effect_closed_when_holidays_have_no_rows() -> None:
    """New Year's Day 2024 (CN) without rows makes holidays closed; with half the calls, factor 0.5."""
    calendar = holiday_calendar("CN", dt.date(2023, 12, 1), dt.date(2024, 2, 1))
    rows = weekday_mornings(28, skip={dt.date(2024, 1, 1)}, first=dt.date(2023, 12, 18))
    closed = learn_holiday_effect(
        build_layout(history_from_datetimes(*zip(*rows, strict=True)), 60, calendar)
    )
    assert closed.closed and closed.observed == 1
    rows = [
        (s, c / 2 if s.date() == dt.date(2024, 1, 1) else c)
        for s, c in weekday_mornings(28, first=dt.date(2023, 12, 18))
    ]
    low = learn_holiday_effect(build_layout(history_from_datetimes(*zip(*rows, strict=True)), 60, calendar))
    assert not low.closed
    assert abs(low.factor - 0.5) < 0.01
