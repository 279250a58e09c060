"""Offered load and input checks."""

from __future__ import annotations

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.queueing import offered_load
from callops.queueing.metrics import checked


def test_offered_load() -> None:
    """100 calls of 180 s in 30 minutes are 10 Erlangs; arrays broadcast."""
    assert offered_load(np.array([100, 50]), 1800, 180).tolist() == [10.0, 5.0]


@pytest.mark.parametrize(
    ("field", "args"),
    [("calls", (-1, 1800, 180)), ("interval_s", (10, 0, 180)), ("aht_s", (10, 1800, float("nan")))],
)
def test_bad_inputs_name_their_field(field: str, args: tuple[float, float, float]) -> None:
    """Negative calls, a zero interval or a NaN handle time are refused naming the field."""
    with pytest.raises(InvalidInput, match=field):
        offered_load(*args)


def test_whole_numbers() -> None:
    """``integer=True`` refuses fractions and accepts whole floats."""
    assert checked("agents", [3.0, 4], integer=True).tolist() == [3.0, 4.0]
    with pytest.raises(InvalidInput, match="whole"):
        checked("agents", [3.5], integer=True)
