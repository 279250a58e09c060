"""KPIs at scale: the pre-aggregates vs the calls table at 10 M generated calls, on SQLite and on PostgreSQL.

Run: nice -n 10 .venv/bin/python benchmarks/kpi_scale.py --rows 10000000 --sqlite /tmp/kpi_scale.db \
         --postgres postgresql://postgres@127.0.0.1:5432/postgres [--keep] [--load-only] [--reuse-aggregates]
         [--only sqlite|postgresql] [--before /tmp/before/src]

Generates --rows calls over a year (the generator of kpi_preaggregates.py: 8 queues x 2 call types, 240
agents, a daytime curve) and loads them in bulk: executemany in batches of 200,000 into the SQLite file, and
``COPY ... FROM STDIN (FORMAT csv)`` into a database ``callops_scale_bench`` made on the PostgreSQL server
(the admin URL). A database that already holds exactly --rows calls is reused (``--keep`` leaves both in
place for that; without it they are deleted at the end). Then, per engine: ``callops db rebuild-aggregates``
(timed) and the two reports of kpi_preaggregates.py, each from the pre-aggregates (what the pages read) and
from the calls table alone (``read_model="calls"``, the named baseline), side by side:

  dashboard: the /reports page's 6 queries as one page; p50 and p95 of 20 runs (5 from the calls table);
  year by month by queue, by call type and by source: 10 KPIs each; best of 3 (1 from the calls table).

With ``--before SRC`` (a copy of another version's ``src``, e.g. ``git archive main src | tar -x -C
/tmp/before``) the same reports are also read from the pre-aggregates by that version, in a child process on
the same database after this one's upgrade (its read plan ignores tables it does not know): the before/after
of a read-plan change in one run.

Every report's rows are checked against the pre-aggregates' (counts exactly, rates to 1e-9). Prints the
ratios, the year report's CPU time in this process (all of it on SQLite, which runs in-process: what a quiet
core would take) and the load average before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kpi_preaggregates import YEAR_REQUEST, Report, _callops, _check, _dashboard_requests, generate  # noqa: E402

from callops.metrics import KpiRequest, ReportRow  # noqa: E402
from callops.store import make_engine, upgrade  # noqa: E402
from callops.store.kpi_aggregates import rebuild  # noqa: E402

PG_DATABASE = "callops_scale_bench"
BATCH = 200_000


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("calls"):
            return -1
        return int(conn.execute(sa.text("SELECT count(*) FROM calls")).scalar_one())


def _load(engine: sa.Engine, table: pa.Table) -> float:
    """Insert the calls in bulk (no id: the database numbers them); seconds."""
    names = [c for c in table.column_names if c != "id"]
    quoted = ", ".join(f'"{n}"' for n in names)
    began = time.perf_counter()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            driver: Any = conn.connection.driver_connection
            with driver.cursor() as cur, cur.copy(f"COPY calls ({quoted}) FROM STDIN (FORMAT csv)") as copy:
                for batch in table.select(names).to_batches(BATCH):
                    out = io.BytesIO()  # nulls unquoted and empty (NULL), strings quoted ("" is the empty string)
                    pacsv.write_csv(pa.Table.from_batches([batch]), out,
                                    pacsv.WriteOptions(include_header=False, quoting_style="needed"))
                    copy.write(out.getvalue())
        else:
            sql = f'INSERT INTO calls ({quoted}) VALUES ({", ".join("?" for _ in names)})'
            for batch in table.select(names).to_batches(BATCH):
                conn.exec_driver_sql(sql, list(zip(*(c.to_pylist() for c in batch.columns), strict=True)))
    return time.perf_counter() - began


YEAR_REPORTS = {by: KpiRequest(start=YEAR_REQUEST.start, end=YEAR_REQUEST.end, grain=YEAR_REQUEST.grain,
                                tz=YEAR_REQUEST.tz, dims=(dim,), kpis=YEAR_REQUEST.kpis, agent_states=False)
                for by, dim in (("queue", "queue"), ("call type", "call_type"), ("source", "source"))}


def _time(report: Report, dashboard_runs: int, year_runs: int) -> dict[str, Any]:
    dashboard = []
    for _ in range(dashboard_runs):
        began = time.perf_counter()
        for request in _dashboard_requests():
            report(request)
        dashboard.append(time.perf_counter() - began)
    out: dict[str, Any] = {}
    for by, request in YEAR_REPORTS.items():
        year, year_cpu = [], []
        rows: list[ReportRow] = []
        for _ in range(year_runs):
            began, cpu = time.perf_counter(), time.process_time()
            rows = report(request)
            year.append(time.perf_counter() - began)
            year_cpu.append(time.process_time() - cpu)
        out.update({f"year {by}": min(year), f"year {by} cpu": min(year_cpu), f"rows {by}": rows})
    ordered = sorted(dashboard)
    return {"dash p50": statistics.median(dashboard), "dash p95": ordered[round(0.95 * (len(ordered) - 1))],
            **out, "dash rows": [report(r) for r in _dashboard_requests()]}


def _rows_json(rows: list[ReportRow]) -> list[Any]:
    return [[r.period, r.period_start.isoformat(), [list(d) for d in r.dims], dict(r.kpis)] for r in rows]


def _rows_of(data: list[Any]) -> list[ReportRow]:
    return [ReportRow(period, dt.datetime.fromisoformat(start), tuple((k, v) for k, v in dims), kpis)
            for period, start, dims, kpis in data]


def _before(src: Path, url: str) -> dict[str, Any]:
    """The reports from the pre-aggregates as the code in ``src`` reads them (a child process)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "before.json"
        env = {**os.environ, "PYTHONPATH": str(src)}
        subprocess.run([sys.executable, __file__, "--timings-only", str(out), "--timings-url", url], env=env,
                       check=True)
        data = json.loads(out.read_text())
    for key in list(data):
        if key.startswith("rows "):
            data[key] = _rows_of(data[key])
    data["dash rows"] = [_rows_of(d) for d in data["dash rows"]]
    return dict(data)


