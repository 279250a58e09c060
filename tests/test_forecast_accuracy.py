"""WAPE and MASE on worked numbers."""

from __future__ import annotations

import numpy as np
import pytest

from callops.forecast import mase, wape
from callops.forecast.accuracy import mase_scale


def test_wape_is_absolute_error_over_actual_total() -> None:
    """|10-8| + |20-25| over 30 is 7/30."""
    assert wape(np.array([10.0, 20.0]), np.array([8.0, 25.0])) == pytest.approx(7 / 30)


def test_mase_scales_by_the_in_sample_seasonal_naive_error() -> None:
    """A period-2 series with week-on-week changes of 2 has scale 2; MAE 3 gives MASE 1.5."""
    scale = mase_scale(np.array([1.0, 5.0, 3.0, 7.0, 5.0, 9.0]), 2)
    assert scale == pytest.approx(2.0)
    assert mase(np.array([10.0, 10.0]), np.array([7.0, 13.0]), scale) == pytest.approx(1.5)
