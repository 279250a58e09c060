"""Writing a whole import's records with the write lock held as briefly as possible.

``prepare_*`` turn records into stored rows with no database at hand; ``drop_stored`` removes the rows
whose key is stored already (a read: on SQLite in WAL mode it waits for no writer);
``insert_prepared`` writes what is left with the driver's executemany, the import id written inline.
The import pipeline reads and drops before it takes the write lock, and drops again under the lock
only when another connection committed in between (``changed_since``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.records import AgentInterval, Call
from callops.store.kpi_aggregates import TouchedBuckets
from callops.store.kpi_aggregates import refresh as refresh_aggregates
from callops.store.records import _CALL_COLUMNS, _INTERVAL_COLUMNS, _call_row, _existing, _ms
from callops.store.schema import agent_intervals, calls

__all__ = ["Prepared", "prepare_calls", "prepare_intervals", "drop_stored", "insert_prepared", "write_marker",
           "changed_since"]

_BATCH = 50_000


@dataclass(slots=True)
class Prepared:
    """Rows of one table in stored form (without the import id), by their natural key."""

    table: sa.Table
    columns: tuple[str, ...]  # the row's columns; import_id follows
    key_cols: tuple[str, ...]
    rows: dict[tuple[Any, ...], tuple[Any, ...]]


def prepare_calls(records: Iterable[Call]) -> Prepared:
    columns = _CALL_COLUMNS[:-1]
    at = columns.index("source"), columns.index("source_call_id")
    rows: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for call in records:
        row = _call_row(call, None)[:-1]
        rows.setdefault((row[at[0]], row[at[1]]), row)
    return Prepared(calls, columns, ("source", "source_call_id"), rows)


def prepare_intervals(records: Iterable[AgentInterval]) -> Prepared:
    rows: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for r in records:
        start = _ms(r.start_at)
        row = (r.source, r.scenario, r.agent, r.state.value, start, _ms(r.end_at), r.reason, r.queue)
        rows.setdefault((r.source, r.agent, r.state.value, start), row)
    return Prepared(agent_intervals, _INTERVAL_COLUMNS[:-1], ("source", "agent", "state", "start_at"), rows)


def drop_stored(conn: sa.Connection, prepared: Prepared) -> int:
    """Remove the rows whose key is stored already; how many were removed."""
    if not prepared.rows:
        return 0
    stored = _existing(conn, prepared.table, prepared.key_cols, list(prepared.rows))
    for key in stored:
        prepared.rows.pop(key, None)
    return len(stored)


def insert_prepared(conn: sa.Connection, prepared: Prepared, import_id: int) -> int:
    """Insert every prepared row tagged with ``import_id``; how many were inserted."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(f'"{c}"' for c in (*prepared.columns, "import_id"))
    values = ", ".join([mark] * len(prepared.columns) + [str(int(import_id))])
    sql = f'INSERT INTO "{prepared.table.name}" ({names}) VALUES ({values})'
    rows = list(prepared.rows.values())
    for start in range(0, len(rows), _BATCH):
        conn.exec_driver_sql(sql, rows[start:start + _BATCH])
    if prepared.table is calls and rows:
        touched = TouchedBuckets()
        touched.add_rows(rows, prepared.columns.index("scenario"), prepared.columns.index("started_at"))
        refresh_aggregates(conn, touched)  # the KPI pre-aggregates, in the same transaction
    return len(rows)


def write_marker(conn: sa.Connection) -> int | None:
    """A number that changes when another connection commits (SQLite ``data_version``); None elsewhere."""
    if conn.dialect.name != "sqlite":
        return None
    return int(conn.exec_driver_sql("PRAGMA data_version").scalar_one())


def changed_since(conn: sa.Connection, marker: int | None) -> bool:
    """Whether another connection may have written since ``marker`` (always true where it is unknown)."""
    return marker is None or write_marker(conn) != marker
