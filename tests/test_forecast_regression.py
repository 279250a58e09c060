"""Calendar features of the day-total regression: month turns and days after a closure."""

from __future__ import annotations

import datetime as dt

import numpy as np

from callops.forecast.regression import calendar_features


def test_month_turn_and_after_closure_flags() -> None:
    """Over 28 Jul - 8 Aug 2003 (Mon-Fri open, Mon 4 Aug closed) the flags fall on the right days.

    28 July is not the first business day of July although the series starts there.
    """
    first = dt.date(2003, 7, 28)
    days = [first + dt.timedelta(days=k) for k in range(12)]
    open_weekdays = np.array([True] * 5 + [False] * 2)
    business = np.array([d.weekday() < 5 and d != dt.date(2003, 8, 4) for d in days])
    x = calendar_features(first, business, open_weekdays)
    assert x.shape == (12, 1 + 4 + 4)
    first_bd, second_bd, last_bd, after = x[:, 5], x[:, 6], x[:, 7], x[:, 8]
    assert [d for d, f in zip(days, first_bd, strict=True) if f] == [dt.date(2003, 8, 1)]
    assert [d for d, f in zip(days, second_bd, strict=True) if f] == [dt.date(2003, 8, 5)]
    assert dt.date(2003, 7, 31) in [d for d, f in zip(days, last_bd, strict=True) if f]
    assert [d for d, f in zip(days, after, strict=True) if f] == [dt.date(2003, 8, 5)]
