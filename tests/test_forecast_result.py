"""Forecast rows and bands."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.forecast import Band, Forecast


def _forecast(bands: tuple[Band, ...], tz: dt.tzinfo | None = None) -> Forecast:
    starts = np.array(["2024-10-08T09:00", "2024-10-08T09:30"], dtype="datetime64[m]")
    return Forecast(starts=starts, mean=np.array([10.0, 12.5]), bands=bands, grain_min=30, model="t", tz=tz)


def test_rows_use_the_first_band() -> None:
    """lo and hi in the rows come from the first band given."""
    mean = np.array([10.0, 12.5])
    rows = _forecast((Band(95, mean - 4, mean + 4), Band(80, mean - 2, mean + 2))).rows()
    assert rows[0] == {"interval_start": "2024-10-08T09:00:00", "forecast": 10.0, "lo": 6.0, "hi": 14.0}


def test_rows_without_bands_repeat_the_mean_and_keep_the_zone() -> None:
    """Without bands lo = hi = forecast; an aware forecast prints its offset."""
    rows = _forecast((), tz=dt.timezone(dt.timedelta(hours=2))).rows()
    assert rows[1] == {
        "interval_start": "2024-10-08T09:30:00+02:00",
        "forecast": 12.5,
        "lo": 12.5,
        "hi": 12.5,
    }


def test_asking_for_a_missing_band_is_an_error() -> None:
    """band(50) on a forecast with only an 80 % band names the level field."""
    with pytest.raises(InvalidInput, match="field level"):
        _forecast((Band(80, np.zeros(2), np.ones(2)),)).band(50)
