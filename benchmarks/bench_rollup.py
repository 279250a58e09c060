"""KPI roll-ups over generated calls: DuckDB over Parquet and SQLite, against a plain pandas groupby.

Generates N calls with numpy (a month, 12 queues of 34 agents each) straight into Parquet in the store's
layout, and a smaller sample into SQLite (row-by-row loading of 10 M rows into SQLite takes minutes,
so SQLite gets --sqlite-rows and its time is also shown scaled to N). Two roll-ups, each computing
the measures of offered, answered, abandoned, service level, ASA, AHT and longest wait:

  day x queue, and 30-minute interval x queue x agent.

Each engine runs in a fresh child process so its peak memory (VmHWM) is its own; each roll-up reports
its best of three runs (the machine may be shared). DuckDB runs with 2 threads (the 2-core target).
Run:  .venv/bin/python benchmarks/bench_rollup.py [--rows 10000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from callops.metrics import Grain, KpiOptions, local_range_ms, measures_for
from callops.store.parquet_export import arrow_schema
from callops.store.schema import agent_intervals, agents, calls

TZ = "Asia/Shanghai"
START, END = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
KPIS = ("offered", "answered", "abandoned", "answer_rate", "service_level", "abandon_rate", "asa_s", "aht_s",
        "longest_wait_s")
ROLLUPS = {"day x queue": (Grain.DAY, ("queue",)), "30min x queue x agent": (Grain.MIN30, ("queue", "agent"))}
REPEATS = 3  # each roll-up's best of three runs: the machine may be shared
OUTCOMES = np.array(["answered", "abandoned", "timeout", "transferred", "ivr_self_service"])


def generate(rows: int, seed: int = 7) -> pa.Table:
    """``rows`` inbound calls over January 2026 in the calls table's Parquet layout."""
    rng = np.random.default_rng(seed)
    lo = int(dt.datetime(2025, 12, 31, 16, tzinfo=dt.UTC).timestamp() * 1000)  # Jan 1 00:00 Shanghai
    started = np.sort(lo + rng.integers(0, 31 * 86_400_000, rows))
    outcome = OUTCOMES[rng.choice(5, rows, p=[0.8, 0.1, 0.02, 0.05, 0.03])]
    wait = rng.exponential(25.0, rows)
    talk = rng.gamma(2.0, 90.0, rows)
    answered = np.isin(outcome, ["answered", "transferred"])
    queue = rng.integers(0, 12, rows)  # each queue has its own 34 agents
    agent_names = np.array([f"a{i:03d}" for i in range(12 * 34)])
    schema = arrow_schema(calls)
    columns: dict[str, Any] = {
        "id": np.arange(1, rows + 1), "source_call_id": np.arange(1, rows + 1).astype(str),
        "source": np.repeat("bench", rows), "direction": np.repeat("inbound", rows),
        "outcome": outcome, "queue": np.array([f"q{i:02d}" for i in range(12)])[queue],
        "agent": np.where(answered, agent_names[queue * 34 + rng.integers(0, 34, rows)], None),
        "priority": rng.integers(0, 3, rows), "started_at": started, "wait_s": wait,
        "talk_s": np.where(answered, talk, 0.0),
        "hold_s": np.where(answered, rng.exponential(10.0, rows), 0.0),
        "acw_s": np.where(answered, rng.exponential(30.0, rows), 0.0),
    }
    arrays = [pa.array(columns[f.name], type=f.type) if f.name in columns else pa.nulls(rows, f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def write_parquet(table: pa.Table, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / "calls.parquet", compression="zstd", row_group_size=1_000_000)
    for empty in (agent_intervals, agents):
        pq.write_table(arrow_schema(empty).empty_table(), folder / f"{empty.name}.parquet")


def write_sqlite(table: pa.Table, path: Path) -> None:
    from callops.store import make_engine, upgrade

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.begin() as conn:
        for batch in table.to_batches(200_000):
            conn.execute(calls.insert(), batch.to_pylist())
    engine.dispose()


def _statement(grain: Grain, dims: tuple[str, ...]) -> Any:
    """The KPI measures' SQL from callops.metrics definitions, as the report commands build it."""
    from callops.store.kpi_query import call_buckets_sql

    lo_ms, hi_ms = local_range_ms(START, END, TZ)
    return call_buckets_sql(measures_for(KPIS), lo_ms=lo_ms, hi_ms=hi_ms, grain=grain, tz=TZ, dims=dims,
                            options=KpiOptions())


def _duckdb(folder: str) -> dict[str, float]:
    from callops.store.kpi_query import ParquetSource

    source = ParquetSource(Path(folder), threads=2, memory_limit="2GB")
    return _time_rollups(lambda grain, dims: source.to_arrow(_statement(grain, dims)))


def _sqlite(path: str) -> dict[str, float]:
    from callops.store import make_engine

    engine = make_engine(f"sqlite:///{path}")

    def run(grain: Grain, dims: tuple[str, ...]) -> list[Any]:
        with engine.connect() as conn:
            return list(conn.execute(_statement(grain, dims)))

    return _time_rollups(run)


def _pandas(folder: str) -> dict[str, float]:
    """The straightforward way: read the columns, derive flags and local buckets, ``groupby().agg()``."""
    import pandas as pd

    def rollup(grain: Grain, dims: tuple[str, ...]) -> Any:
        df = pd.read_parquet(Path(folder) / "calls.parquet",
                             columns=["started_at", "outcome", "queue", "agent", "wait_s", "talk_s", "hold_s",
                                      "acw_s"])
        local = pd.to_datetime(df["started_at"], unit="ms", utc=True).dt.tz_convert(TZ)
        df["bucket"] = local.dt.floor("D" if grain is Grain.DAY else "30min")
        offered = df["outcome"].isin(["answered", "abandoned", "timeout", "transferred", "callback"])
        answered = df["outcome"].isin(["answered", "transferred"])
        df["offered"] = offered
        df["answered"] = answered
        df["abandoned"] = df["outcome"] == "abandoned"
        df["within_t"] = answered & (df["wait_s"] <= 20)
        df["answered_wait_s"] = df["wait_s"].where(answered, 0.0)
        df["handle_s"] = (df["talk_s"] + df["hold_s"] + df["acw_s"]).where(answered, 0.0)
        df["offered_wait_s"] = df["wait_s"].where(offered)
        return df.groupby(["bucket", *dims], dropna=False).agg(
            offered=("offered", "sum"), answered=("answered", "sum"), abandoned=("abandoned", "sum"),
            within_t=("within_t", "sum"), answered_wait_s=("answered_wait_s", "sum"), handle_s=("handle_s", "sum"),
            longest_wait_s=("offered_wait_s", "max"))

    return _time_rollups(rollup)


def _time_rollups(run: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, (grain, dims) in ROLLUPS.items():
        best = float("inf")
        for _ in range(REPEATS):
            began = time.perf_counter()
            result = run(grain, dims)
            best = min(best, time.perf_counter() - began)
        out[name] = best
        out[name + " rows"] = float(len(result))
    out["max_rss_mb"] = _peak_rss_mb()
    return out


def _peak_rss_mb() -> float:
    """This process's peak resident memory since it started (VmHWM; ru_maxrss would include the parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(func: Any, arg: str) -> dict[str, float]:
    with mp.get_context("spawn").Pool(1) as pool:
        result: dict[str, float] = pool.apply(func, (arg,))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--sqlite-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        table = generate(args.rows)
        write_parquet(table, Path(tmp) / "pq")
        print(f"generated {args.rows:,} calls into Parquet in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        write_sqlite(generate(args.sqlite_rows), Path(tmp) / "bench.db")
        print(f"loaded {args.sqlite_rows:,} calls into SQLite in {time.perf_counter() - began:.1f} s")
        del table
        duck = _child(_duckdb, str(Path(tmp) / "pq"))
        pandas = _child(_pandas, str(Path(tmp) / "pq"))
        lite = _child(_sqlite, str(Path(tmp) / "bench.db"))
    scale = args.rows / args.sqlite_rows
    print(f"\n{'roll-up':24} {'DuckDB/Parquet':>15} {'pandas':>10} {'pandas/DuckDB':>14} "
          f"{'SQLite ' + format(args.sqlite_rows, ','):>18} {'SQLite scaled':>14} {'SQLite/DuckDB':>14}")
    for name in ROLLUPS:
        d, p, s = duck[name], pandas[name], lite[name]
        print(f"{name:24} {d:14.2f}s {p:9.2f}s {p / d:13.1f}x {s:17.2f}s {s * scale:13.1f}s {s * scale / d:13.1f}x")
        assert duck[name + " rows"] == pandas[name + " rows"], "DuckDB and pandas disagree on the number of groups"
    print(f"\nload average before/after: {load_before:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
          f"(best of {REPEATS} runs each)")
    print(f"peak memory (max RSS): DuckDB {duck['max_rss_mb']:.0f} MB, pandas {pandas['max_rss_mb']:.0f} MB, "
          f"SQLite {lite['max_rss_mb']:.0f} MB; DuckDB ran with 2 threads and memory_limit 2GB")


if __name__ == "__main__":
    main()
