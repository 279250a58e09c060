"""Zone offsets over a range: found at DST transitions to the second, and local day bounds."""

from __future__ import annotations

import datetime as dt

import pytest

from callops.errors import InvalidInput
from callops.metrics import OffsetSegment, local_range_ms, offset_segments

H = 3_600_000


def _ms(value: dt.datetime) -> int:
    return int(value.timestamp() * 1000)


def test_new_york_spring_forward() -> None:
    """America/New_York moves from UTC-5 to UTC-4 at 2026-03-08 07:00 UTC."""
    lo, hi = local_range_ms(dt.date(2026, 3, 7), dt.date(2026, 3, 9), "America/New_York")
    assert offset_segments("America/New_York", lo, hi) == (
        OffsetSegment(lo, -5 * H), OffsetSegment(_ms(dt.datetime(2026, 3, 8, 7, tzinfo=dt.UTC)), -4 * H))


def test_jerusalem_autumn_and_spring_in_one_range() -> None:
    """A range over Asia/Jerusalem's autumn 2025 and spring 2026 transitions has three segments."""
    lo, hi = local_range_ms(dt.date(2025, 10, 1), dt.date(2026, 4, 30), "Asia/Jerusalem")
    offsets = [s.offset_ms for s in offset_segments("Asia/Jerusalem", lo, hi)]
    assert offsets == [3 * H, 2 * H, 3 * H]


def test_local_range_is_inclusive_local_days() -> None:
    """1999-01-01..1999-01-31 in Jerusalem (UTC+2) spans 22:00 UTC Dec 31 to 22:00 UTC Jan 31."""
    lo, hi = local_range_ms(dt.date(1999, 1, 1), dt.date(1999, 1, 31), "Asia/Jerusalem")
    assert lo == _ms(dt.datetime(1998, 12, 31, 22, tzinfo=dt.UTC))
    assert hi == _ms(dt.datetime(1999, 1, 31, 22, tzinfo=dt.UTC))


def test_bad_zone_and_reversed_range_are_input_errors() -> None:
    """An unknown zone or an end before the start names the field."""
    with pytest.raises(InvalidInput, match="tz"):
        offset_segments("Mars/Olympus", 0, 1)
    with pytest.raises(InvalidInput, match="to"):
        local_range_ms(dt.date(1999, 2, 1), dt.date(1999, 1, 1), "UTC")