def _timings_only(url: str, out: Path) -> None:
    """The child of ``--before``: time the reports from the pre-aggregates as they are, write them as JSON."""
    import callops

    engine = make_engine(url)
    with engine.connect() as conn:
        result = _time(_callops(conn, "aggregates"), 20, 3)
    engine.dispose()
    data = {k: (_rows_json(v) if k.startswith("rows ") else v) for k, v in result.items() if k != "dash rows"}
    data["dash rows"] = [_rows_json(r) for r in result["dash rows"]]
    data["code"] = str(Path(callops.__file__).resolve().parent)
    out.write_text(json.dumps(data))


def _engine_run(name: str, engine: sa.Engine, rows: int, table: pa.Table | None, load_only: bool,
                reuse_aggregates: bool, before: Path | None = None) -> dict[str, dict[str, Any]]:
    upgrade(engine)
    have = _count(engine)
    if have == rows:
        print(f"{name}: reusing the {rows:,} calls already loaded", flush=True)
    else:
        assert table is not None
        print(f"{name}: loaded {rows:,} calls in {_load(engine, table):.1f} s", flush=True)
    if load_only:
        return {}
    if reuse_aggregates and have == rows:
        print(f"{name}: reusing the pre-aggregates already built (no rebuild timed)", flush=True)
    else:
        began = time.perf_counter()
        with engine.begin() as conn:
            counts = rebuild(conn)
        print(f"{name}: `callops db rebuild-aggregates` took {time.perf_counter() - began:.1f} s; rows: "
              + ", ".join(f"{t} {n:,}" for t, n in counts.items()), flush=True)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
    out = {}
    with engine.connect() as conn:
        out[f"pre-aggregates ({name})"] = _time(_callops(conn, "aggregates"), 20, 3)
        print(f"{name}: pre-aggregates timed", flush=True)
    if before is not None:
        out[f"before ({name})"] = _before(before, engine.url.render_as_string(hide_password=False))
        print(f"{name}: the pre-aggregates as {out[f'before ({name})']['code']} reads them timed", flush=True)
    with engine.connect() as conn:
        out[f"calls table ({name})"] = _time(_callops(conn, "calls"), 5, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--sqlite", type=Path, default=Path("/tmp/kpi_scale.db"))
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="admin URL of the server; the benchmark makes and drops its own database there")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--keep", action="store_true", help="leave both databases for another run")
    parser.add_argument("--load-only", action="store_true", help="load the calls, keep the databases and stop")
    parser.add_argument("--reuse-aggregates", action="store_true",
                        help="with calls reused, read the pre-aggregates as they are (no rebuild)")
    parser.add_argument("--before", type=Path,
                        help="another version's src folder: also time its reads of the same pre-aggregates")
    parser.add_argument("--timings-only", type=Path, help=argparse.SUPPRESS)  # the child of --before: its output
    parser.add_argument("--timings-url", help=argparse.SUPPRESS)  # and its database
    args = parser.parse_args()
    if args.timings_only is not None:
        _timings_only(args.timings_url, args.timings_only)
        return
    load_before = os.getloadavg()
    engines: dict[str, sa.Engine] = {}
    admin = make_engine(args.postgres, isolation_level="AUTOCOMMIT")
    if args.only != "postgresql":
        engines["SQLite"] = make_engine(f"sqlite:///{args.sqlite}")
    if args.only != "sqlite":
        with admin.connect() as conn:
            exists = sa.text("SELECT 1 FROM pg_database WHERE datname = :n")
            if conn.execute(exists, {"n": PG_DATABASE}).first() is None:
                conn.execute(sa.text(f'CREATE DATABASE "{PG_DATABASE}"'))
        engines["PostgreSQL"] = make_engine(admin.url.set(database=PG_DATABASE).render_as_string(hide_password=False))
    held = {name: _count(e) for name, e in engines.items()}
    for name, have in held.items():  # another run's kept database: say so, and leave it alone
        if have not in (-1, 0, args.rows):
            admin.dispose()
            sys.exit(f"{name}: the database holds {have:,} calls, not {args.rows:,}: drop it or pass --rows {have}")
    table = None
    if any(have != args.rows for have in held.values()):
        began = time.perf_counter()
        table = generate(args.rows)
        print(f"generated {args.rows:,} calls in {time.perf_counter() - began:.1f} s", flush=True)
    results: dict[str, dict[str, Any]] = {}
    try:
        for name, engine in engines.items():
            results.update(_engine_run(name, engine, args.rows, table, args.load_only, args.reuse_aggregates,
                                       args.before))
            engine.dispose()
    finally:
        if not (args.keep or args.load_only):
            for engine in engines.values():
                engine.dispose()
            args.sqlite.unlink(missing_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(f"{args.sqlite}{suffix}").unlink(missing_ok=True)
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        admin.dispose()
    if args.load_only:
        return
    for name in engines:
        reference = results[f"pre-aggregates ({name})"]
        for other in results.values():
            for by in YEAR_REPORTS:
                _check(reference[f"rows {by}"], other[f"rows {by}"], name)
            for mine, theirs in zip(reference["dash rows"], other["dash rows"], strict=True):
                _check(mine, theirs, name)
    print(f"\n{args.rows:,} calls over the year; dashboard = the page's 6 queries; year by month by queue, call type"
          " and source: 10 KPIs each; best of 3 (calls table: 1)")
    print(f"{'read from':28} {'dash p50':>9} {'dash p95':>9} {'by queue':>9} {'(CPU)':>8} {'by type':>9} "
          f"{'(CPU)':>8} {'by source':>9} {'(CPU)':>8}   calls table / this (dash p95, queue, type, source)")
    for name in engines:
        base = results[f"calls table ({name})"]
        labels = [f"pre-aggregates ({name})", f"before ({name})", f"calls table ({name})"]
        for label in (x for x in labels if x in results):
            r = results[label]
            years = "".join(f" {r[f'year {by}'] * 1000:6.1f} ms {r[f'year {by} cpu'] * 1000:5.0f} ms"
                            for by in YEAR_REPORTS)
            ratios = ", ".join(f"{base[f'year {by}'] / r[f'year {by}']:.1f}x" for by in YEAR_REPORTS)
            print(f"{label:28} {r['dash p50'] * 1000:6.1f} ms {r['dash p95'] * 1000:6.1f} ms{years}   "
                  f"{base['dash p95'] / r['dash p95']:.1f}x, {ratios}")
        if f"before ({name})" in results:
            now, then = results[f"pre-aggregates ({name})"], results[f"before ({name})"]
            print(f"before / this ({name}): dashboard p95 {then['dash p95'] / now['dash p95']:.2f}x, year by "
                  + ", ".join(f"{by} {then[f'year {by}'] / now[f'year {by}']:.2f}x" for by in YEAR_REPORTS))
    print("(its CPU here: CPU seconds of this process, where SQLite runs; PostgreSQL's server works apart)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}; after: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
