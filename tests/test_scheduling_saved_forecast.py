"""A forecast kept for planning: aware interval starts in time order, valid calls and AHT."""

from __future__ import annotations

import datetime as dt

import pytest

from callops.errors import InvalidInput
from callops.scheduling import ForecastPoint, SavedForecast

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def test_total_calls() -> None:
    """A saved forecast sums its points' calls."""
    points = (ForecastPoint(T0, 10.5, 8, 13, 180), ForecastPoint(T0 + dt.timedelta(minutes=30), 4.5))
    assert SavedForecast(name="f", grain_min=30, model="ets", tz="Asia/Shanghai", points=points).total_calls == 15


@pytest.mark.parametrize("point", [
    lambda: ForecastPoint(dt.datetime(2026, 3, 2), 1.0),
    lambda: ForecastPoint(T0, -1.0),
    lambda: ForecastPoint(T0, float("nan")),
    lambda: ForecastPoint(T0, 1.0, aht_s=0.0),
])
def test_bad_points_are_refused(point: object) -> None:
    """Naive starts, negative or NaN calls and a zero AHT raise InvalidInput."""
    with pytest.raises(InvalidInput):
        point()  # type: ignore[operator]  # each case builds one bad point


def test_points_must_be_in_time_order() -> None:
    """Points out of time order, or a blank name, raise InvalidInput."""
    with pytest.raises(InvalidInput, match="time order"):
        SavedForecast(name="f", grain_min=30, model="ets", tz="UTC",
                      points=(ForecastPoint(T0, 1.0), ForecastPoint(T0, 2.0)))
    with pytest.raises(InvalidInput, match="name"):
        SavedForecast(name=" ", grain_min=30, model="ets", tz="UTC", points=())
