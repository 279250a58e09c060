"""Tests for the single-queue scenario built from CLI flags."""

from __future__ import annotations

import pytest

from callops.errors import InvalidInput
from callops.simulation import single_queue


def test_first_interval_is_warm_up() -> None:
    """24 hours of 30-minute intervals simulate 49 intervals, the first one discarded as warm-up."""
    scenario = single_queue(calls=100, interval_s=1800, aht_s=180, agents=14, hours=24)
    assert scenario.intervals == 49 and scenario.warmup_s == 1800


def test_refuses_zero_agents() -> None:
    """Zero agents is refused."""
    with pytest.raises(InvalidInput):
        single_queue(calls=100, interval_s=1800, aht_s=180, agents=0, hours=1)
