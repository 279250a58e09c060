"""The log-space sum of products behind the far-out branches."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from callops.queueing._series import log_sum_of_products


def test_geometric_series() -> None:
    """Constant ratios r give log(1 / (1 - r)), row by row, however slowly they converge."""
    ratios = np.array([0.5, 0.9, 0.999])

    def log_ratio(rows: NDArray[np.intp], i: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.broadcast_to(np.log(ratios[rows, None]), (rows.size, i.size)).copy()

    assert log_sum_of_products(log_ratio, 3) == pytest.approx(-np.log1p(-ratios), rel=1e-12)


def test_finite_sum_stops_at_a_zero_ratio() -> None:
    """A ratio of zero ends the sum: 1 + 2 + 2 = 5 when r_1 = 2, r_2 = 1, r_3 = 0."""

    def log_ratio(rows: NDArray[np.intp], i: NDArray[np.float64]) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return np.broadcast_to(np.log(np.maximum(3.0 - i, 0.0)) - np.log(1.0), (rows.size, i.size)).copy()

    assert float(log_sum_of_products(log_ratio, 1)[0]) == pytest.approx(np.log(1 + 2 + 2), rel=1e-12)
