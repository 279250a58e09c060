"""Series input: grains, naive/aware timestamps, aggregation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callops.errors import InvalidInput
from callops.forecast import aggregate, history_from_datetimes, parse_grain, to_datetimes


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("5m", 5), ("15min", 15), ("30", 30), ("1h", 60), ("60m", 60), ("day", 1440), ("1d", 1440)],
)
def test_parse_grain_accepts_the_five_grains(text: str, minutes: int) -> None:
    """Each supported spelling of a grain gives its length in minutes."""
    assert parse_grain(text) == minutes


def test_parse_grain_names_the_field_on_a_bad_grain() -> None:
    """An unsupported grain is refused with the field named."""
    with pytest.raises(InvalidInput, match="field grain"):
        parse_grain("7m")


def test_naive_timestamps_stay_naive() -> None:
    """Naive timestamps keep their wall-clock value and no zone."""
    starts = [dt.datetime(2024, 1, 1, 9, 0), dt.datetime(2024, 1, 1, 9, 5)]
    history = history_from_datetimes(starts, [1, 2])
    assert history.tz is None
    assert to_datetimes(history.starts, history.tz) == starts


def test_aware_timestamps_round_trip_in_their_offset() -> None:
    """Aware timestamps with one offset come back equal and in the same offset."""
    zone = dt.timezone(dt.timedelta(hours=8))
    starts = [dt.datetime(2024, 1, 1, 9, 0, tzinfo=zone), dt.datetime(2024, 1, 1, 9, 5, tzinfo=zone)]
    history = history_from_datetimes(starts, [1, 2])
    back = to_datetimes(history.starts, history.tz)
    assert back == starts
    assert all(b.utcoffset() == dt.timedelta(hours=8) for b in back)


def test_aware_timestamps_in_another_offset_become_local_wall_time() -> None:
    """A UTC timestamp read with tz Asia/Shanghai is placed at its Shanghai wall-clock time."""
    starts = [dt.datetime(2024, 1, 1, 1, 0, tzinfo=dt.UTC)]
    history = history_from_datetimes(starts, [3], tz="Asia/Shanghai")
    assert history.starts[0] == np.datetime64("2024-01-01T09:00")


def test_mixed_offsets_without_a_zone_are_refused() -> None:
    """Offsets that change (daylight saving time) need a named zone."""
    starts = [
        dt.datetime(2024, 3, 30, 12, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        dt.datetime(2024, 3, 31, 12, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    ]
    with pytest.raises(InvalidInput, match="--tz"):
        history_from_datetimes(starts, [1, 1])


def test_duplicate_intervals_are_refused() -> None:
    """The same interval twice is an error naming the interval."""
    start = dt.datetime(2024, 1, 1, 9)
    with pytest.raises(InvalidInput, match="appears twice"):
        history_from_datetimes([start, start], [1, 2])


def test_aggregate_sums_into_coarser_intervals() -> None:
    """Three 5-minute rows inside one quarter hour sum into it."""
    starts = [dt.datetime(2024, 1, 1, 9, m) for m in (0, 5, 10, 15)]
    out = aggregate(history_from_datetimes(starts, [1, 2, 3, 4]), 15)
    assert out.starts.tolist() == [dt.datetime(2024, 1, 1, 9, 0), dt.datetime(2024, 1, 1, 9, 15)]
    assert out.calls.tolist() == [6.0, 4.0]


def test_aggregate_refuses_a_grain_finer_than_the_data() -> None:
    """Half-hourly data cannot be forecast at 5 minutes."""
    starts = [dt.datetime(2024, 1, 1, 9, 0), dt.datetime(2024, 1, 1, 9, 30)]
    with pytest.raises(InvalidInput, match="30-minute"):
        aggregate(history_from_datetimes(starts, [1, 2]), 5)


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=200))
def test_aggregation_keeps_the_total(counts: list[int]) -> None:
    """Aggregating to any coarser grain never changes the total number of calls."""
    starts = [dt.datetime(2024, 1, 1) + dt.timedelta(minutes=5 * k) for k in range(len(counts))]
    history = history_from_datetimes(starts, counts)
    for grain in (5, 15, 30, 60, 1440):
        assert aggregate(history, grain).calls.sum() == pytest.approx(sum(counts))
