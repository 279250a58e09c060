"""Roll-ups: buckets combined into periods per dimension, KPIs from sums, previous-period comparison."""

from __future__ import annotations

import datetime as dt

from callops.metrics import BucketMeasures, Grain, KpiOptions, report_rows

DAY = 86_400_000


def _day(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days * DAY


def _b(d: dt.date, queue: str, offered: int, answered: int, longest: float) -> BucketMeasures:
    return BucketMeasures(_day(d), (queue,), {"offered": offered, "answered": answered, "longest_wait_s": longest})


def test_weeks_combine_days_and_ratios_come_from_sums() -> None:
    """Two days of one ISO week give one row whose answer rate is total answered / total offered."""
    rows = report_rows([_b(dt.date(1999, 1, 4), "PS", 10, 9, 30.0), _b(dt.date(1999, 1, 5), "PS", 30, 15, 90.0),
                        _b(dt.date(1999, 1, 11), "PS", 5, 5, 1.0)],
                       grain=Grain.WEEK, dim_names=("queue",), kpi_keys=("offered", "answer_rate", "longest_wait_s"),
                       options=KpiOptions(), range_start=dt.date(1999, 1, 4))
    assert [r.as_dict() for r in rows] == [
        {"period": "1999-W01", "queue": "PS", "offered": 40, "answer_rate": 24 / 40, "longest_wait_s": 90.0},
        {"period": "1999-W02", "queue": "PS", "offered": 5, "answer_rate": 1.0, "longest_wait_s": 1.0}]


def test_previous_period_is_matched_by_dimensions() -> None:
    """With a previous range, each row carries prev_<kpi> of the period one step earlier, same queue."""
    current = [_b(dt.date(1999, 1, 5), "PS", 10, 8, 5.0), _b(dt.date(1999, 1, 5), "NW", 4, 4, 5.0)]
    previous = [_b(dt.date(1999, 1, 4), "PS", 20, 10, 5.0)]
    rows = report_rows(current, grain=Grain.DAY, dim_names=("queue",), kpi_keys=("offered", "answer_rate"),
                       options=KpiOptions(), range_start=dt.date(1999, 1, 5), previous=previous,
                       previous_range_start=dt.date(1999, 1, 4))
    by_queue = {dict(r.dims)["queue"]: r.as_dict() for r in rows}
    assert by_queue["PS"]["prev_offered"] == 20 and by_queue["PS"]["prev_answer_rate"] == 0.5
    assert by_queue["NW"]["prev_offered"] == 0 and by_queue["NW"]["prev_answer_rate"] is None
