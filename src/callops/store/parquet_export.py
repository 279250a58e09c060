"""Export of calls, agent state intervals and agents to Parquet, for DuckDB (or any engine) to read.

Datetimes stay BIGINT epoch milliseconds UTC, as in the store, so the KPI SQL runs unchanged on the
files. Rows are streamed in batches; each file is written beside its final name and renamed when
complete, so a failed export leaves no half-written file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from callops.metrics import local_range_ms
from callops.store.schema import agent_intervals, agents, calls
from callops.store.types import EpochMillis

__all__ = ["ExportResult", "export_parquet", "arrow_schema"]

_BATCH = 100_000


@dataclass(frozen=True, slots=True)
class ExportResult:
    folder: Path
    rows: dict[str, int]


def _arrow_type(column: sa.Column[Any]) -> pa.DataType:
    kind = column.type
    if isinstance(kind, EpochMillis | sa.BigInteger | sa.Integer | sa.SmallInteger):
        return pa.int64()
    if isinstance(kind, sa.Float):
        return pa.float64()
    if isinstance(kind, sa.Boolean):
        return pa.bool_()
    return pa.string()


def arrow_schema(table: sa.Table) -> pa.Schema:
    """The Parquet schema of a store table: datetimes as int64 epoch milliseconds UTC."""
    return pa.schema([(col.name, _arrow_type(col)) for col in table.columns])


def _select(table: sa.Table) -> list[Any]:
    return [sa.type_coerce(col, sa.BigInteger).label(col.name) if isinstance(col.type, EpochMillis) else col
            for col in table.columns]


def _write(conn: sa.Connection, table: sa.Table, query: sa.Select[Any], path: Path) -> int:
    schema = arrow_schema(table)
    tmp = path.with_name(path.name + ".part")
    count = 0
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        result = conn.execution_options(stream_results=True, yield_per=_BATCH).execute(query)
        for chunk in result.partitions(_BATCH):
            columns = list(zip(*chunk, strict=True))
            arrays = [pa.array(list(values), type=field.type) for values, field in zip(columns, schema, strict=True)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            count += len(chunk)
    tmp.replace(path)
    return count


def export_parquet(engine: sa.Engine, folder: Path, *, start: dt.date | None = None, end: dt.date | None = None,
                   tz: str = "UTC") -> ExportResult:
    """Write calls.parquet, agent_intervals.parquet and agents.parquet into ``folder``; ``start``/``end`` are
    inclusive local dates in ``tz`` limiting calls (by start) and intervals (by start)."""
    folder.mkdir(parents=True, exist_ok=True)
    call_query = sa.select(*_select(calls)).order_by(calls.c.started_at, calls.c.id)
    state_query = sa.select(*_select(agent_intervals)).order_by(agent_intervals.c.start_at, agent_intervals.c.id)
    if start is not None or end is not None:
        lo_ms, hi_ms = local_range_ms(start or dt.date(1970, 1, 1), end or dt.date(9998, 12, 31), tz)
        started = sa.type_coerce(calls.c.started_at, sa.BigInteger)
        begun = sa.type_coerce(agent_intervals.c.start_at, sa.BigInteger)
        call_query = call_query.where(started >= lo_ms, started < hi_ms)
        state_query = state_query.where(begun >= lo_ms, begun < hi_ms)
    rows: dict[str, int] = {}
    with engine.connect() as conn:
        rows["calls"] = _write(conn, calls, call_query, folder / "calls.parquet")
        rows["agent_intervals"] = _write(conn, agent_intervals, state_query, folder / "agent_intervals.parquet")
        rows["agents"] = _write(conn, agents, sa.select(*_select(agents)), folder / "agents.parquet")
    return ExportResult(folder, rows)
