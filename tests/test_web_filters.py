"""Query parameters become a CallFilter in the viewer's zone; bad ones are InvalidInput naming the field."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callops.errors import InvalidInput
from callops.records import Outcome
from callops.web.filters import CallQuery, format_cursor, parse_cursor, parse_moment

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_day_range_covers_whole_local_days() -> None:
    """from/to days start and end at the zone's midnight, the 'to' day included."""
    flt = CallQuery(date_from="2026-01-06", date_to="2026-01-06", outcome="abandoned").to_filter(SHANGHAI)
    assert flt.start_at == dt.datetime(2026, 1, 5, 16, 0, tzinfo=dt.UTC)
    assert flt.end_at == dt.datetime(2026, 1, 6, 16, 0, tzinfo=dt.UTC)
    assert flt.outcome is Outcome.ABANDONED


def test_iso_datetimes_are_accepted() -> None:
    """A naive ISO datetime is read in the zone; one with an offset keeps it."""
    assert parse_moment("2026-01-06T08:00", SHANGHAI, field="from", end=False) == dt.datetime(2026, 1, 6, 0, 0,
                                                                                          tzinfo=dt.UTC)
    assert parse_moment("2026-01-06T08:00+00:00", SHANGHAI, field="from", end=False).hour == 8


@pytest.mark.parametrize(("query", "field"), [
    (CallQuery(date_from="2026-02-30"), "from"), (CallQuery(date_to="soon"), "to"),
    (CallQuery(outcome="great"), "outcome"), (CallQuery(date_from="2026-01-07", date_to="2026-01-06"), "to")])
def test_bad_values_name_their_field(query: CallQuery, field: str) -> None:
    """Each bad value raises InvalidInput whose field is the query parameter's name."""
    with pytest.raises(InvalidInput) as caught:
        query.to_filter(SHANGHAI)
    assert caught.value.field == field


def test_params_keep_only_set_filters() -> None:
    """params() gives the non-empty filters under their URL names."""
    assert CallQuery(date_from="2026-01-01", queue="PS").params() == {"from": "2026-01-01", "queue": "PS"}


@given(st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2100, 1, 1)),
       st.integers(min_value=1, max_value=2**62))
def test_cursor_round_trip(at: dt.datetime, row_id: int) -> None:
    """A cursor formatted from (started_at, id) parses back to the same key (millisecond precision)."""
    moment = at.replace(tzinfo=dt.UTC, microsecond=at.microsecond // 1000 * 1000)
    assert parse_cursor(format_cursor(moment, row_id)) == (moment, row_id)


@pytest.mark.parametrize("bad", ["", "abc", "12", "12.", ".5", "1.2.3", "x.1"])
def test_malformed_cursors_are_refused(bad: str) -> None:
    """Anything but '<ms>.<id>' is InvalidInput on the cursor field."""
    with pytest.raises(InvalidInput) as caught:
        parse_cursor(bad)
    assert caught.value.field == "cursor"
