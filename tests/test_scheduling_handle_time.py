"""AHT per plan interval learned from the history: same slot of the week, then time of day, then overall."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.scheduling import handle_time_profile

MONDAY = dt.datetime(2026, 3, 2, 9, 0)


def test_same_slot_of_the_week_is_call_weighted() -> None:
    """Two Mondays at 09:00 with AHT 100 s (1 call) and 200 s (3 calls) give 175 s for the next Monday."""
    history = [MONDAY, MONDAY + dt.timedelta(days=7)]
    out = handle_time_profile(history_starts=history, history_calls=[1, 3], history_aht_s=[100, 200],
                              starts=[MONDAY + dt.timedelta(days=14)])
    assert out.tolist() == [175.0]


def test_falls_back_to_time_of_day_then_overall() -> None:
    """A Tuesday 09:00 uses Monday's 09:00; an hour never seen uses the overall mean; NaN is skipped."""
    history = [MONDAY, MONDAY + dt.timedelta(hours=1), MONDAY + dt.timedelta(hours=2)]
    out = handle_time_profile(history_starts=history, history_calls=[2, 2, 5], history_aht_s=[120, 240, np.nan],
                              starts=[MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=1, hours=5)])
    assert out.tolist() == [120.0, 180.0]


def test_history_without_answered_calls_asks_for_an_aht() -> None:
    """Without any handle time in the history the error says to give an AHT."""
    with pytest.raises(InvalidInput, match="give an AHT"):
        handle_time_profile(history_starts=[MONDAY], history_calls=[3], history_aht_s=[np.nan], starts=[MONDAY])
