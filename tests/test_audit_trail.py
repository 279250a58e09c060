"""The audit log's date filter: local days become UTC instants, across a DST change, each side optional."""

from __future__ import annotations

import datetime as dt

from callops.services.audit_trail import audit_window

UTC = dt.UTC


def test_one_local_day_is_its_utc_span() -> None:
    # Berlin is UTC+1 on 2 March: the day runs from 23:00 UTC the evening before, to 23:00 UTC (exclusive)
    assert audit_window(dt.date(2026, 3, 2), dt.date(2026, 3, 2), "Europe/Berlin") == (
        dt.datetime(2026, 3, 1, 23, tzinfo=UTC), dt.datetime(2026, 3, 2, 23, tzinfo=UTC))


def test_the_end_of_a_day_that_changes_to_summer_time() -> None:
    # 29 March 2026 ends at midnight CEST (UTC+2): 22:00 UTC; the open start stays open
    assert audit_window(None, dt.date(2026, 3, 29), "Europe/Berlin") == (None, dt.datetime(2026, 3, 29, 22, tzinfo=UTC))


def test_open_sides_stay_open() -> None:
    assert audit_window(None, None, "Asia/Tokyo") == (None, None)
    since, until = audit_window(dt.date(2026, 1, 1), None, "Asia/Tokyo")
    assert since == dt.datetime(2025, 12, 31, 15, tzinfo=UTC) and until is None
