"""Reading and writing canonical calls and agent state intervals.

Writes are idempotent: a record whose natural key (``source`` + ``source_call_id`` for calls,
``source`` + agent + state + start for intervals) is already stored is counted as a duplicate
and left alone, so re-importing a file adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.records import AgentInterval, Call, Direction, IssueCategory, Outcome
from callops.store.schema import agent_intervals, calls
from callops.store.types import to_millis

__all__ = ["WriteCounts", "insert_calls", "insert_intervals", "CallFilter", "find_calls", "count_calls",
           "call_from_row"]

_BATCH = 20_000


@dataclass(frozen=True, slots=True)
class WriteCounts:
    inserted: int
    duplicates: int


def _ms(value: dt.datetime | None) -> int | None:
    return None if value is None else to_millis(value)


def _call_row(call: Call, import_id: int | None) -> dict[str, Any]:
    started = call.started_at
    if started is None:
        raise ValueError(f"call {call.source_call_id} has no timestamp at all")
    return {
        "source": call.source, "source_call_id": call.source_call_id, "scenario": call.scenario,
        "direction": call.direction.value, "outcome": call.outcome.value, "queue": call.queue,
        "call_type": call.call_type, "caller_number": call.caller_number, "priority": call.priority,
        "started_at": to_millis(started), "ivr_entered_at": _ms(call.ivr_entered_at),
        "ivr_exited_at": _ms(call.ivr_exited_at), "queue_entered_at": _ms(call.queue_entered_at),
        "answered_at": _ms(call.answered_at), "ended_at": _ms(call.ended_at), "wait_s": call.wait_s,
        "agent": call.agent, "talk_s": call.talk_s, "hold_s": call.hold_s, "acw_s": call.acw_s,
        "transfer_target": call.transfer_target, "recording_ref": call.recording_ref,
        "issue_category": call.issue_category.value if call.issue_category else None,
        "issue_notes": call.issue_notes, "issue_resolved": call.issue_resolved,
        "follow_up_due_at": _ms(call.follow_up_due_at), "campaign": call.campaign,
        "disposition": call.disposition, "csat": call.csat, "import_id": import_id,
    }


def _raw(column: sa.Column[Any]) -> sa.ColumnElement[Any]:
    """The column as stored (epoch integers for datetimes), to compare with the keys of new rows."""
    kind = column.type
    return sa.type_coerce(column, kind.impl_instance) if isinstance(kind, sa.types.TypeDecorator) else column


def _existing(conn: sa.Connection, table: sa.Table, key_cols: Sequence[str], keys: list[tuple[Any, ...]],
              ) -> set[tuple[Any, ...]]:
    """Which of ``keys`` are stored already (looked up per source, in chunks)."""
    found: set[tuple[Any, ...]] = set()
    by_prefix: dict[tuple[Any, ...], list[Any]] = {}
    for key in keys:
        by_prefix.setdefault(key[:-1], []).append(key[-1])
    cols = [_raw(table.c[name]) for name in key_cols]
    for prefix, lasts in by_prefix.items():
        for start in range(0, len(lasts), 900):
            chunk = lasts[start:start + 900]
            cond = sa.and_(*(c == v for c, v in zip(cols[:-1], prefix, strict=True)), cols[-1].in_(chunk))
            found.update(tuple(r) for r in conn.execute(sa.select(*cols).where(cond)))
    return found


def _insert_new(conn: sa.Connection, table: sa.Table, key_cols: Sequence[str],
                rows: Iterable[dict[str, Any]]) -> WriteCounts:
    inserted = duplicates = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal inserted, duplicates
        unique: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in batch:
            key = tuple(row[c] for c in key_cols)
            if key in unique:
                duplicates += 1
            else:
                unique[key] = row
        stored = _existing(conn, table, key_cols, list(unique))
        fresh = [row for key, row in unique.items() if key not in stored]
        duplicates += len(unique) - len(fresh)
        if fresh:
            conn.execute(table.insert(), fresh)
        inserted += len(fresh)
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            flush()
    if batch:
        flush()
    return WriteCounts(inserted=inserted, duplicates=duplicates)


def insert_calls(conn: sa.Connection, records: Iterable[Call], *, import_id: int | None = None) -> WriteCounts:
    """Insert calls not stored yet; duplicates (same source and id) are counted, not written."""
    return _insert_new(conn, calls, ("source", "source_call_id"), (_call_row(c, import_id) for c in records))


def insert_intervals(conn: sa.Connection, records: Iterable[AgentInterval], *,
                     import_id: int | None = None) -> WriteCounts:
    rows = ({
        "source": r.source, "scenario": r.scenario, "agent": r.agent, "state": r.state.value,
        "start_at": to_millis(r.start_at), "end_at": to_millis(r.end_at), "reason": r.reason,
        "queue": r.queue, "import_id": import_id,
    } for r in records)
    return _insert_new(conn, agent_intervals, ("source", "agent", "state", "start_at"), rows)


@dataclass(frozen=True, slots=True)
class CallFilter:
    """Filters of the Calls page and API. Dates are UTC datetimes (the edge converts zones)."""

    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None  # exclusive
    queue: str | None = None
    agent: str | None = None
    outcome: Outcome | None = None
    call_type: str | None = None
    scenario: str | None = None  # None: real calls only

    def where(self) -> sa.ColumnElement[bool]:
        c = calls.c
        conds: list[sa.ColumnElement[bool]] = [
            c.scenario.is_(None) if self.scenario is None else c.scenario == self.scenario]
        if self.start_at is not None:
            conds.append(c.started_at >= self.start_at)
        if self.end_at is not None:
            conds.append(c.started_at < self.end_at)
        if self.queue:
            conds.append(c.queue == self.queue)
        if self.agent:
            conds.append(c.agent == self.agent)
        if self.outcome:
            conds.append(c.outcome == self.outcome.value)
        if self.call_type:
            conds.append(c.call_type == self.call_type)
        return sa.and_(*conds)


def call_from_row(row: sa.Row[Any]) -> Call:
    m = row._mapping
    return Call(
        source=m["source"], source_call_id=m["source_call_id"], direction=Direction(m["direction"]),
        outcome=Outcome(m["outcome"]), queue=m["queue"], call_type=m["call_type"],
        caller_number=m["caller_number"], priority=m["priority"], ivr_entered_at=m["ivr_entered_at"],
        ivr_exited_at=m["ivr_exited_at"], queue_entered_at=m["queue_entered_at"],
        answered_at=m["answered_at"], ended_at=m["ended_at"], agent=m["agent"], talk_s=m["talk_s"],
        hold_s=m["hold_s"], acw_s=m["acw_s"], transfer_target=m["transfer_target"],
        recording_ref=m["recording_ref"],
        issue_category=IssueCategory(m["issue_category"]) if m["issue_category"] else None,
        issue_notes=m["issue_notes"], issue_resolved=m["issue_resolved"],
        follow_up_due_at=m["follow_up_due_at"], campaign=m["campaign"], disposition=m["disposition"],
        csat=m["csat"], scenario=m["scenario"],
    )


def find_calls(conn: sa.Connection, flt: CallFilter, *, limit: int = 50,
               before: tuple[dt.datetime, int] | None = None) -> list[tuple[int, Call]]:
    """A page of calls, newest first, with keyset paging: pass the last (started_at, id) seen.

    Keyset paging stays fast on millions of rows where OFFSET would scan them all.
    """
    c = calls.c
    query = sa.select(calls).where(flt.where())
    if before is not None:
        at, row_id = before
        query = query.where(sa.or_(c.started_at < at, sa.and_(c.started_at == at, c.id < row_id)))
    query = query.order_by(c.started_at.desc(), c.id.desc()).limit(limit)
    return [(r.id, call_from_row(r)) for r in conn.execute(query)]


def count_calls(conn: sa.Connection, flt: CallFilter) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(calls).where(flt.where())).scalar_one())


