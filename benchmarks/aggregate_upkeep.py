"""Pre-aggregate upkeep on import: merging a column-wise increment vs recomputing the touched buckets from calls.

Run: .venv/bin/python benchmarks/aggregate_upkeep.py [--rows 1000000] [--rounds 1] [--postgres URL]

Generates --rows calls over a year (the generator of kpi_preaggregates.py) as the stored rows an import
writes, then, in fresh databases and alternating rounds so machine load hits both alike:

  recompute (before): insert the calls, then ``kpi_aggregates.refresh`` of every touched bucket (what every
                      import did: delete and ``INSERT ... SELECT`` from calls, the cost of a full rebuild);
  increment (now):    ``kpi_increments.increment_of`` (DuckDB over the rows' columns, no database) and, in the
                      transaction, insert the calls and ``apply_increment`` (merge into the tables).

Times are CPU seconds of this process on SQLite (the database runs in it, and the machine is shared), wall
seconds on PostgreSQL. Prints the time of the calls' insert alone and of the upkeep on each side, the ratio,
and checks that both leave identical pre-aggregate tables. Then, into another database: the first half
of the calls, the same half again (duplicates dropped first, as the pipeline does) and an overlapping
last three quarters, each with its increment; the tables must again equal the recomputed ones.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kpi_preaggregates import generate  # noqa: E402

from callops.store import make_engine, upgrade  # noqa: E402
from callops.store.kpi_aggregates import TouchedBuckets, refresh  # noqa: E402
from callops.store.kpi_increments import apply_increment, increment_of  # noqa: E402
from callops.store.record_batches import CALL_FIELDS, drop_stored, prepare_calls  # noqa: E402
from callops.store.schema import KPI_LEVELS  # noqa: E402

CLOCK = [time.process_time]  # CPU of this process (SQLite runs in it); wall time for PostgreSQL


def call_rows(rows: int) -> list[tuple[Any, ...]]:
    table = generate(rows)
    columns = {n: table.column(n).to_pylist() for n in CALL_FIELDS if n in table.column_names}
    return list(zip(*(columns.get(n, [None] * rows) for n in CALL_FIELDS), strict=True))


def _insert_calls(conn: sa.Connection, rows: list[tuple[Any, ...]]) -> None:
    names = ", ".join(f'"{c}"' for c in CALL_FIELDS)
    if conn.dialect.name == "postgresql":
        driver: Any = conn.connection.driver_connection
        with driver.cursor() as cur, cur.copy(f"COPY calls ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in CALL_FIELDS)
    for start in range(0, len(rows), 50_000):
        conn.exec_driver_sql(f"INSERT INTO calls ({names}) VALUES ({marks})", rows[start : start + 50_000])


def _engine(url: str | None, folder: Path, name: str) -> sa.Engine:
    if url is None:
        engine = make_engine(f"sqlite:///{folder / name}.db")
    else:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    upgrade(engine)
    return engine


def recompute(engine: sa.Engine, rows: list[tuple[Any, ...]]) -> tuple[float, float]:
    began = CLOCK[0]()
    with engine.begin() as conn:
        _insert_calls(conn, rows)
        inserted = CLOCK[0]()
        touched = TouchedBuckets()
        touched.add_rows(rows, CALL_FIELDS.index("scenario"), CALL_FIELDS.index("started_at"))
        refresh(conn, touched)
    return inserted - began, CLOCK[0]() - inserted


def increment(engine: sa.Engine, rows: list[tuple[Any, ...]]) -> tuple[float, float, float]:
    """(column-wise aggregation s, insert s, merge s)."""
    began = CLOCK[0]()
    inc = increment_of(rows, CALL_FIELDS)
    aggregated = CLOCK[0]()
    with engine.begin() as conn:
        _insert_calls(conn, rows)
        inserted = CLOCK[0]()
        apply_increment(conn, inc)
    return aggregated - began, inserted - aggregated, CLOCK[0]() - inserted


def tables(engine: sa.Engine) -> list[list[tuple[Any, ...]]]:
    out = []
    with engine.connect() as conn:
        for level in KPI_LEVELS:
            for t in level:
                out.append(sorted((tuple(r) for r in conn.execute(sa.select(t))), key=lambda r: repr(r)))
    return out


def again(engine: sa.Engine, rows: list[tuple[Any, ...]]) -> tuple[int, float]:
    """Import ``rows`` as the pipeline does: stored keys dropped, the rest inserted with its increment."""
    prepared = prepare_calls(rows)
    began = CLOCK[0]()
    with engine.begin() as conn:
        drop_stored(conn, prepared)
        fresh = list(prepared.rows.values())
        inc = increment_of(fresh, CALL_FIELDS)
        _insert_calls(conn, fresh)
        apply_increment(conn, inc)
    return len(fresh), CLOCK[0]() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose public schema may be dropped")
    args = parser.parse_args()
    rows = call_rows(args.rows)
    if args.postgres:
        CLOCK[0] = time.perf_counter
    load = os.getloadavg()[0]
    old: list[tuple[float, float]] = []
    new: list[tuple[float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            e = _engine(args.postgres, Path(tmp), f"old{n}")
            old.append(recompute(e, rows))
            reference = tables(e)
            e.dispose()
            e = _engine(args.postgres, Path(tmp), f"new{n}")
            new.append(increment(e, rows))
            if tables(e) != reference:
                raise SystemExit("the increment's tables differ from the recomputed ones")
            e.dispose()
        e = _engine(args.postgres, Path(tmp), "parts")
        first = again(e, rows[: len(rows) // 2])
        repeat = again(e, rows[: len(rows) // 2])
        overlap = again(e, rows[len(rows) // 4 :])
        if tables(e) != reference:
            raise SystemExit("after the repeated and overlapping imports the tables differ")
        e.dispose()
    ins_old, up_old = min(o[0] for o in old), min(o[1] for o in old)
    agg, ins_new, merge = (min(x[i] for x in new) for i in range(3))
    where = "PostgreSQL" if args.postgres else "SQLite"
    unit = "wall" if args.postgres else "CPU"
    print(f"{args.rows:,} calls into an empty {where} database, best of {args.rounds}; {unit} seconds")
    print(f"{'':34}{'calls insert':>14}{'aggregates upkeep':>20}")
    print(f"{'recompute touched buckets (before)':34}{ins_old:12.1f} s{up_old:18.1f} s")
    print(
        f"{'column-wise increment (now)':34}{ins_new:12.1f} s{agg + merge:18.1f} s"
        f"   (aggregate {agg:.1f} s before the lock, merge {merge:.1f} s in it)"
    )
    print(
        f"upkeep before / now: {up_old / (agg + merge):.1f}x; upkeep as a share of the insert: "
        f"{up_old / ins_old:.0%} before, {(agg + merge) / ins_new:.0%} now; tables identical"
    )
    print(
        f"in parts: first half {first[1]:.1f} s ({first[0]:,} new), the same again {repeat[1]:.1f} s "
        f"({repeat[0]:,} new), the overlapping last 3/4 {overlap[1]:.1f} s ({overlap[0]:,} new); "
        "tables identical to the recomputed ones"
    )
    print(f"load average before/after: {load:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
