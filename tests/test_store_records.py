"""Storing canonical records: round trip, duplicates, keyset paging, real-vs-simulated separation."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.records import AgentInterval, AgentState, Call, Direction, IssueCategory, Outcome
from callops.store.records import CallFilter, count_calls, find_calls, insert_calls, insert_intervals

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def _call(i: int, **kw: object) -> Call:
    base: dict[str, object] = dict(
        source="test", source_call_id=str(i), direction=Direction.INBOUND, outcome=Outcome.ANSWERED,
        queue="sales" if i % 2 else "service", queue_entered_at=T0 + dt.timedelta(minutes=i),
        answered_at=T0 + dt.timedelta(minutes=i, seconds=15), ended_at=T0 + dt.timedelta(minutes=i + 3),
        agent="a1", talk_s=150.5, hold_s=10.0, acw_s=20.0)
    base.update(kw)
    return Call(**base)  # type: ignore[arg-type]


def test_round_trip_keeps_every_field(engine: sa.Engine) -> None:
    """A call with every field set comes back equal, times in UTC to the millisecond."""
    call = _call(1, caller_number="13800138000", priority=2, call_type="billing", transfer_target="2nd-line",
                 recording_ref="rec/1.wav", issue_category=IssueCategory.REPAIR_ORDER, issue_notes="报修",
                 issue_resolved=False, follow_up_due_at=T0 + dt.timedelta(days=1, microseconds=123000),
                 campaign="spring", disposition="converted", csat=5, ivr_entered_at=T0, ivr_exited_at=T0)
    with engine.begin() as conn:
        assert insert_calls(conn, [call]).inserted == 1
        [(_, back)] = find_calls(conn, CallFilter())
    assert back == call


def test_duplicates_are_counted_not_written(engine: sa.Engine) -> None:
    """Inserting the same (source, id) again, or twice in one batch, stores it once."""
    with engine.begin() as conn:
        first = insert_calls(conn, [_call(1), _call(2), _call(2)])
        second = insert_calls(conn, [_call(1), _call(3)])
        assert (first.inserted, first.duplicates) == (2, 1)
        assert (second.inserted, second.duplicates) == (1, 1)
        assert count_calls(conn, CallFilter()) == 3


def test_keyset_paging_visits_every_call_once(engine: sa.Engine) -> None:
    """Walking pages by the (started_at, id) cursor yields every call once, newest first."""
    with engine.begin() as conn:
        insert_calls(conn, [_call(i) for i in range(25)])
        seen: list[str] = []
        cursor = None
        while True:
            page = find_calls(conn, CallFilter(), limit=7, cursor=cursor)
            if not page:
                break
            seen.extend(c.source_call_id for _, c in page)
            last_id, last = page[-1]
            assert last.started_at is not None
            cursor = (last.started_at, last_id)
    assert seen == [str(i) for i in reversed(range(25))]


def test_filters_and_scenarios(engine: sa.Engine) -> None:
    """Filters narrow by queue, agent, outcome and time; simulated calls stay out of real queries."""
    with engine.begin() as conn:
        insert_calls(conn, [_call(i) for i in range(10)])
        insert_calls(conn, [_call(i, source="sim", scenario="what-if") for i in range(4)])
        assert count_calls(conn, CallFilter(queue="sales")) == 5
        assert count_calls(conn, CallFilter(agent="nobody")) == 0
        assert count_calls(conn, CallFilter(outcome=Outcome.ABANDONED)) == 0
        assert count_calls(conn, CallFilter(start_at=T0 + dt.timedelta(minutes=5))) == 5
        assert count_calls(conn, CallFilter(end_at=T0 + dt.timedelta(minutes=5))) == 5
        assert count_calls(conn, CallFilter(scenario="what-if")) == 4


def test_intervals_are_idempotent(engine: sa.Engine) -> None:
    """The same agent state interval imported twice is stored once."""
    interval = AgentInterval(source="test", agent="a1", state=AgentState.AWAY, start_at=T0,
                             end_at=T0 + dt.timedelta(minutes=5), reason="lunch")
    with engine.begin() as conn:
        assert insert_intervals(conn, [interval]).inserted == 1
        assert insert_intervals(conn, [interval]).duplicates == 1


def test_records_hold_aware_utc_only() -> None:
    """Every datetime of a Call or AgentInterval is stored in UTC; a naive one is refused naming its field."""
    local = dt.datetime(2026, 3, 2, 8, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    call = Call("t", "1", Direction.INBOUND, Outcome.ANSWERED, queue_entered_at=local, answered_at=local,
                follow_up_due_at=local)
    assert call.answered_at == local and call.answered_at is not None and call.answered_at.tzinfo is dt.UTC
    assert call.follow_up_due_at is not None and call.follow_up_due_at.hour == 0
    with pytest.raises(InvalidInput) as caught:
        Call("t", "2", Direction.INBOUND, Outcome.ANSWERED, ended_at=dt.datetime(2026, 3, 2, 8))
    assert caught.value.field == "ended_at"
    interval = AgentInterval("t", "a1", AgentState.READY, local, local + dt.timedelta(minutes=5))
    assert interval.start_at.tzinfo is dt.UTC and interval.duration_s == 300
    with pytest.raises(InvalidInput) as caught:
        AgentInterval("t", "a1", AgentState.READY, local, dt.datetime(2026, 3, 2, 9))
    assert caught.value.field == "end_at"
