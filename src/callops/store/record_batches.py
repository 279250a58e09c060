"""Writing a whole import's records with the write lock held as briefly as possible.

``row_of_*`` and ``*_rows`` make stored rows (columns ``CALL_FIELDS`` / ``INTERVAL_FIELDS``) from records
or from columns; ``prepare_*`` key them and sort them by time, with no database at hand; ``drop_stored``
removes the rows whose key is stored already (a read: on SQLite in WAL mode it waits for no writer);
``prepare_aggregates`` aggregates the call rows for the KPI pre-aggregates column-wise (no database);
``insert_prepared`` writes what is left (executemany in batches; ``COPY`` on PostgreSQL), the import id
written inline, and merges the aggregates into the pre-aggregate tables (:mod:`callops.store.kpi_increments`);
agent intervals take the place of the desk form's after-call work they overlap (``drop_overlapped_form_acw``).
The import pipeline reads and drops before it takes the write lock, and drops again under the lock
only when another connection committed in between (``changed_since``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np
import sqlalchemy as sa

from callops.metrics.zones import DAY_MS
from callops.records import AgentInterval, Call
from callops.store.contact_gaps import gaps_of_new
from callops.store.data_generation import raise_generation
from callops.store.kpi_increments import Increment, apply_increment, increment_of
from callops.store.records import (
    _CALL_COLUMNS,
    _INTERVAL_COLUMNS,
    FORM_ACW_SOURCE,
    _call_row,
    _existing,
    _ms,
    drop_overlapped_form_acw,
)
from callops.store.schema import agent_intervals, calls

__all__ = ["Prepared", "CALL_FIELDS", "INTERVAL_FIELDS", "call_key", "interval_key", "row_of_call", "row_of_interval",
           "call_rows", "interval_rows", "call_span", "interval_span", "prepare_calls", "prepare_intervals",
           "drop_stored", "prepare_aggregates", "insert_prepared", "write_marker", "changed_since"]

_BATCH = 50_000
CALL_FIELDS: tuple[str, ...] = _CALL_COLUMNS[:-1]  # a stored call row, in this order (the import id follows)
INTERVAL_FIELDS: tuple[str, ...] = _INTERVAL_COLUMNS[:-1]
_CALL_DEFAULTS = {"priority": 0, "talk_s": 0.0, "hold_s": 0.0, "acw_s": 0.0}
call_key = itemgetter(0, 1)  # source, source_call_id
interval_key = itemgetter(0, 2, 3, 4)  # source, agent, state, start_at
_STARTED, _ENDED, _ANSWERED = (CALL_FIELDS.index(n) for n in ("started_at", "ended_at", "answered_at"))
_START, _END = INTERVAL_FIELDS.index("start_at"), INTERVAL_FIELDS.index("end_at")


@dataclass(slots=True)
class Prepared:
    """Rows of one table in stored form (without the import id), by their natural key."""

    table: sa.Table
    columns: tuple[str, ...]  # the row's columns; import_id follows
    key_cols: tuple[str, ...]
    rows: dict[tuple[Any, ...], tuple[Any, ...]]
    aggregates: Increment | None = None  # calls only: what the rows add to the KPI pre-aggregates


def row_of_call(call: Call) -> tuple[Any, ...]:
    """The stored row of ``call`` (columns ``CALL_FIELDS``; datetimes as epoch milliseconds)."""
    return _call_row(call, None)[:-1]


def row_of_interval(r: AgentInterval) -> tuple[Any, ...]:
    return (r.source, r.scenario, r.agent, r.state.value, _ms(r.start_at), _ms(r.end_at), r.reason, r.queue)


def _zipped(names: Sequence[str], columns: Mapping[str, Sequence[Any]], count: int,
            defaults: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    unknown = set(columns) - set(names)
    if unknown:
        raise ValueError(f"not stored columns: {', '.join(sorted(unknown))}")
    return list(zip(*(columns[n] if n in columns else itertools.repeat(defaults.get(n), count) for n in names),
                    strict=False))


def call_rows(columns: Mapping[str, Sequence[Any]], count: int) -> list[tuple[Any, ...]]:
    """Stored call rows from columns named as ``CALL_FIELDS`` (values in stored form: epoch milliseconds,
    enum values); a column not given is its default (None, 0 or 0.0) in every row."""
    return _zipped(CALL_FIELDS, columns, count, _CALL_DEFAULTS)


def interval_rows(columns: Mapping[str, Sequence[Any]], count: int) -> list[tuple[Any, ...]]:
    return _zipped(INTERVAL_FIELDS, columns, count, {})


def call_span(row: tuple[Any, ...]) -> tuple[int, int]:
    """(first, last) moment of a stored call row in epoch milliseconds: started, and ended (else answered)."""
    end = row[_ENDED] if row[_ENDED] is not None else row[_ANSWERED] if row[_ANSWERED] is not None else row[_STARTED]
    return row[_STARTED], end


def interval_span(row: tuple[Any, ...]) -> tuple[int, int]:
    return row[_START], row[_END]


def prepare_calls(rows: Iterable[tuple[Any, ...]] | Mapping[tuple[Any, ...], tuple[Any, ...]]) -> Prepared:
    """Stored call rows by key (the first of a repeated key kept; a mapping is taken as already keyed by
    ``call_key``), in the order of their start: the inserts then append to the time indexes instead of
    splitting pages all over them."""
    return Prepared(calls, CALL_FIELDS, ("source", "source_call_id"), _by_key(rows, call_key, _STARTED))


def prepare_intervals(rows: Iterable[tuple[Any, ...]] | Mapping[tuple[Any, ...], tuple[Any, ...]]) -> Prepared:
    """As ``prepare_calls``, keyed by ``interval_key``."""
    return Prepared(agent_intervals, INTERVAL_FIELDS, ("source", "agent", "state", "start_at"),
                    _by_key(rows, interval_key, _START))


def _by_key(rows: Iterable[tuple[Any, ...]] | Mapping[tuple[Any, ...], tuple[Any, ...]], key: Any,
            start: int) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    if isinstance(rows, Mapping):
        by_key = rows
    else:
        by_key = {}
        for row in rows:
            by_key.setdefault(key(row), row)
    keys, values = list(by_key), list(by_key.values())
    # a stable sort by start (ties keep their order, as ``sorted`` keeps them), the order found by numpy
    order = np.argsort(np.fromiter(map(itemgetter(start), values), dtype=np.int64, count=len(values)), kind="stable")
    return dict(zip(map(keys.__getitem__, order.tolist()), map(values.__getitem__, order.tolist()), strict=True))


def drop_stored(conn: sa.Connection, prepared: Prepared) -> int:
    """Remove the rows whose key is stored already; how many were removed."""
    if not prepared.rows:
        return 0
    stored = _existing(conn, prepared.table, prepared.key_cols, list(prepared.rows))
    for key in stored:
        prepared.rows.pop(key, None)
    if stored and prepared.aggregates is not None:
        prepared.aggregates.close()  # made for rows that are no longer to be inserted
        prepared.aggregates = None
    return len(stored)


def prepare_aggregates(prepared: Prepared) -> None:
    """Aggregate the prepared call rows for the KPI pre-aggregates (column-wise, no database): done before
    the write lock, so that the transaction only merges them. Nothing for other tables."""
    if prepared.table is calls and prepared.aggregates is None:
        prepared.aggregates = increment_of(list(prepared.rows.values()), prepared.columns)


def insert_prepared(conn: sa.Connection, prepared: Prepared, import_id: int, *,
                    on_batch: Callable[[int], None] | None = None) -> int:
    """Insert every prepared row tagged with ``import_id``; how many were inserted. ``on_batch`` is told
    the size of each batch once it is in. PostgreSQL takes the rows through ``COPY``; others through the
    driver's executemany, in batches of ``_BATCH`` rows. Calls go in with their gap to the caller's next contact,
    and the stored calls' gaps are mended for them (:mod:`callops.store.contact_gaps`)."""
    columns: tuple[str, ...] = (*prepared.columns, "import_id")
    rows = list(prepared.rows.values())
    if prepared.table is agent_intervals and rows:
        start = prepared.columns.index("start_at")  # an interval counts in its start's bucket
        raise_generation(conn, {int(row[start]) // DAY_MS for row in rows})
    written = rows
    if prepared.table is calls and rows:
        scenario, caller, direction, started = (prepared.columns.index(n) for n in
                                                ("scenario", "caller_number", "direction", "started_at"))
        gaps = gaps_of_new(conn, [(r[scenario], r[caller], r[direction], r[started]) for r in rows])
        columns = (*prepared.columns, "next_contact_gap_ms", "import_id")
        written = [(*row, gap) for row, gap in zip(rows, gaps, strict=True)]
    names = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql":
        _copy(conn, f'COPY "{prepared.table.name}" ({names}) FROM STDIN', written, import_id, on_batch)
    else:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        values = ", ".join([mark] * (len(columns) - 1) + [str(int(import_id))])
        sql = f'INSERT INTO "{prepared.table.name}" ({names}) VALUES ({values})'
        for start in range(0, len(written), _BATCH):
            chunk = written[start:start + _BATCH]
            conn.exec_driver_sql(sql, chunk)
            if on_batch is not None:
                on_batch(len(chunk))
    if prepared.table is agent_intervals and rows:
        _yield_form_acw(conn, rows)
    if prepared.table is calls and rows:
        if prepared.aggregates is None:
            prepared.aggregates = increment_of(rows, prepared.columns)
        try:
            apply_increment(conn, prepared.aggregates)  # the KPI pre-aggregates, in the same transaction
        finally:
            prepared.aggregates.close()
            prepared.aggregates = None
    return len(rows)


_SOURCE, _SCENARIO, _AGENT = (INTERVAL_FIELDS.index(n) for n in ("source", "scenario", "agent"))


def _yield_form_acw(conn: sa.Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """The desk form's after-call work gives way to the real intervals just written that overlap it."""
    real = [r for r in rows if r[_SCENARIO] is None and r[_SOURCE] != FORM_ACW_SOURCE]
    if real:
        drop_overlapped_form_acw(conn, set(map(itemgetter(_AGENT), real)), min(map(itemgetter(_START), real)),
                                 max(map(itemgetter(_END), real)))


def _copy(conn: sa.Connection, statement: str, rows: list[tuple[Any, ...]], import_id: int,
          on_batch: Callable[[int], None] | None) -> None:
    """Rows through psycopg's ``COPY ... FROM STDIN`` on the transaction's own connection; a unique-key
    clash is the same ``IntegrityError`` an INSERT raises through SQLAlchemy."""
    import psycopg  # the PostgreSQL driver; imported only where it is used

    driver: Any = conn.connection.driver_connection
    try:
        with driver.cursor() as cursor:
            for start in range(0, len(rows), _BATCH):
                chunk = rows[start:start + _BATCH]
                with cursor.copy(statement) as copy:
                    for row in chunk:
                        copy.write_row((*row, import_id))
                if on_batch is not None:
                    on_batch(len(chunk))
    except psycopg.IntegrityError as exc:
        raise sa.exc.IntegrityError(statement, None, exc) from exc


def write_marker(conn: sa.Connection) -> int | None:
    """A number that changes when another connection commits (SQLite ``data_version``); None elsewhere."""
    if conn.dialect.name != "sqlite":
        return None
    return int(conn.exec_driver_sql("PRAGMA data_version").scalar_one())


def changed_since(conn: sa.Connection, marker: int | None) -> bool:
    """Whether another connection may have written since ``marker`` (always true where it is unknown)."""
    return marker is None or write_marker(conn) != marker
