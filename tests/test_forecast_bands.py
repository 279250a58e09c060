"""Prediction bands from dispersion and from backtest errors."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from callops.forecast.bands import DispersionBands, EmpiricalBands


def test_empirical_bands_cover_their_level_on_the_errors_they_came_from() -> None:
    """80 % bands built from Poisson errors hold about 80 % of fresh Poisson draws."""
    rng = np.random.default_rng(5)
    mean = rng.uniform(5, 200, 20000)
    bands = EmpiricalBands.from_backtest(rng.poisson(mean).astype(float), mean)
    fresh = rng.poisson(mean)
    band = bands.bands(mean, [80])[0]
    coverage = np.mean((fresh >= band.lo) & (fresh <= band.hi))
    assert 0.77 < coverage < 0.84


@given(
    st.lists(st.floats(min_value=0, max_value=1e4), min_size=1, max_size=50),
    st.floats(min_value=1, max_value=20),
)
def test_bands_are_ordered_and_nested(values: list[float], phi: float) -> None:
    """0 <= lo <= mean <= hi, and the 95 % band contains the 80 % band."""
    mean = np.array(values)
    b80, b95 = DispersionBands(phi).bands(mean, [80, 95])
    assert np.all(b80.lo >= 0)
    assert np.all(b80.lo <= mean + 1e-9) and np.all(mean <= b80.hi + 1e-9)
    assert np.all(b95.lo <= b80.lo + 1e-9) and np.all(b80.hi <= b95.hi + 1e-9)
