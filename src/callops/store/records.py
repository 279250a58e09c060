"""Reading and writing canonical calls and agent state intervals.

Writes are idempotent: a record whose natural key (``source`` + ``source_call_id`` for calls,
``source`` + agent + state + start for intervals) is already stored is counted as a duplicate
and left alone, so re-importing a file adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.errors import NotFound
from callops.metrics.zones import DAY_MS
from callops.records import AgentInterval, Call, Direction, IssueCategory, Outcome
from callops.store.contact_gaps import refresh_gaps
from callops.store.data_generation import raise_generation
from callops.store.kpi_aggregates import TouchedBuckets
from callops.store.kpi_aggregates import refresh as refresh_aggregates
from callops.store.schema import agent_intervals, calls
from callops.store.sql_terms import of_scenario
from callops.store.types import to_millis

__all__ = ["COUNT_CAP", "WriteCounts", "insert_calls", "insert_intervals", "FORM_ACW_SOURCE",
           "drop_overlapped_form_acw", "form_acw_overlapped", "CallFilter", "find_calls", "count_calls",
           "bounded_count", "get_call", "call_from_row", "of_scenario"]

COUNT_CAP = 1000

_BATCH = 20_000


@dataclass(frozen=True, slots=True)
class WriteCounts:
    inserted: int
    duplicates: int


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CALL_COLUMNS = ("source", "source_call_id", "scenario", "direction", "outcome", "queue", "call_type",
                 "caller_number", "priority", "started_at", "ivr_entered_at", "ivr_exited_at", "queue_entered_at",
                 "answered_at", "ended_at", "wait_s", "agent", "talk_s", "hold_s", "acw_s", "transfer_target",
                 "recording_ref", "issue_category", "issue_notes", "issue_resolved", "follow_up_due_at", "campaign",
                 "disposition", "csat", "import_id")
_INTERVAL_COLUMNS = ("source", "scenario", "agent", "state", "start_at", "end_at", "reason", "queue", "import_id")


def _ms(value: dt.datetime | None) -> int | None:
    """Epoch milliseconds, as ``to_millis`` (which refuses naive datetimes), inlined for the bulk path."""
    if value is None:
        return None
    if value.tzinfo is None:
        return to_millis(value)  # raises: the zone is unknown
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _call_row(call: Call, import_id: int | None, ms: Callable[[dt.datetime | None], int | None] = _ms,
              ) -> tuple[Any, ...]:
    """The row of ``call`` in the order of ``_CALL_COLUMNS`` (datetimes as epoch milliseconds)."""
    ivr_in, ivr_out = ms(call.ivr_entered_at), ms(call.ivr_exited_at)
    queued, answered, ended = ms(call.queue_entered_at), ms(call.answered_at), ms(call.ended_at)
    started = (ivr_in if ivr_in is not None else queued if queued is not None
               else answered if answered is not None else ended)  # as Call.started_at
    if started is None:
        raise ValueError(f"call {call.source_call_id} has no timestamp at all")
    return (
        call.source, call.source_call_id, call.scenario, call.direction.value, call.outcome.value, call.queue,
        call.call_type, call.caller_number, call.priority, started, ivr_in, ivr_out, queued, answered, ended,
        call.wait_s, call.agent, call.talk_s, call.hold_s, call.acw_s, call.transfer_target, call.recording_ref,
        call.issue_category.value if call.issue_category else None, call.issue_notes, call.issue_resolved,
        ms(call.follow_up_due_at), call.campaign, call.disposition, call.csat, import_id,
    )


def _raw(column: sa.Column[Any]) -> sa.ColumnElement[Any]:
    """The column as stored (epoch integers for datetimes), to compare with the keys of new rows."""
    kind = column.type
    return sa.type_coerce(column, kind.impl_instance) if isinstance(kind, sa.types.TypeDecorator) else column


def _existing(conn: sa.Connection, table: sa.Table, key_cols: Sequence[str], keys: list[tuple[Any, ...]],
              ) -> set[tuple[Any, ...]]:
    """Which of ``keys`` are stored already (looked up per source, in chunks).

    On PostgreSQL a chunk is one array parameter (``= ANY(%s)``), which the planner serves from the
    unique index; a long ``IN (...)`` list of separate parameters was measured at ~0.6 s a query.
    """
    found: set[tuple[Any, ...]] = set()
    by_prefix: dict[tuple[Any, ...], list[Any]] = {}
    for key in keys:
        by_prefix.setdefault(key[:-1], []).append(key[-1])
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{c}"' for c in key_cols)
        conds = " AND ".join(f'"{c}" = %s' for c in key_cols[:-1])
        sql = f'SELECT {names} FROM "{table.name}" WHERE {conds} AND "{key_cols[-1]}" = ANY(%s)'
        for prefix, lasts in by_prefix.items():
            for start in range(0, len(lasts), 10_000):
                rows = conn.exec_driver_sql(sql, (*prefix, lasts[start:start + 10_000]))
                found.update(tuple(r) for r in rows)
        return found
    if conn.dialect.name == "sqlite":  # plain SQL: compiling a 900-value IN list per chunk cost more than the query
        names = ", ".join(f'"{c}"' for c in key_cols)
        conds = "".join(f'"{c}" = ? AND ' for c in key_cols[:-1])
        for prefix, lasts in by_prefix.items():
            for start in range(0, len(lasts), 900):
                chunk = lasts[start:start + 900]
                sql = (f'SELECT {names} FROM "{table.name}" WHERE {conds}"{key_cols[-1]}" '
                       f'IN ({", ".join("?" * len(chunk))})')
                found.update(tuple(r) for r in conn.exec_driver_sql(sql, (*prefix, *chunk)))
        return found
    cols = [_raw(table.c[name]) for name in key_cols]
    for prefix, lasts in by_prefix.items():
        for start in range(0, len(lasts), 900):
            chunk = lasts[start:start + 900]
            cond = sa.and_(*(c == v for c, v in zip(cols[:-1], prefix, strict=True)), cols[-1].in_(chunk))
            found.update(tuple(r) for r in conn.execute(sa.select(*cols).where(cond)))
    return found


def _insert_sql(conn: sa.Connection, table: sa.Table, columns: Sequence[str]) -> str:
    """A plain INSERT in the driver's own parameter style, run with DBAPI executemany."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join(mark for _ in columns)})'


