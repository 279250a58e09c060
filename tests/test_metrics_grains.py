"""Grains: periods (ISO weeks from Monday, months, quarters), labels and previous-period shifts."""

from __future__ import annotations

import datetime as dt

import pytest

from callops.errors import InvalidInput
from callops.metrics import Grain, parse_grain, period_label, period_start, shift_back, shift_forward

D = dt.date(1999, 1, 1)


@pytest.mark.parametrize(("grain", "start", "label"), [
    (Grain.WEEK, dt.datetime(1998, 12, 28), "1998-W53"),
    (Grain.MONTH, dt.datetime(1999, 2, 1), "1999-02"),
    (Grain.QUARTER, dt.datetime(1999, 1, 1), "1999-Q1"),
    (Grain.YEAR, dt.datetime(1999, 1, 1), "1999"),
    (Grain.DAY, dt.datetime(1999, 2, 14), "1999-02-14"),
    (Grain.MIN30, dt.datetime(1999, 2, 14, 8, 30), "1999-02-14T08:30"),
])
def test_period_start_and_label(grain: Grain, start: dt.datetime, label: str) -> None:
    """A bucket falls in the period starting on Monday / the 1st / the quarter's first day, named as shown."""
    bucket = dt.datetime(1999, 2, 14, 8, 30) if grain in (Grain.MONTH, Grain.DAY, Grain.MIN30) \
        else dt.datetime(1999, 1, 1, 8, 30)
    if grain is Grain.WEEK:
        bucket = dt.datetime(1999, 1, 3, 23, 0)  # a Sunday: its ISO week began Monday 1998-12-28
    assert period_start(bucket, grain, range_start=D) == start
    assert period_label(start, grain) == label


def test_total_is_one_period_from_the_range_start() -> None:
    """The total grain puts every bucket in one period named ``total``."""
    assert period_start(dt.datetime(1999, 3, 5, 7), Grain.TOTAL, range_start=D) == dt.datetime(1999, 1, 1)
    assert period_label(dt.datetime(1999, 1, 1), Grain.TOTAL) == "total"


def test_shifts_back_and_forward_are_inverse_on_period_starts() -> None:
    """The previous month of March is February; shifting forward again returns to March."""
    assert shift_back(dt.date(1999, 3, 31), Grain.MONTH) == dt.date(1999, 2, 28)
    assert shift_back(dt.date(1999, 1, 4), Grain.WEEK) == dt.date(1998, 12, 28)
    assert shift_back(dt.date(1999, 1, 10), Grain.TOTAL, span_days=10) == dt.date(1998, 12, 31)
    assert shift_forward(dt.datetime(1999, 2, 1), Grain.MONTH) == dt.datetime(1999, 3, 1)
    assert shift_forward(dt.datetime(1999, 1, 4, 8, 30), Grain.MIN30) == dt.datetime(1999, 1, 5, 8, 30)


def test_parse_grain_accepts_names_and_refuses_others() -> None:
    """Grain names parse; an unknown one is an input error on the grain field."""
    assert parse_grain("15min") is Grain.MIN15 and parse_grain("Week") is Grain.WEEK
    assert Grain.MIN15.bucket_ms == 900_000 and Grain.MONTH.bucket_ms == 86_400_000
    with pytest.raises(InvalidInput, match="grain"):
        parse_grain("fortnight")
