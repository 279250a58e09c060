"""The KPI definitions on Apache Spark: the SQL callops generates, run by a local pyspark session, beside DuckDB.

The worked example of "the same KPI definitions on a distributed engine" (docs/metrics.md): generated calls
(the generator of ``kpi_preaggregates.py``) are written in the store's Parquet layout, registered in Spark as
the temporary views ``calls``, ``agent_intervals`` and ``agents``, and the report is asked through
``callops.store.kpi_query.kpi_report`` with a source whose ``execute`` hands the generated SELECT to
``spark.sql`` — the same statement DuckDB runs (the PostgreSQL dialect with inlined values: plain ANSI SQL,
CASE, SUM, MAX, LEAD). Nothing in callops knows about Spark; the pure layer turns the bucket rows into KPIs.

Checks: every report row from Spark equals DuckDB's (counts exactly, rates and seconds to 1e-9; sums of
seconds are whole microseconds in both), for a year by month by queue (10 KPIs), the /reports dashboard's
queries, and first-contact resolution (a LEAD window over each caller's calls). Times are printed side by
side (best of ``--runs``); Spark on one machine pays its planning and task start-up on every query, so
the ratio says what a cluster has to win back, not how fast a cluster is.

Needs pyspark (``pip install pyspark``, Apache-2.0) and a Java 17+ runtime; not a callops dependency.
Run:  .venv/bin/python benchmarks/kpi_spark.py [--rows 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import decimal
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kpi_preaggregates import TZ, YEAR, YEAR_REQUEST, _dashboard_requests, generate, write_parquet  # noqa: E402

from callops.metrics import Grain, KpiRequest, ReportRow  # noqa: E402
from callops.store.kpi_query import ParquetSource, kpi_report  # noqa: E402

TABLES = ("calls", "agent_intervals", "agents")
FCR_REQUEST = KpiRequest(start=dt.date(YEAR, 3, 1), end=dt.date(YEAR, 5, 31), grain=Grain.MONTH, tz=TZ,
                         dims=("queue",), kpis=("offered", "fcr"), agent_states=False)


@dataclasses.dataclass(frozen=True, slots=True)
class SparkParquetSource(ParquetSource):
    """The exported Parquet folder as Spark SQL views: the statement DuckDB would run, run by ``spark.sql``."""

    spark: Any = None  # a pyspark.sql.SparkSession whose views calls/agent_intervals/agents read ``folder``

    def execute(self, statement: sa.Select[Any]) -> list[Sequence[Any]]:
        rows = self.spark.sql(self.sql(statement)).collect()
        return [tuple(float(v) if isinstance(v, decimal.Decimal) else v for v in row) for row in rows]

    def to_arrow(self, statement: sa.Select[Any]) -> Any:
        raise NotImplementedError("the Spark example reads rows; Arrow from Spark needs pandas conversion")


def spark_session(folder: Path, threads: int) -> Any:
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master(f"local[{threads}]").appName("callops-kpi")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", str(threads * 2))
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.showConsoleProgress", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    for table in TABLES:
        spark.read.parquet(str(folder / f"{table}.parquet")).createOrReplaceTempView(table)
    return spark


def with_callers(table: pa.Table, seed: int = 5) -> pa.Table:
    """The generated calls with caller numbers from a pool a third their size, so callers call again (FCR)."""
    rng = np.random.default_rng(seed)
    pool = np.char.add("1380", np.char.zfill(np.arange(max(1, table.num_rows // 3)).astype(str), 7))
    numbers = pa.array(pool[rng.integers(0, len(pool), table.num_rows)], type=pa.string())
    return table.set_column(table.schema.get_field_index("caller_number"), "caller_number", numbers)


Report = Callable[[KpiRequest], list[ReportRow]]


def _timed(report: Report, requests: Sequence[KpiRequest], runs: int) -> tuple[float, list[list[ReportRow]]]:
    best, rows = float("inf"), []
    for _ in range(runs):
        began = time.perf_counter()
        rows = [report(r) for r in requests]
        best = min(best, time.perf_counter() - began)
    return best, rows


def _same(name: str, reference: list[ReportRow], other: list[ReportRow]) -> int:
    """The number of KPI values compared that are not empty (None); raises on the first that differs."""
    if len(reference) != len(other):
        raise SystemExit(f"{name}: {len(other)} rows, DuckDB {len(reference)}")
    theirs = {(r.period_start, r.dims): r.kpis for r in other}
    compared = 0
    for r in reference:
        values = theirs.get((r.period_start, r.dims))
        if values is None:
            raise SystemExit(f"{name}: no row for {r.period} {r.dims}")
        for k, v in r.kpis.items():
            w = values[k]
            if not ((v is None and w is None) or abs(float(v or 0) - float(w or 0)) <= 1e-9 * max(1.0, abs(v or 0))):
                raise SystemExit(f"{name}: {r.period} {r.dims} {k}: DuckDB {v}, Spark {w}")
            compared += v is not None
    return compared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pq"
        began = time.perf_counter()
        write_parquet(with_callers(generate(args.rows)), folder)
        print(f"generated {args.rows:,} calls into Parquet in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        spark = spark_session(folder, args.threads)
        print(f"Spark {spark.version} session on local[{args.threads}] in {time.perf_counter() - began:.1f} s")
        duck = ParquetSource(folder, threads=args.threads)
        on_spark = SparkParquetSource(folder, spark=spark)

        def by(source: ParquetSource) -> Report:
            return lambda request: kpi_report(source, request, read_model="calls")

        suites = {"year x month x queue": [YEAR_REQUEST], "dashboard (6 queries)": _dashboard_requests(),
                  "FCR, 3 months x queue": [FCR_REQUEST]}
        print(f"\n{args.rows:,} calls, zone {TZ}, best of {args.runs}")
        print(f"{'report':24} {'DuckDB':>10} {'Spark':>10} {'Spark / DuckDB':>15} {'values equal (not None)':>25}")
        for name, requests in suites.items():
            duck_s, duck_rows = _timed(by(duck), requests, args.runs)
            spark_s, spark_rows = _timed(by(on_spark), requests, args.runs)
            compared = sum(_same(name, a, b) for a, b in zip(duck_rows, spark_rows, strict=True))
            print(f"{name:24} {duck_s * 1000:7.0f} ms {spark_s * 1000:7.0f} ms {spark_s / duck_s:14.1f}x "
                  f"{compared:25,}")
        spark.stop()
    print(f"load average before/after: {load_before:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
