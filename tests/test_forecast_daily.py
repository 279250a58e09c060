"""Day-total x profile models recover a known weekly and intraday pattern."""

from __future__ import annotations

import pytest

from callops.errors import InvalidInput
from callops.forecast import (
    EtsDaily,
    GridModel,
    WeeklyAverage,
)
from forecast_synthetic import CALENDAR, assert_recovers, series


@pytest.mark.parametrize("model", [WeeklyAverage, EtsDaily])
def test_model_recovers_known_seasonality(model: type[GridModel]) -> None:
    """Fitted on 8 noisy weeks, the model forecasts the next week within 10 % WAPE of the expectation."""
    assert_recovers(model)


def test_too_short_history_is_refused() -> None:
    """A model that needs three weeks says so."""
    with pytest.raises(InvalidInput, match="at least 21 days"):
        EtsDaily(grain_min=60, calendar=CALENDAR).fit(series(10, 1))
