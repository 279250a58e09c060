"""A day of two queues with their own service-level thresholds and targets, for the report-target tests.

On 2026-03-02 (UTC), ``sales`` (T 20 s, target 80 %) and ``support`` (T 60 s, target 70 %) each offer five calls:

    sales    answered after 5, 10, 15, 30 s; abandoned after 40 s     within 20 s: 3/5 = 60 %  (red)
    support  answered after 10, 45, 50, 55 s; abandoned after 70 s   within 60 s: 4/5 = 80 %  (green)
                                                                     (at 20 s it would be 1/5 = 20 %)

plus, in ``sales``, one call that ended in the IVR and one outbound call: neither is offered. Both queues
together, each at its own threshold: (3 + 4) / 10 = 70 %; at 20 s for both: 4 / 10 = 40 %.
"""

from __future__ import annotations

import datetime as dt
from itertools import count

import sqlalchemy as sa

from callops.records import Call, Direction, Outcome
from callops.store.directory import save_queue
from callops.store.records import insert_calls

__all__ = ["DAY", "load_two_queues"]

DAY = dt.date(2026, 3, 2)
_T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
_ids = count(1)


def _call(
    queue: str, outcome: Outcome, wait_s: float | None, minute: int, *, direction: Direction = Direction.INBOUND
) -> Call:
    at = _T0 + dt.timedelta(minutes=minute)
    ivr_at = queued_at = answered_at = None
    if direction is Direction.OUTBOUND:
        answered_at, ended_at = at, at + dt.timedelta(seconds=60)
    elif wait_s is None:  # ended in the IVR
        ivr_at, ended_at = at, at + dt.timedelta(seconds=30)
    elif outcome.answered:
        queued_at, answered_at = at, at + dt.timedelta(seconds=wait_s)
        ended_at = answered_at + dt.timedelta(seconds=120)
    else:
        queued_at, ended_at = at, at + dt.timedelta(seconds=wait_s)
    return Call(
        source="t",
        source_call_id=str(next(_ids)),
        direction=direction,
        outcome=outcome,
        queue=queue,
        agent="a1" if outcome.answered else None,
        talk_s=100.0 if outcome.answered else 0.0,
        ivr_entered_at=ivr_at,
        queue_entered_at=queued_at,
        answered_at=answered_at,
        ended_at=ended_at,
    )


def load_two_queues(conn: sa.Connection) -> None:
    save_queue(conn, "sales", sl_threshold_s=20, sl_target_pct=80, abandon_target_pct=25)
    save_queue(conn, "support", sl_threshold_s=60, sl_target_pct=70, abandon_target_pct=10)
    calls = [_call("sales", Outcome.ANSWERED, w, i) for i, w in enumerate((5, 10, 15, 30))]
    calls += [
        _call("sales", Outcome.ABANDONED, 40, 5),
        _call("sales", Outcome.IVR_SELF_SERVICE, None, 6),
        _call("sales", Outcome.ANSWERED, None, 7, direction=Direction.OUTBOUND),
    ]
    calls += [_call("support", Outcome.ANSWERED, w, 10 + i) for i, w in enumerate((10, 45, 50, 55))]
    calls += [_call("support", Outcome.ABANDONED, 70, 15)]
    insert_calls(conn, calls)