def _insert_new(conn: sa.Connection, table: sa.Table, columns: Sequence[str], key_cols: Sequence[str],
                rows: Iterable[tuple[Any, ...]]) -> WriteCounts:
    """Insert rows (tuples in the order of ``columns``) whose key is not stored yet.

    Rows go through the driver's executemany without SQLAlchemy's per-row parameter processing; the
    values are already in their stored form (epoch milliseconds, enum values).
    """
    inserted = duplicates = 0
    key_at = [columns.index(c) for c in key_cols]
    sql = _insert_sql(conn, table, columns)
    batch: list[tuple[Any, ...]] = []

    def flush() -> None:
        nonlocal inserted, duplicates
        unique: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        for row in batch:
            key = tuple(row[i] for i in key_at)
            if key in unique:
                duplicates += 1
            else:
                unique[key] = row
        stored = _existing(conn, table, key_cols, list(unique))
        fresh = [row for key, row in unique.items() if key not in stored] if stored else list(unique.values())
        duplicates += len(unique) - len(fresh)
        if fresh:
            conn.exec_driver_sql(sql, fresh)
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
    """Insert calls not stored yet; duplicates (same source and id) are counted, not written. The KPI
    pre-aggregates of the buckets the calls fall in and the callers' gaps to their next contact
    (:mod:`callops.store.contact_gaps`) are brought up to date in the same transaction."""
    touched = TouchedBuckets()
    callers: list[tuple[str | None, str | None, int]] = []
    at = _CALL_COLUMNS.index("scenario"), _CALL_COLUMNS.index("started_at"), _CALL_COLUMNS.index("caller_number")

    def rows() -> Iterator[tuple[Any, ...]]:
        for c in records:
            row = _call_row(c, import_id)
            touched.add(row[at[0]], row[at[1]])
            if row[at[2]] is not None:
                callers.append((row[at[0]], row[at[2]], row[at[1]]))
            yield row

    counts = _insert_new(conn, calls, _CALL_COLUMNS, ("source", "source_call_id"), rows())
    if counts.inserted:
        refresh_aggregates(conn, touched)
        refresh_gaps(conn, callers)
    return counts


