"""Tests for batched random draws."""

from __future__ import annotations

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.simulation import Distribution, Stream


@pytest.mark.parametrize("kind", ["exponential", "lognormal"])
def test_mean_is_respected(kind: str) -> None:
    """Exponential and lognormal draws have the requested mean."""
    stream = Stream(Distribution(kind, 200.0, 150.0), np.random.default_rng(3))
    draws = [stream.next() for _ in range(40_000)]
    assert np.mean(draws) == pytest.approx(200.0, rel=0.03)


def test_empirical_draws_come_from_history() -> None:
    """Empirical draws are values from the given sample."""
    stream = Stream(Distribution("empirical", values_s=(10.0, 20.0)), np.random.default_rng(3))
    assert {stream.next() for _ in range(100)} == {10.0, 20.0}


def test_empirical_needs_values() -> None:
    """An empirical distribution without values is refused."""
    with pytest.raises(InvalidInput, match="values_s"):
        Distribution("empirical")
