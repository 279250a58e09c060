"""MSTL recovers a known daily and weekly pattern."""

from __future__ import annotations

import pytest

from callops.errors import InvalidInput
from callops.forecast import Mstl
from forecast_synthetic import CALENDAR, assert_recovers, series


def test_mstl_recovers_known_seasonality() -> None:
    """Fitted on 8 noisy weeks, MSTL forecasts the next week within 10 % WAPE of the expectation."""
    assert_recovers(Mstl)


def test_mstl_needs_three_weeks() -> None:
    """Two weeks are refused with the reason."""
    with pytest.raises(InvalidInput, match="at least 21 days"):
        Mstl(grain_min=60, calendar=CALENDAR).fit(series(14, 2))
