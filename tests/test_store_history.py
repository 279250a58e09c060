"""Interval series from stored calls: local buckets, offered calls only, handle time of answered ones; the queues
of the history with their span."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import sqlalchemy as sa

from callops.records import Call, Direction, Outcome
from callops.store.history import QueueHistory, arrival_series, queue_histories
from callops.store.records import insert_calls

SH = dt.timezone(dt.timedelta(hours=8))


def _call(i: int, at: dt.datetime, outcome: Outcome, queue: str = "q1", talk: float = 100) -> Call:
    return Call(source="t", source_call_id=str(i), direction=Direction.INBOUND, outcome=outcome, queue=queue,
                queue_entered_at=at, answered_at=at if outcome is Outcome.ANSWERED else None,
                ended_at=at + dt.timedelta(minutes=3), talk_s=talk if outcome is Outcome.ANSWERED else 0)


def test_buckets_are_local_and_count_offered_calls(engine: sa.Engine) -> None:
    """Calls land in the Shanghai-local 30-minute interval; IVR endings and other queues are left out."""
    base = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)
    records = [
        _call(1, base + dt.timedelta(minutes=5), Outcome.ANSWERED, talk=100),
        _call(2, base + dt.timedelta(minutes=29), Outcome.ANSWERED, talk=200),
        _call(3, base + dt.timedelta(minutes=31), Outcome.ABANDONED),
        _call(4, base + dt.timedelta(minutes=40), Outcome.IVR_HANGUP),
        _call(5, base + dt.timedelta(minutes=41), Outcome.ANSWERED, queue="q2"),
    ]
    with engine.begin() as conn:
        insert_calls(conn, records)
        series = arrival_series(conn, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 2), tz="Asia/Shanghai",
                                grain_min=30, queue="q1")
    assert len(series.starts) == 48
    k = series.starts.index(dt.datetime(2026, 3, 2, 9, 0))
    assert series.calls[k] == 2 and series.calls[k + 1] == 1 and series.calls.sum() == 3
    assert series.aht_s[k] == 150 and math.isnan(series.aht_s[k + 1])


def test_queue_histories_list_real_inbound_queues_with_their_span(engine: sa.Engine) -> None:
    """Each queue of real inbound calls once, by name, with its calls and first and last start; outbound,
    simulated and queue-less calls are left out."""
    base = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)
    records = [
        _call(1, base, Outcome.ANSWERED, queue="q2"),
        _call(2, base + dt.timedelta(days=3), Outcome.ABANDONED, queue="q2"),
        _call(3, base + dt.timedelta(hours=1), Outcome.ANSWERED, queue="q1"),
        dataclasses.replace(_call(4, base - dt.timedelta(days=9), Outcome.ANSWERED, queue="q1"),
                            direction=Direction.OUTBOUND),
        dataclasses.replace(_call(5, base - dt.timedelta(days=9), Outcome.ANSWERED, queue="q1"), scenario="what-if"),
        dataclasses.replace(_call(6, base, Outcome.ANSWERED), queue=None),
    ]
    with engine.begin() as conn:
        assert queue_histories(conn) == []
        insert_calls(conn, records)
        found = queue_histories(conn)
    hour = dt.timedelta(hours=1)
    assert found == [QueueHistory("q1", 1, base + hour, base + hour),
                     QueueHistory("q2", 2, base, base + dt.timedelta(days=3))]
