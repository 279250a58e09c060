"""Calls per local day and the newest day with calls: days in the zone (DST included), every call of the filter,
real calls or one scenario's."""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import zoneinfo

import pytest
import sqlalchemy as sa

from callops.records import Call, Direction, Outcome
from callops.store.call_volume import calls_per_day, last_day_with_calls
from callops.store.records import CallFilter, insert_calls

UTC = dt.UTC
_n = itertools.count()


def _call(at: dt.datetime, *, outcome: Outcome = Outcome.ANSWERED, direction: Direction = Direction.INBOUND,
          agent: str | None = "a1", scenario: str | None = None) -> Call:
    """A call started at ``at`` (queued, or dialled when outbound)."""
    times = ({"answered_at": at} if direction is Direction.OUTBOUND else {"queue_entered_at": at})
    return Call(source="t", source_call_id=str(next(_n)), direction=direction, outcome=outcome, queue="sales",
                agent=agent, ended_at=at + dt.timedelta(minutes=3), scenario=scenario,
                **times)  # type: ignore[arg-type]


# New York leaves standard time on 2026-03-08 at 02:00 local (07:00 UTC): that local day has 23 hours.
AROUND_DST = [
    _call(dt.datetime(2026, 3, 3, 12, 0, tzinfo=UTC)),  # before the five-day window in both zones
    _call(dt.datetime(2026, 3, 8, 4, 50, tzinfo=UTC)),  # 03-07 23:50 in New York, 03-08 12:50 in Shanghai
    _call(dt.datetime(2026, 3, 8, 5, 10, tzinfo=UTC), outcome=Outcome.IVR_HANGUP, agent=None),  # 03-08 00:10 EST
    _call(dt.datetime(2026, 3, 9, 3, 59, tzinfo=UTC), direction=Direction.OUTBOUND),  # 03-08 23:59 EDT
    _call(dt.datetime(2026, 3, 9, 4, 0, tzinfo=UTC), outcome=Outcome.ABANDONED),  # 03-09 00:00 EDT
    _call(dt.datetime(2026, 3, 9, 15, 59, tzinfo=UTC)),  # 03-09 in New York, 03-09 23:59 in Shanghai
]


@pytest.mark.parametrize("tz", ["America/New_York", "Asia/Shanghai"])
def test_days_follow_the_zone_midnight(engine: sa.Engine, tz: str) -> None:
    """Each call counts on its day in ``tz`` (the DST day included), whatever its direction or outcome; the
    window ends on the newest call's day, runs ``days`` days and shows days without calls as 0."""
    zone = zoneinfo.ZoneInfo(tz)
    with engine.begin() as conn:
        insert_calls(conn, AROUND_DST)
        daily = calls_per_day(conn, CallFilter(), tz=tz, days=5)
        last = last_day_with_calls(conn, CallFilter(), tz=tz)
    local_days = [c.started_at.astimezone(zone).date() for c in AROUND_DST if c.started_at is not None]
    assert last == max(local_days)
    want = collections.Counter(local_days)
    assert daily == [(last - dt.timedelta(days=k), want[last - dt.timedelta(days=k)]) for k in range(4, -1, -1)]
    assert sum(n for _, n in daily) == len(AROUND_DST) - 1  # only the 03-03 call lies outside the window
    if tz == "America/New_York":
        assert dict(daily)[dt.date(2026, 3, 8)] == 2 and dict(daily)[dt.date(2026, 3, 7)] == 1


def test_filter_and_scenario_choose_the_calls(engine: sa.Engine) -> None:
    """Without a scenario only real calls count (a scenario's later calls move neither the last day nor the
    counts); with one, only its calls; the agent filter narrows both; no matching call gives None and []."""
    real = [_call(dt.datetime(2026, 1, 5, 9, tzinfo=UTC), agent="a1"),
            _call(dt.datetime(2026, 1, 6, 9, tzinfo=UTC), agent="a2"),
            _call(dt.datetime(2026, 1, 6, 10, tzinfo=UTC), agent="a1")]
    simulated = [_call(dt.datetime(2026, 2, 1, 9, tzinfo=UTC), scenario="run-1") for _ in range(4)]
    with engine.begin() as conn:
        insert_calls(conn, [*real, *simulated])
        assert last_day_with_calls(conn, CallFilter(), tz="UTC") == dt.date(2026, 1, 6)
        assert calls_per_day(conn, CallFilter(), tz="UTC", days=2) == [(dt.date(2026, 1, 5), 1),
                                                                       (dt.date(2026, 1, 6), 2)]
        assert calls_per_day(conn, CallFilter(agent="a2"), tz="UTC", days=2) == [(dt.date(2026, 1, 5), 0),
                                                                                 (dt.date(2026, 1, 6), 1)]
        assert last_day_with_calls(conn, CallFilter(scenario="run-1"), tz="UTC") == dt.date(2026, 2, 1)
        assert calls_per_day(conn, CallFilter(scenario="run-1"), tz="UTC", days=1) == [(dt.date(2026, 2, 1), 4)]
        assert last_day_with_calls(conn, CallFilter(agent="nobody"), tz="UTC") is None
        assert calls_per_day(conn, CallFilter(scenario="other"), tz="UTC") == []