FORM_ACW_SOURCE = "callops-desk"  # after-call work measured by the desk's contact form (services.desk_callbacks)
_OVERLAP_LOOKBACK_MS = 86_400_000  # another source's interval is looked for from a day before the desk's


def insert_intervals(conn: sa.Connection, records: Iterable[AgentInterval], *,
                     import_id: int | None = None) -> WriteCounts:
    """Insert intervals not stored yet (same source, agent, state and start: a duplicate). Intervals of a real
    source other than the desk's form take the place of the form's after-call work they overlap
    (:func:`drop_overlapped_form_acw`), in the same transaction."""
    agents: set[str] = set()
    span = [0, 0]
    days: set[int] = set()

    def rows() -> Iterator[tuple[Any, ...]]:
        for r in records:
            start_ms = _ms(r.start_at)
            row = (r.source, r.scenario, r.agent, r.state.value, start_ms, _ms(r.end_at), r.reason, r.queue, import_id)
            if start_ms is not None:
                days.add(start_ms // DAY_MS)  # an interval counts in its start's bucket
            if r.scenario is None and r.source != FORM_ACW_SOURCE:
                start, end = to_millis(r.start_at), to_millis(r.end_at)
                span[:] = [min(span[0], start), max(span[1], end)] if agents else [start, end]
                agents.add(r.agent)
            yield row

    counts = _insert_new(conn, agent_intervals, _INTERVAL_COLUMNS, ("source", "agent", "state", "start_at"), rows())
    if counts.inserted:
        raise_generation(conn, days)
        if agents:
            drop_overlapped_form_acw(conn, agents, span[0], span[1])
    return counts


def _other_source_overlaps(d: Any) -> sa.ColumnElement[bool]:
    """An interval of another real source overlaps the interval ``d`` (one that started at most a day before it)."""
    o = agent_intervals.alias("o")
    o_start, o_end = sa.type_coerce(o.c.start_at, sa.BigInteger), sa.type_coerce(o.c.end_at, sa.BigInteger)
    d_start, d_end = sa.type_coerce(d.start_at, sa.BigInteger), sa.type_coerce(d.end_at, sa.BigInteger)
    return sa.exists().where(o.c.agent == d.agent, o.c.source != FORM_ACW_SOURCE, o.c.scenario.is_(None),
                             o_start < d_end, o_end > d_start,
                             o_start > d_start - sa.literal_column(str(_OVERLAP_LOOKBACK_MS)))


def drop_overlapped_form_acw(conn: sa.Connection, agents: Iterable[str], start_ms: int, end_ms: int) -> int:
    """Delete the desk form's after-call work intervals (``FORM_ACW_SOURCE``) of ``agents`` around
    ``[start_ms, end_ms]`` that an interval of another source overlaps: the phone system's (or the agent's own
    state buttons') record of those seconds stands, so no second counts twice. How many were deleted."""
    a = agent_intervals.c
    start, end = sa.type_coerce(a.start_at, sa.BigInteger), sa.type_coerce(a.end_at, sa.BigInteger)
    names = sorted(agents)
    deleted = 0
    days: set[int] | None = set()  # the deleted intervals' start days (None: not told, every day)
    for at in range(0, len(names), 900):
        delete = agent_intervals.delete().where(
            a.source == FORM_ACW_SOURCE, a.scenario.is_(None), a.agent.in_(names[at:at + 900]),
            start < end_ms, end > start_ms - _OVERLAP_LOOKBACK_MS, _other_source_overlaps(a))
        if conn.dialect.delete_returning and days is not None:
            starts = [int(r[0]) for r in conn.execute(delete.returning(start))]
            deleted += len(starts)
            days.update(s // DAY_MS for s in starts)
        else:
            deleted += conn.execute(delete).rowcount
            days = None
    if deleted:
        raise_generation(conn, days)
    return deleted


def form_acw_overlapped(conn: sa.Connection, agent: str, start_at: dt.datetime, end_at: dt.datetime) -> bool:
    """Whether an interval of another real source overlaps ``agent``'s ``[start_at, end_at]``."""
    o = agent_intervals.c
    return conn.execute(sa.select(sa.literal(1)).select_from(agent_intervals).where(
        o.agent == agent, o.source != FORM_ACW_SOURCE, o.scenario.is_(None), o.start_at < end_at,
        o.end_at > start_at, o.start_at > start_at - dt.timedelta(milliseconds=_OVERLAP_LOOKBACK_MS)).limit(1)
    ).first() is not None


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
    agents: frozenset[str] | None = None  # None: any agent; a set: only these agents' calls (a team lead's scope)
    # the calls a KPI counts (a report's drill-down): inbound calls with one of these outcomes, and with
    # ``missed_sl_s`` only those not answered within that many seconds (service level's misses)
    kpi_outcomes: frozenset[Outcome] | None = None
    missed_sl_s: float | None = None

    def where(self) -> sa.ColumnElement[bool]:
        c = calls.c
        conds: list[sa.ColumnElement[bool]] = [
            of_scenario(c.scenario, self.scenario)]
        if self.start_at is not None:
            conds.append(c.started_at >= self.start_at)
        if self.end_at is not None:
            conds.append(c.started_at < self.end_at)
        if self.queue:
            conds.append(c.queue == self.queue)
        if self.agent:
            conds.append(c.agent == self.agent)
        if self.agents is not None:
            conds.append(c.agent.in_(sorted(self.agents)) if self.agents else sa.false())
        if self.outcome:
            conds.append(c.outcome == self.outcome.value)
        if self.call_type:
            conds.append(c.call_type == self.call_type)
        if self.kpi_outcomes is not None:
            conds.append(c.direction == Direction.INBOUND.value)
            conds.append(c.outcome.in_(sorted(o.value for o in self.kpi_outcomes)))
        if self.missed_sl_s is not None:
            answered = [o.value for o in Outcome if o.answered]
            conds.append(sa.or_(c.outcome.not_in(answered), c.wait_s.is_(None), c.wait_s > self.missed_sl_s))
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
               cursor: tuple[dt.datetime, int] | None = None, newer: bool = False) -> list[tuple[int, Call]]:
    """Up to ``limit`` calls past ``cursor`` (the (started_at, id) of the last call seen): older ones newest
    first, or with ``newer`` the newer ones oldest first.

    Keyset paging stays fast on millions of rows where OFFSET would scan them all. The condition is
    written ``started_at <= at AND (started_at < at OR id < row_id)`` rather than a bare OR so that SQLite
    and PostgreSQL seek the ``started_at`` index to the cursor instead of scanning from one end of it.
    """
    c = calls.c
    query = sa.select(calls).where(flt.where())
    if cursor is not None:
        at, row_id = cursor
        if newer:
            query = query.where(c.started_at >= at, sa.or_(c.started_at > at, c.id > row_id))
        else:
            query = query.where(c.started_at <= at, sa.or_(c.started_at < at, c.id < row_id))
    order = (c.started_at.asc(), c.id.asc()) if newer else (c.started_at.desc(), c.id.desc())
    return [(int(r.id), call_from_row(r)) for r in conn.execute(query.order_by(*order).limit(limit))]


def count_calls(conn: sa.Connection, flt: CallFilter) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(calls).where(flt.where())).scalar_one())


def bounded_count(conn: sa.Connection, flt: CallFilter, *, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many calls match, counting at most ``cap`` (no COUNT(*) over a whole table); the flag says there are more."""
    inner = sa.select(calls.c.id).where(flt.where()).limit(cap + 1).subquery()
    found = int(conn.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())
    return min(found, cap), found > cap


def get_call(conn: sa.Connection, call_id: int) -> Call:
    """The stored call with this row id."""
    row = conn.execute(sa.select(calls).where(calls.c.id == call_id)).first()
    if row is None:
        raise NotFound(f"no call with id {call_id}")
    return call_from_row(row)


