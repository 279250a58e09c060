"""KPI pre-aggregates kept up by adding what an import inserts, instead of re-reading the touched buckets.

An import knows every call row it will insert before it writes. :func:`increment_of` aggregates those rows
column-wise (DuckDB over an Arrow table of just the columns the measures read), with the very measure and
bin expressions :mod:`callops.store.kpi_aggregates` gives ``calls`` (compiled as PostgreSQL SQL, which DuckDB
speaks), into the rows each pre-aggregate table would hold for them alone. That needs no database and can
run before the write lock is taken.

:func:`apply_increment` then merges the increment into the tables in the writing transaction: the stored
rows of the touched (scenario, bucket) pairs (15-minute buckets, or the hours holding them) are read, added
to the increment (counts and whole-microsecond sums add, maxima take the larger, histogram counts add),
deleted and written back with the new ones. Stored measures are integers or maxima, so the result equals a
rebuild from ``calls`` exactly, whatever the order of imports. A bucket nothing stored yet costs one empty read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from callops.arrow_arrays import array_of
from callops.metrics import KpiOptions
from callops.metrics.preaggregates import BINNED, BUCKET_MS, PRESETS, STORED
from callops.metrics.zones import DAY_MS
from callops.store.data_generation import raise_generation
from callops.store.kpi_aggregates import _bin_sql, _dim_names
from callops.store.schema import KPI_LEVELS, calls, kpi_bucket_ms
from callops.store.sql_terms import aggregate_sql, bucket_sql, predicate_sql
from callops.store.types import EpochMillis

__all__ = ["Increment", "increment_of", "apply_increment"]

_OPTIONS = KpiOptions()  # stored measures read no option
_COLUMNS = (*STORED, *PRESETS)
_MAX = frozenset(m.name for m in _COLUMNS if m.agg == "max")
_AS_PG = postgresql.dialect(paramstyle="named")  # type: ignore[no-untyped-call]  # untyped in SQLAlchemy
_IN_CHUNK = 400  # buckets per read of the stored rows
_INSERT_BATCH = 20_000


@dataclass(frozen=True, slots=True)
class _Part:
    table: sa.Table
    columns: tuple[str, ...]  # keys first (bucket_at, scenario, dims..., [kind, bin]), then values
    n_keys: int
    relation: str  # the DuckDB table holding this part's rows
    bucket_ms: int  # the width of the table's buckets


class Increment:
    """What a set of new call rows adds to every pre-aggregate table, held column-wise in an in-memory DuckDB
    database until :func:`apply_increment` streams it out (or :meth:`close` drops it), and the touched buckets."""

    def __init__(self, con: Any = None) -> None:
        self._con = con
        self.parts: list[_Part] = []
        self.touched: dict[str | None, list[int]] = {}  # scenario -> sorted bucket starts

    @property
    def empty(self) -> bool:
        return not self.touched

    def batches(self, part: _Part, size: int) -> Iterator[list[tuple[Any, ...]]]:
        """The part's rows as tuples, ``size`` at a time: the part is fetched as numpy columns (a null is masked;
        only the text keys are Python objects), made rows a slice at a time (``tolist``: int, float, str or None,
        what ``fetchall`` gives, in a few C loops instead of one call per row)."""
        if self._con is None:
            return
        columns = list(self._con.execute(f"SELECT * FROM {part.relation}").fetchnumpy().values())
        count = len(columns[0]) if columns else 0
        for start in range(0, count, size):
            yield list(zip(*(c[start : start + size].tolist() for c in columns), strict=True))

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def _sql(statement: sa.Select[Any]) -> str:
    return str(statement.compile(dialect=_AS_PG, compile_kwargs={"literal_binds": True}))


def _q(name: str) -> str:
    return f'"{name}"'


def _statements() -> list[tuple[sa.Table, tuple[str, ...], int, str]]:
    """(table, columns, number of key columns, DuckDB SQL) for every table, finest level first: the finest
    aggregates a relation named ``calls`` (into DuckDB tables ``part_0``, ``part_1``); each coarser level adds up
    those, over its own bucket width (counts and sums add, maxima take the larger: what ``kpi_aggregates`` does
    in the database)."""
    c = calls.c
    started = sa.type_coerce(c.started_at, sa.BigInteger)
    (fine, fine_bins), coarser = KPI_LEVELS[-1], KPI_LEVELS[:-1]
    groups = [bucket_sql(started, BUCKET_MS).label("bucket_at"), c.scenario, *(c[d] for d in _dim_names(fine))]
    keys = tuple(g.name for g in groups)
    measures = [
        aggregate_sql(m, c, _OPTIONS)
        if m.agg == "max"  # 64-bit sums: DuckDB's are 128-bit
        else sa.cast(aggregate_sql(m, c, _OPTIONS), sa.BigInteger).label(m.name)
        for m in _COLUMNS
    ]
    out = [
        (fine, (*keys, *(m.name for m in _COLUMNS)), len(keys), _sql(sa.select(*groups, *measures).group_by(*groups)))
    ]
    parts = []
    for b in BINNED:
        edge = _bin_sql(c[b.column], b).label("bin")
        parts.append(
            sa.select(*groups, sa.literal(b.kind, sa.SmallInteger).label("kind"), edge, sa.func.count().label("n"))
            .where(predicate_sql(b.base, c, _OPTIONS))
            .group_by(*groups, edge)
        )
    out.append((fine_bins, (*keys, "kind", "bin", "n"), len(keys) + 2, _sql(sa.union_all(*parts))))  # type: ignore[arg-type]
    for buckets, bins in coarser:
        keys = ("bucket_at", "scenario", *_dim_names(buckets))
        width = kpi_bucket_ms(buckets)
        at = _q("bucket_at") if width == BUCKET_MS else f'("bucket_at" - "bucket_at" % {width})'
        by = ", ".join([at, *(_q(k) for k in keys[1:])])
        picked = ", ".join([f'{at} AS "bucket_at"', *(_q(k) for k in keys[1:])])
        sums = ", ".join(
            f"max({_q(m.name)}) AS {_q(m.name)}"
            if m.agg == "max"
            else f"CAST(sum({_q(m.name)}) AS BIGINT) AS {_q(m.name)}"
            for m in _COLUMNS
        )
        out.append(
            (buckets, (*keys, *(m.name for m in _COLUMNS)), len(keys),
             f"SELECT {picked}, {sums} FROM part_0 GROUP BY {by}")
        )
        out.append(
            (
                bins,
                (*keys, "kind", "bin", "n"),
                len(keys) + 2,
                f'SELECT {picked}, "kind", "bin", CAST(sum("n") AS BIGINT) AS "n" FROM part_1 '
                f'GROUP BY {by}, "kind", "bin"',
            )
        )
    return out


_STATEMENTS = _statements()
_READ = frozenset(name for *_, sql in _STATEMENTS for name in re.findall(r"\bcalls\.(\w+)", sql))  # its columns


def _arrow_type(column: sa.Column[Any]) -> Any:
    import pyarrow as pa

    t = column.type
    if isinstance(t, (EpochMillis, sa.Integer)):
        return pa.int64()
    if isinstance(t, sa.Float):
        return pa.float64()
    if isinstance(t, sa.Boolean):
        return pa.bool_()
    return pa.string()


def increment_of(rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> Increment:
    """The pre-aggregate rows of the stored call ``rows`` alone (columns named ``columns``), aggregated by DuckDB
    on one thread over just the columns the measures read."""
    if not rows:
        return Increment()
    import duckdb
    import pyarrow as pa

    wanted = [n for n in columns if n in _READ]
    # each wanted column in one C loop over the rows (no tuple of every row's picked values in between)
    new_calls = pa.Table.from_arrays([array_of(list(map(itemgetter(columns.index(name)), rows)),
                                               _arrow_type(calls.c[name])) for name in wanted], names=wanted)
    con = duckdb.connect()
    out = Increment(con)
    try:
        con.execute("SET threads = 1; SET enable_progress_bar = false")
        con.register("calls", new_calls)
        for n, (table, names, n_keys, sql) in enumerate(_STATEMENTS):
            relation = f"part_{n}"
            con.execute(f"CREATE TEMP TABLE {relation} AS {sql}")
            out.parts.append(_Part(table, names, n_keys, relation, kpi_bucket_ms(table)))
        con.unregister("calls")
        # the finest table's keys start with (bucket_at, scenario): its pairs are those of the calls
        for scenario, bucket in con.execute(f'SELECT DISTINCT "scenario", "bucket_at" FROM {out.parts[0].relation}'
                                            ).fetchall():
            out.touched.setdefault(scenario, []).append(int(bucket))
    except BaseException:
        out.close()
        raise
    for buckets in out.touched.values():
        buckets.sort()
    return out


def _scenario_is(table: sa.Table, scenario: str | None) -> Any:
    return table.c.scenario.is_(None) if scenario is None else table.c.scenario == scenario


def _stored_between(conn: sa.Connection, table: sa.Table, scenario: str | None, first: int, last: int) -> bool:
    """Whether ``table`` holds a row of ``scenario`` in a bucket from ``first`` to ``last`` (one index probe)."""
    found = conn.execute(sa.select(sa.literal(1)).select_from(table).where(
        _scenario_is(table, scenario), table.c.bucket_at.between(first, last)).limit(1)).first()
    return found is not None


def _combine(names: Sequence[str], n_keys: int, old: tuple[Any, ...], new: tuple[Any, ...]) -> tuple[Any, ...]:
    out = list(new[:n_keys])
    for name, a, b in zip(names[n_keys:], old[n_keys:], new[n_keys:], strict=True):
        if name in _MAX:
            out.append(b if a is None else a if b is None else max(a, b))
        else:
            out.append(a + b)
    return tuple(out)


def apply_increment(conn: sa.Connection, inc: Increment) -> None:
    """Merge ``inc`` into the pre-aggregate tables (call it in the transaction that inserts its calls) and raise
    the data generation."""
    raise_generation(conn, {b // DAY_MS for buckets in inc.touched.values() for b in buckets})
    for part in inc.parts:
        table, names, n_keys = part.table, part.columns, part.n_keys
        stored: list[tuple[Any, ...]] = []
        cols = [table.c[n] for n in names]
        for scenario, touched in inc.touched.items():
            buckets = sorted({b - b % part.bucket_ms for b in touched})  # the table's buckets holding them
            if not _stored_between(conn, table, scenario, buckets[0], buckets[-1]):
                continue  # nothing stored in the span they cover (a first import of these days): no bucket to read
            for start in range(0, len(buckets), _IN_CHUNK):
                where = [_scenario_is(table, scenario), table.c.bucket_at.in_(buckets[start : start + _IN_CHUNK])]
                got = conn.execute(sa.select(*cols).where(*where)).all()
                if got:
                    stored.extend(tuple(r) for r in got)
                    conn.execute(table.delete().where(*where))
        if not stored:  # nothing there yet: the increment goes in as it is
            for batch in inc.batches(part, _INSERT_BATCH):
                _insert(conn, table, names, batch)
            continue
        merged: dict[tuple[Any, ...], tuple[Any, ...]] = {r[:n_keys]: r for r in stored}
        for batch in inc.batches(part, _INSERT_BATCH):
            for r in batch:
                key = r[:n_keys]
                old = merged.get(key)
                merged[key] = r if old is None else _combine(names, n_keys, old, r)
        rows = list(merged.values())
        for start in range(0, len(rows), _INSERT_BATCH):
            _insert(conn, table, names, rows[start : start + _INSERT_BATCH])


def _insert(conn: sa.Connection, table: sa.Table, names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    quoted = ", ".join(f'"{n}"' for n in names)
    if conn.dialect.name == "postgresql":
        driver: Any = conn.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join([mark] * len(names))})', rows)
