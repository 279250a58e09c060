"""KPI reports from the pre-aggregates vs the calls table vs DuckDB over Parquet vs pandas, on generated calls.

Generates N calls (default 1 M) over 2025 with numpy: 8 queues x 2 call types, 240 agents, a daytime
arrival curve, waits and handle times in whole milliseconds. They go into SQLite (the embedded default;
then ``rebuild`` fills the pre-aggregates, timed) and into Parquet in the store's layout. Two reports:

  dashboard: the /reports page's queries (today, the same day last week, this week, last week as totals;
             today and a week ago by 30 minutes), 6 KPIs, timed as one page, 20 runs: p50 and p95;
  year by month by queue: 10 KPIs, best of 3.

Engines: callops on SQLite reading the pre-aggregates (what the pages do now) and reading only the calls
table (``read_model="calls"``, what they did before); callops over the Parquet export with DuckDB (2 threads);
pandas and polars over the same Parquet, already in memory (their load times printed apart); polars is a dev
dependency, and the row is left out where it is not installed.
The report rows of every engine are checked against the pre-aggregates' (counts exactly, rates to 1e-9).
Run:  .venv/bin/python benchmarks/kpi_preaggregates.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from callops.metrics import Grain, KpiRequest, ReportRow
from callops.store.parquet_export import arrow_schema
from callops.store.schema import agent_intervals, agents, calls

TZ = "Asia/Shanghai"
YEAR = 2025
QUEUES = np.array([f"q{i}" for i in range(8)])
TYPES = np.array(["new", "service"])
AGENTS = np.array([f"a{i:03d}" for i in range(240)])  # 30 per queue
OUTCOMES = np.array(["answered", "abandoned", "timeout", "transferred", "callback", "ivr_self_service"])
DASHBOARD_KPIS = ("offered", "answered", "service_level", "asa_s", "abandon_rate", "aht_s")  # the /reports page's
YEAR_KPIS = ("offered", "answered", "abandoned", "answer_rate", "service_level", "abandon_rate", "loss_rate",
             "asa_s", "aht_s", "longest_wait_s")
TODAY = dt.date(YEAR, 11, 19)
DASHBOARD_RUNS, YEAR_RUNS = 20, 3


def generate(rows: int, seed: int = 11) -> pa.Table:
    """``rows`` calls over the year in the calls table's Parquet layout (sorted by start, as imports arrive)."""
    rng = np.random.default_rng(seed)
    lo = int(dt.datetime(YEAR - 1, 12, 31, 16, tzinfo=dt.UTC).timestamp() * 1000)  # Jan 1 00:00 in Shanghai
    day = rng.integers(0, 365, rows)
    minute_of_day = np.clip(rng.normal(14 * 60, 180, rows), 0, 1439)  # a daytime curve, peak at 14:00 local
    started = np.sort(lo + day * 86_400_000 + (minute_of_day * 60_000).astype(np.int64) + rng.integers(0, 60_000, rows))
    outcome = OUTCOMES[rng.choice(6, rows, p=[0.78, 0.1, 0.02, 0.05, 0.01, 0.04])]
    answered = np.isin(outcome, ["answered", "transferred"])
    ivr = outcome == "ivr_self_service"
    queue = rng.integers(0, 8, rows)
    ms = 1000.0
    wait = np.where(ivr, np.nan, np.round(rng.exponential(25.0, rows) * ms) / ms)
    columns: dict[str, Any] = {
        "id": np.arange(1, rows + 1), "source_call_id": np.arange(1, rows + 1).astype(str),
        "source": np.repeat("bench", rows), "direction": np.repeat("inbound", rows), "outcome": outcome,
        "queue": QUEUES[queue], "call_type": TYPES[rng.integers(0, 2, rows)],
        "agent": np.where(answered, AGENTS[queue * 30 + rng.integers(0, 30, rows)], None),
        "priority": rng.integers(0, 2, rows), "started_at": started, "wait_s": wait,
        "talk_s": np.where(answered, np.round(rng.gamma(2.0, 90.0, rows) * ms) / ms, 0.0),
        "hold_s": np.where(answered, np.round(rng.exponential(10.0, rows) * ms) / ms, 0.0),
        "acw_s": np.where(answered, np.round(rng.exponential(30.0, rows) * ms) / ms, 0.0),
    }
    schema = arrow_schema(calls)
    arrays = []
    for f in schema:
        if f.name == "wait_s":
            arrays.append(pa.array(wait, type=f.type, from_pandas=True))  # NaN: no queue wait (NULL)
        elif f.name in columns:
            arrays.append(pa.array(columns[f.name], type=f.type))
        else:
            arrays.append(pa.nulls(rows, f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def write_parquet(table: pa.Table, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / "calls.parquet", compression="zstd", row_group_size=1_000_000)
    for empty in (agent_intervals, agents):
        pq.write_table(arrow_schema(empty).empty_table(), folder / f"{empty.name}.parquet")


def write_sqlite(table: pa.Table, url: str) -> tuple[float, float]:
    """Load the calls with the driver's executemany, then rebuild the pre-aggregates; (load s, rebuild s)."""
    from callops.store import make_engine, upgrade
    from callops.store.kpi_aggregates import rebuild

    engine = make_engine(url)
    upgrade(engine)
    names = [c for c in table.column_names if c != "id"]
    sql = f'INSERT INTO calls ({", ".join(names)}) VALUES ({", ".join("?" for _ in names)})'
    began = time.perf_counter()
    with engine.begin() as conn:
        for batch in table.select(names).to_batches(200_000):
            conn.exec_driver_sql(sql, list(zip(*(c.to_pylist() for c in batch.columns), strict=True)))
    loaded = time.perf_counter() - began
    began = time.perf_counter()
    with engine.begin() as conn:
        rebuild(conn)
    rebuilt = time.perf_counter() - began
    engine.dispose()
    return loaded, rebuilt


# --- the two reports, per engine --------------------------------------------------------------------


def _dashboard_requests() -> list[KpiRequest]:
    """What the /reports page asks for on TODAY (see callops.web.routes.reports.dashboard)."""
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    week_ago = TODAY - dt.timedelta(days=7)

    def total(start: dt.date, end: dt.date) -> KpiRequest:
        return KpiRequest(start=start, end=end, grain=Grain.TOTAL, tz=TZ, kpis=DASHBOARD_KPIS, agent_states=False)

    def halves(day: dt.date) -> KpiRequest:
        return KpiRequest(start=day, end=day, grain=Grain.MIN30, tz=TZ, kpis=("offered",), agent_states=False)

    return [total(TODAY, TODAY), total(week_ago, week_ago), total(monday, TODAY),
            total(monday - dt.timedelta(days=7), week_ago), halves(TODAY), halves(week_ago)]


YEAR_REQUEST = KpiRequest(start=dt.date(YEAR, 1, 1), end=dt.date(YEAR, 12, 31), grain=Grain.MONTH, tz=TZ,
                          dims=("queue",), kpis=YEAR_KPIS, agent_states=False)

Report = Callable[[KpiRequest], list[ReportRow]]


def _pandas_report(folder: Path) -> tuple[Report, float]:
    """KPIs with pandas over the calls in memory: flags, local buckets, groupby, ratios."""
    import pandas as pd

    began = time.perf_counter()
    df = pd.read_parquet(folder / "calls.parquet", columns=["started_at", "outcome", "queue", "wait_s", "talk_s",
                                                             "hold_s", "acw_s"])
    df["local"] = pd.to_datetime(df["started_at"], unit="ms", utc=True).dt.tz_convert(TZ).dt.tz_localize(None)
    df["offered"] = df["outcome"].isin(["answered", "abandoned", "timeout", "transferred", "callback"])
    df["answered"] = df["outcome"].isin(["answered", "transferred"])
    df["abandoned"] = df["outcome"] == "abandoned"
    wait = df["wait_s"].fillna(0.0)
    df["within_t"] = df["answered"] & (wait <= 20)
    df["answered_wait_s"] = wait.where(df["answered"], 0.0)
    df["handle_s"] = (df["talk_s"] + df["hold_s"] + df["acw_s"]).where(df["answered"], 0.0)
    df["offered_wait_s"] = wait.where(df["offered"])
    loaded = time.perf_counter() - began

    def report(request: KpiRequest) -> list[ReportRow]:
        lo = pd.Timestamp(request.start)
        hi = pd.Timestamp(request.end + dt.timedelta(days=1))
        part = df[(df["local"] >= lo) & (df["local"] < hi)]
        freq = {Grain.MONTH: "MS", Grain.MIN30: "30min"}.get(request.grain)
        period = part["local"].dt.to_period("M").dt.to_timestamp() if freq == "MS" else (
            part["local"].dt.floor(freq) if freq else pd.Series(lo, index=part.index))
        g = part.groupby([period, *(part[d] for d in request.dims)], dropna=False).agg(
            offered=("offered", "sum"), answered=("answered", "sum"), abandoned=("abandoned", "sum"),
            within_t=("within_t", "sum"), answered_wait_s=("answered_wait_s", "sum"), handle_s=("handle_s", "sum"),
            longest_wait_s=("offered_wait_s", "max"))
        out = []
        for key, r in g.iterrows():
            keys = key if isinstance(key, tuple) else (key,)
            offered, answered = int(r["offered"]), int(r["answered"])
            kpis = {"offered": offered, "answered": answered, "abandoned": int(r["abandoned"]),
                    "answer_rate": answered / offered if offered else None,
                    "service_level": r["within_t"] / offered if offered else None,
                    "abandon_rate": r["abandoned"] / offered if offered else None,
                    "loss_rate": (offered - answered) / offered if offered else None,
                    "asa_s": r["answered_wait_s"] / answered if answered else None,
                    "aht_s": r["handle_s"] / answered if answered else None,
                    "longest_wait_s": None if pd.isna(r["longest_wait_s"]) else float(r["longest_wait_s"])}
            start = keys[0].to_pydatetime()
            out.append(ReportRow(str(start), start, tuple(zip(request.dims, keys[1:], strict=True)),
                                 {k: kpis[k] for k in request.kpis}))
        return out

    return report, loaded


def _polars_report(folder: Path) -> tuple[Report, float]:
    """The pandas report's KPIs with polars over the calls in memory (the same flags, local buckets, group-by)."""
    import polars as pl

    began = time.perf_counter()
    df = pl.read_parquet(folder / "calls.parquet", columns=["started_at", "outcome", "queue", "wait_s", "talk_s",
                                                            "hold_s", "acw_s"])
    offered = pl.col("outcome").is_in(["answered", "abandoned", "timeout", "transferred", "callback"])
    answered = pl.col("outcome").is_in(["answered", "transferred"])
    wait = pl.col("wait_s").fill_null(0.0).fill_nan(0.0)
    df = df.with_columns(
        pl.from_epoch("started_at", time_unit="ms").dt.replace_time_zone("UTC").dt.convert_time_zone(TZ)
        .dt.replace_time_zone(None).alias("local"),
        offered.alias("offered"), answered.alias("answered"), (pl.col("outcome") == "abandoned").alias("abandoned"),
        (answered & (wait <= 20)).alias("within_t"),
        pl.when(answered).then(wait).otherwise(0.0).alias("answered_wait_s"),
        pl.when(answered).then(pl.col("talk_s") + pl.col("hold_s") + pl.col("acw_s")).otherwise(0.0).alias("handle_s"),
        pl.when(offered).then(wait).otherwise(None).alias("offered_wait_s"),
    ).drop("started_at", "outcome", "wait_s", "talk_s", "hold_s", "acw_s").rechunk()
    loaded = time.perf_counter() - began

    def report(request: KpiRequest) -> list[ReportRow]:
        lo = dt.datetime.combine(request.start, dt.time())
        hi = dt.datetime.combine(request.end + dt.timedelta(days=1), dt.time())
        part = df.filter((pl.col("local") >= lo) & (pl.col("local") < hi))
        every = {Grain.MONTH: "1mo", Grain.MIN30: "30m"}.get(request.grain)
        period = pl.col("local").dt.truncate(every) if every else pl.lit(lo)
        g = part.group_by([period.alias("period"), *request.dims]).agg(
            pl.col("offered").sum(), pl.col("answered").sum(), pl.col("abandoned").sum(), pl.col("within_t").sum(),
            pl.col("answered_wait_s").sum(), pl.col("handle_s").sum(), pl.col("offered_wait_s").max())
        out = []
        for r in g.iter_rows(named=True):
            offered, answered = int(r["offered"]), int(r["answered"])
            kpis = {"offered": offered, "answered": answered, "abandoned": int(r["abandoned"]),
                    "answer_rate": answered / offered if offered else None,
                    "service_level": r["within_t"] / offered if offered else None,
                    "abandon_rate": r["abandoned"] / offered if offered else None,
                    "loss_rate": (offered - answered) / offered if offered else None,
                    "asa_s": r["answered_wait_s"] / answered if answered else None,
                    "aht_s": r["handle_s"] / answered if answered else None,
                    "longest_wait_s": r["offered_wait_s"]}
            start = r["period"]
            out.append(ReportRow(str(start), start, tuple((d, r[d]) for d in request.dims),
                                 {k: kpis[k] for k in request.kpis}))
        return out

    return report, loaded


def _callops(source: Any, read_model: str) -> Report:
    from callops.store.kpi_query import kpi_report

    def report(request: KpiRequest) -> list[ReportRow]:
        return kpi_report(source, request, read_model=read_model)  # type: ignore[arg-type]

    return report


def _time(report: Report) -> dict[str, Any]:
    dashboard = []
    for _ in range(DASHBOARD_RUNS):
        began = time.perf_counter()
        for request in _dashboard_requests():
            report(request)
        dashboard.append(time.perf_counter() - began)
    year = []
    rows: list[ReportRow] = []
    for _ in range(YEAR_RUNS):
        began = time.perf_counter()
        rows = report(YEAR_REQUEST)
        year.append(time.perf_counter() - began)
    ordered = sorted(dashboard)
    return {"dash p50": statistics.median(dashboard), "dash p95": ordered[int(0.95 * (len(ordered) - 1))],
            "year": min(year), "rows": rows}


def _check(reference: list[ReportRow], other: list[ReportRow], name: str) -> None:
    """Same groups, same counts, rates and seconds within 1e-9 (pandas adds floats in its own order)."""
    assert len(reference) == len(other), f"{name}: {len(other)} rows, pre-aggregates {len(reference)}"
    key = {(r.period_start.replace(day=1), r.dims): r.kpis for r in other}
    for r in reference:
        theirs = key[(r.period_start.replace(day=1), r.dims)]
        for k, v in r.kpis.items():
            w = theirs[k]
            assert (v is None and w is None) or abs(float(v or 0) - float(w or 0)) <= 1e-9 * max(1.0, abs(v or 0)), \
                (name, r.period, r.dims, k, v, w)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    from callops.store import make_engine
    from callops.store.kpi_query import ParquetSource

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder, url = Path(tmp) / "pq", f"sqlite:///{Path(tmp) / 'bench.db'}"
        began = time.perf_counter()
        table = generate(args.rows)
        write_parquet(table, folder)
        print(f"generated {args.rows:,} calls into Parquet in {time.perf_counter() - began:.1f} s")
        loaded, rebuilt = write_sqlite(table, url)
        del table
        print(f"SQLite: loaded in {loaded:.1f} s; `callops db rebuild-aggregates` took {rebuilt:.1f} s")
        engine = make_engine(url)
        results: dict[str, dict[str, Any]] = {}
        with engine.connect() as conn:
            results["pre-aggregates (SQLite)"] = _time(_callops(conn, "aggregates"))
            results["calls table (SQLite)"] = _time(_callops(conn, "calls"))
        results["DuckDB over Parquet"] = _time(_callops(ParquetSource(folder, threads=2), "calls"))
        pandas_report, pandas_load = _pandas_report(folder)
        results["pandas (in memory)"] = _time(pandas_report)
        polars_load = None
        if importlib.util.find_spec("polars") is None:  # not a dependency: `pip install polars` to compare it
            print("polars: not installed, not compared")
        else:
            polars_report, polars_load = _polars_report(folder)
            results["polars (in memory)"] = _time(polars_report)
        engine.dispose()
    reference = results["pre-aggregates (SQLite)"]
    for name, r in results.items():
        _check(reference["rows"], r["rows"], name)
    base = results["calls table (SQLite)"]
    print(f"\n{args.rows:,} calls over {YEAR}, zone {TZ}; dashboard = the page's 6 queries ({DASHBOARD_RUNS} runs), "
          f"year by month by queue ({len(YEAR_KPIS)} KPIs, best of {YEAR_RUNS})")
    print(f"{'engine':26} {'dashboard p50':>14} {'dashboard p95':>14} {'year x month x queue':>21} "
          f"{'vs calls table (p95 / year)':>28}")
    for name, r in results.items():
        print(f"{name:26} {r['dash p50'] * 1000:11.1f} ms {r['dash p95'] * 1000:11.1f} ms {r['year'] * 1000:18.1f} ms "
              f"{base['dash p95'] / r['dash p95']:13.1f}x / {base['year'] / r['year']:.1f}x")
    print(f"pandas read and prepared the Parquet in {pandas_load:.1f} s (not in its times above)")
    if polars_load is not None:
        print(f"polars read and prepared the Parquet in {polars_load:.1f} s (not in its times above)")
    print(f"load average before/after: {load_before:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
