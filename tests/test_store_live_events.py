"""The live event log and feed positions on SQLite and PostgreSQL: appended in order, read back equal, bounded."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from callops.live.events import LiveEvent, LiveEventKind
from callops.store.live_events import (
    FeedPosition,
    append_events,
    events_after,
    events_since,
    feed_position,
    last_event_id,
    latest_agent_states,
    list_feeds,
    save_feed_position,
)

T = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
K = LiveEventKind


def test_events_round_trip_in_order(engine: sa.Engine) -> None:
    events = [LiveEvent(K.CALL_OFFERED, T, "pbx", call_id="1@q", queue="q", caller="138"),
              LiveEvent(K.AGENT_STATE, T + dt.timedelta(seconds=1), "web", agent="a", state="away", reason="Lunch",
                        data={"by": "lead"}),
              LiveEvent(K.AGENT_STATE, T + dt.timedelta(seconds=2), "web", agent="a", state="ready")]
    with engine.begin() as conn:
        assert append_events(conn, []) == 0
        last = append_events(conn, events)
    with engine.connect() as conn:
        assert last == last_event_id(conn)
        got = events_after(conn, 0)
        assert [e for _i, e in got] == events and got[-1][0] == last
        assert [e for _i, e in events_after(conn, got[0][0], limit=1)] == events[1:2]
        assert [e for _i, e in events_since(conn, T + dt.timedelta(seconds=1))] == events[1:]
        assert latest_agent_states(conn, ["a", "nobody"]) == {"a": events[2]}


def test_rolled_back_events_are_not_in_the_log(engine: sa.Engine) -> None:
    try:
        with engine.begin() as conn:
            append_events(conn, [LiveEvent(K.CALL_OFFERED, T, "pbx", call_id="x", queue="q")])
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    with engine.connect() as conn:
        assert events_after(conn, 0) == []


def test_feed_position_insert_then_update(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        save_feed_position(conn, FeedPosition("f", "abc", offset=10, lines=1))
        save_feed_position(conn, FeedPosition("f", "abc", offset=99, lines=5, calls=2, skipped=1, last_problem="x"))
    with engine.connect() as conn:
        pos = feed_position(conn, "f")
        assert pos is not None and (pos.offset, pos.lines, pos.calls, pos.skipped, pos.last_problem) == (
            99, 5, 2, 1, "x")
        assert feed_position(conn, "other") is None and [p.feed for p in list_feeds(conn)] == ["f"]
