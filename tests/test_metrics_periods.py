"""Local report periods as UTC ranges, split into whole UTC days and edges, and where the split is exact."""

from __future__ import annotations

import datetime as dt

import pytest

from callops.metrics import Grain, local_range_ms
from callops.metrics.periods import LocalPeriod, PeriodSplit, bounds_fit, local_periods, split_periods
from callops.metrics.zones import DAY_MS

HOUR_MS, QUARTER_MS = 3_600_000, 900_000


def _utc(year: int, month: int, day: int, hour: int = 0) -> int:
    return int(dt.datetime(year, month, day, hour, tzinfo=dt.UTC).timestamp() * 1000)


def test_months_in_shanghai_start_at_16_utc_and_leave_one_edge_day_per_bound() -> None:
    periods = local_periods(dt.date(2025, 1, 15), dt.date(2025, 3, 31), Grain.MONTH, "Asia/Shanghai")
    assert [(p.lo_ms, p.hi_ms) for p in periods] == [
        (_utc(2025, 1, 14, 16), _utc(2025, 1, 31, 16)), (_utc(2025, 1, 31, 16), _utc(2025, 2, 28, 16)),
        (_utc(2025, 2, 28, 16), _utc(2025, 3, 31, 16))]
    assert [p.key_local_ms for p in periods] == [(dt.date(2025, m, d) - dt.date(1970, 1, 1)).days * DAY_MS
                                                 for m, d in ((1, 15), (2, 1), (3, 1))]  # the first day in range
    assert periods[-1].end_local_ms == (dt.date(2025, 4, 1) - dt.date(1970, 1, 1)).days * DAY_MS
    split = split_periods(periods)
    assert split.whole_days == ((_utc(2025, 1, 15), _utc(2025, 1, 31)), (_utc(2025, 2, 1), _utc(2025, 2, 28)),
                                (_utc(2025, 3, 1), _utc(2025, 3, 31)))
    assert split.edges == ((_utc(2025, 1, 14, 16), _utc(2025, 1, 15)), (_utc(2025, 1, 31), _utc(2025, 2, 1)),
                           (_utc(2025, 2, 28), _utc(2025, 3, 1)), (_utc(2025, 3, 31), _utc(2025, 3, 31, 16)))
    covered = sorted(split.whole_days + split.edges)  # together: the range, once
    assert all(a[1] == b[0] for a, b in zip(covered, covered[1:], strict=False))
    assert (covered[0][0], covered[-1][1]) == local_range_ms(dt.date(2025, 1, 15), dt.date(2025, 3, 31),
                                                             "Asia/Shanghai")


def test_a_week_of_one_day_and_a_total_of_one_day_are_all_edge() -> None:
    weeks = local_periods(dt.date(2026, 3, 1), dt.date(2026, 3, 9), Grain.WEEK, "Asia/Kathmandu")  # a Sunday
    assert len(weeks) == 3 and weeks[0].hi_ms - weeks[0].lo_ms == DAY_MS
    one = split_periods(weeks[:1])
    assert one.whole_days == () and one.edges == ((weeks[0].lo_ms, weeks[0].hi_ms),)
    total = local_periods(dt.date(2026, 3, 1), dt.date(2026, 3, 1), Grain.TOTAL, "America/St_Johns")
    assert split_periods(total).whole_days == ()
    utc = local_periods(dt.date(2026, 3, 1), dt.date(2026, 3, 1), Grain.TOTAL, "UTC")
    assert split_periods(utc) == PeriodSplit(((_utc(2026, 3, 1), _utc(2026, 3, 2)),), ())
    with pytest.raises(ValueError, match="shorter than a day"):
        local_periods(dt.date(2026, 3, 1), dt.date(2026, 3, 1), Grain.HOUR, "UTC")


@pytest.mark.parametrize(("tz", "hour", "quarter"), [
    ("Asia/Shanghai", True, True), ("America/New_York", True, True), ("Europe/Berlin", True, True),
    ("Asia/Kathmandu", False, True), ("America/St_Johns", False, True), ("Australia/Lord_Howe", False, True)])
def test_bounds_fit_the_buckets_their_midnights_fall_on(tz: str, hour: bool, quarter: bool) -> None:
    """A year by week or month, DST changes included: whole-hour zones' midnights fall on hours, +5:45's,
    -3:30's and Lord Howe's (+10:30 in winter) on quarter hours; none falls on a UTC day in these zones."""
    for grain in (Grain.WEEK, Grain.MONTH):
        periods = local_periods(dt.date(2025, 1, 1), dt.date(2025, 12, 31), grain, tz)
        assert bounds_fit(periods, tz, HOUR_MS) == hour
        assert bounds_fit(periods, tz, QUARTER_MS) == quarter
        assert not bounds_fit(periods, tz, DAY_MS)


def test_bounds_off_the_quarter_hour_or_before_1970_do_not_fit() -> None:
    """Liberia's -0:44:30 (until 1972) is on no quarter hour; a range before 1970 is refused outright."""
    periods = local_periods(dt.date(1971, 3, 1), dt.date(1971, 4, 30), Grain.MONTH, "Africa/Monrovia")
    assert not bounds_fit(periods, "Africa/Monrovia", QUARTER_MS)
    assert bounds_fit(periods, "Africa/Monrovia", 1_000)  # on whole seconds they do
    before = local_periods(dt.date(1969, 3, 1), dt.date(1969, 4, 30), Grain.MONTH, "UTC")
    assert not bounds_fit(before, "UTC", QUARTER_MS)
    assert not bounds_fit((), "UTC", QUARTER_MS)


def test_a_bound_that_is_not_its_local_midnight_does_not_fit() -> None:
    """A period whose UTC start is an hour after its local midnight: calls in that hour would have its date but
    lie before it (what a clock turned back across midnight does)."""
    day = local_periods(dt.date(2025, 6, 2), dt.date(2025, 6, 8), Grain.WEEK, "UTC")[0]
    shifted = LocalPeriod(day.key_local_ms, day.end_local_ms, day.lo_ms + HOUR_MS, day.hi_ms)
    assert bounds_fit((day,), "UTC", HOUR_MS) and not bounds_fit((shifted,), "UTC", HOUR_MS)
