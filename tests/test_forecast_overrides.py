"""Manual overrides: multiply or set the forecast over a time range, kept with the forecast."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.forecast import Band, Forecast, apply_overrides, parse_override


def _forecast() -> Forecast:
    starts = np.array(["2024-10-08T09:00", "2024-10-08T09:30", "2024-10-08T10:00"], dtype="datetime64[m]")
    mean = np.array([10.0, 20.0, 0.0])
    return Forecast(
        starts=starts, mean=mean, bands=(Band(80, mean * 0.5, mean * 1.5),), grain_min=30, model="test"
    )


def test_factor_multiplies_mean_and_band_inside_the_range_only() -> None:
    """A factor 2 from 09:30 to 10:00 doubles the 09:30 row and leaves the others."""
    out = apply_overrides(_forecast(), [parse_override("2024-10-08T09:30,2024-10-08T10:00,2")])
    assert out.mean.tolist() == [10.0, 40.0, 0.0]
    assert out.bands[0].hi.tolist() == [15.0, 60.0, 0.0]


def test_value_sets_the_forecast_and_is_kept_with_it() -> None:
    """=50 over the whole morning sets every row to 50 and the override travels with the forecast."""
    override = parse_override("2024-10-08,2024-10-09,=50")
    out = apply_overrides(_forecast(), [override])
    assert out.mean.tolist() == [50.0, 50.0, 50.0]
    assert out.bands[0].lo.tolist() == [25.0, 25.0, 50.0]
    assert out.overrides == (override,)


def test_aware_override_is_read_in_the_series_zone() -> None:
    """An override given in UTC applies at the series' local wall-clock time."""
    zone = dt.timezone(dt.timedelta(hours=8))
    override = parse_override("2024-10-08T01:30+00:00,2024-10-08T02:00+00:00,0", zone)
    assert override.start == dt.datetime(2024, 10, 8, 9, 30)
    assert apply_overrides(_forecast(), [override]).mean.tolist() == [10.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "text",
    [
        "2024-10-08,2024-10-09",
        "2024-10-09,2024-10-08,2",
        "x,2024-10-09,2",
        "2024-10-08,2024-10-09,lots",
        "2024-10-08,2024-10-09,-1",
    ],
)
def test_bad_overrides_are_refused(text: str) -> None:
    """Wrong shape, reversed range, bad date, non-number or negative amount name the override field."""
    with pytest.raises(InvalidInput, match="field override"):
        parse_override(text)
