"""Import speed and memory: callops (columnar import into SQLite) vs DuckDB read_csv vs pandas read_csv.

Run: .venv/bin/python benchmarks/import_columnar.py [--lines 1000000] [--rounds 3] [--line-reader]

The same files for all three: a generated Asterisk queue_log of --lines lines (the generator of
bench_import.py: queue and agent events, a realistic mix) and the six Anonymous Bank months from
../shared/data/anonymous-bank-1999 (skipped when absent). Each run is its own process, so its peak RSS
(VmHWM) is its own; the rounds interleave callops, DuckDB and pandas so machine load hits all alike, and
the minimum of the rounds is printed with the ratio to DuckDB. DuckDB and pandas read every column into
memory (an Arrow table, a DataFrame); callops parses, checks, builds the calls and agent intervals and
writes them to a fresh SQLite database in one transaction (``write`` is the time the write lock was held);
that database is a copy of one migrated beforehand in another process, as a ``callops import`` into an
existing database runs (the migrations import pandas; the import no longer does).
``--line-reader`` adds callops's line-by-line reader (the fallback path) as a fourth contender;
``--recompute`` adds callops with the pre-aggregate upkeep imports had before (the touched buckets
recomputed from ``calls`` in the transaction) instead of the column-wise increment. ``--floor`` adds the
write floor: ``sqlite-floor`` inserts the very rows a callops import of the same files stored (calls, agent
intervals, the pre-aggregate tables; read back from a reference import before the timer starts) with the
sqlite3 module's ``executemany`` in one transaction into a copy of the migrated database: nothing parsed,
checked or computed, so no import that stores these rows through Python's SQLite driver can be faster;
``sqlite-floor-bare`` does the same into tables stripped of their secondary indexes (the cost of the
indexes the reports and drill-downs read). ``--postgres ADMIN_URL`` adds ``callops-postgres``: the same
import into a fresh PostgreSQL database (a copy of one migrated beforehand, ``CREATE DATABASE ... TEMPLATE``),
rows through ``COPY``. ``--by-cpu`` prints each contender's round of least CPU time instead of least wall
time (steadier on a shared machine). ``--before SRC`` adds
callops imported from another source tree (e.g. ``git archive <commit> src | tar -x -C /tmp/before`` then
``--before /tmp/before/src``) as ``callops-before``, interleaved with the rest: old and new side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import DATA, peak_rss_mb, write_queue_log  # noqa: E402
from scratch_postgres import scratch_postgres  # noqa: E402

SETS = {  # name: (format, zone, separator, header)
    "queue_log": ("asterisk-queue-log", "UTC", "|", False),
    "anonymous-bank": ("anonymous-bank", "Asia/Jerusalem", "\t", True),
}


def child(kind: str, name: str, folder: Path, paths: list[str]) -> dict[str, float]:
    """One run in this process: seconds and peak RSS (and for callops, the write and counts)."""
    fmt, tz, sep, header = SETS[name]
    out: dict[str, float] = {}
    start = time.perf_counter()
    cpu = time.process_time()
    if kind in {"callops", "callops-before", "callops-lines", "callops-recompute", "callops-postgres", "callops-keep"}:
        from callops.ingest import import_files
        from callops.store import make_engine

        if kind == "callops-recompute":
            _recompute_aggregates()

        db = folder / f"{kind}.db"
        if kind == "callops-postgres":
            engine = make_engine(os.environ["CALLOPS_BENCH_PG_URL"])  # a fresh copy of the migrated template
        else:
            shutil.copyfile(folder / "template.db", db)  # migrated in its own process (see ``migrated``)
            engine = make_engine(f"sqlite:///{db}")
        start = time.perf_counter()
        cpu = time.process_time()
        report = import_files(engine, [Path(p) for p in paths], fmt=fmt, tz=tz, columnar=kind != "callops-lines")
        out.update(write_s=report.write_s, rows=report.inserted)
        engine.dispose()
        if kind == "callops-keep":
            db.rename(folder / f"reference-{name}.db")
        db.unlink(missing_ok=True)
    elif kind in {"sqlite-floor", "sqlite-floor-bare"}:
        tables = _stored_rows(folder / f"reference-{name}.db")  # before the timer: only the insert is timed
        db = folder / f"{kind}.db"
        shutil.copyfile(folder / "template.db", db)
        con = sqlite3.connect(db, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")  # as callops's engine sets them
        if kind == "sqlite-floor-bare":
            _drop_secondary_indexes(con, list(tables))
        start = time.perf_counter()
        cpu = time.process_time()
        con.execute("BEGIN IMMEDIATE")
        for table, (columns, rows) in tables.items():
            quoted = ", ".join(f'"{c}"' for c in columns)
            con.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(columns))})', rows)
        con.execute("COMMIT")
        stored = len(tables["calls"][1]) + len(tables["agent_intervals"][1])
        out.update(write_s=time.perf_counter() - start, rows=stored)
        con.close()
        for path in folder.glob(f"{kind}.db*"):
            path.unlink()
    elif kind == "duckdb":
        import duckdb

        con = duckdb.connect()
        files = ", ".join(f"'{p}'" for p in paths)
        table = con.sql(f"SELECT * FROM read_csv([{files}], delim='{sep}', header={header}, all_varchar=true, "
                        "null_padding=true, quote='')").to_arrow_table()
        out["rows"] = table.num_rows
    else:
        import pandas as pd

        frames = [pd.read_csv(p, sep=sep, header=0 if header else None, dtype=str, quoting=3,
                              names=None if header else list(range(12))) for p in paths]
        out["rows"] = sum(len(f) for f in frames)
    out["seconds"] = time.perf_counter() - start
    out["cpu_s"] = time.process_time() - cpu  # every thread's CPU: steadier than wall time on a loaded machine
    out["rss_mb"] = peak_rss_mb()
    return out


def _stored_rows(db: Path) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every row a callops import stored, per table (calls, agent intervals, then the pre-aggregate tables), in
    insert order, without the ``id`` the database assigns."""
    con = sqlite3.connect(db)
    names = ["calls", "agent_intervals", *(r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'kpi%' ORDER BY name"))]
    out = {}
    for table in names:
        columns = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")') if r[1] != "id"]
        quoted = ", ".join(f'"{c}"' for c in columns)
        out[table] = (columns, con.execute(f'SELECT {quoted} FROM "{table}" ORDER BY rowid').fetchall())
    con.close()
    return out


def _drop_secondary_indexes(con: sqlite3.Connection, tables: list[str]) -> None:
    """The indexes made by CREATE INDEX on ``tables`` (not the unique keys, which the import needs)."""
    marks = ", ".join("?" * len(tables))
    found = con.execute(f"SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE 'CREATE INDEX%' "
                        f"AND tbl_name IN ({marks})", tables).fetchall()
    for (index,) in found:
        con.execute(f'DROP INDEX "{index}"')


def _recompute_aggregates() -> None:
    """The upkeep imports did before the column-wise increments: recompute the touched buckets from calls."""
    from callops.store import kpi_aggregates, record_batches

    class Touched(kpi_aggregates.TouchedBuckets):
        def close(self) -> None:
            pass

    def touched_only(rows: Any, columns: Any) -> Any:
        touched = Touched()
        touched.add_rows(rows, columns.index("scenario"), columns.index("started_at"))
        return touched

    record_batches.__dict__.update(increment_of=touched_only, apply_increment=kpi_aggregates.refresh)


BEFORE: list[str] = []  # the source tree callops-before imports from (set by --before)


POSTGRES: list[str] = []  # the admin URL callops-postgres makes its databases on (set by --postgres)


def run(kind: str, name: str, folder: Path, paths: list[Path]) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=BEFORE[0]) if kind == "callops-before" else dict(os.environ)
    with contextlib.ExitStack() as stack:
        if kind == "callops-postgres":
            env["CALLOPS_BENCH_PG_URL"] = stack.enter_context(scratch_postgres(POSTGRES[0], "callops_import_run",
                                                                               template=POSTGRES[1]))
        done = subprocess.run([sys.executable, __file__, "--child", kind, name, str(folder), *map(str, paths)],
                              check=True, capture_output=True, text=True, env=env)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def reference(name: str, folder: Path, paths: list[Path]) -> None:
    """A callops import of ``paths`` kept as ``reference-<name>.db``: the rows the write floor inserts."""
    run("callops-keep", name, folder, paths)


def migrated(folder: Path) -> None:
    """An empty migrated database every callops run copies: migrated in a process of its own, as a ``callops
    import`` into an existing database is not (the migrations import pandas, which the import itself need not)."""
    code = f"from callops.store import make_engine, upgrade; upgrade(make_engine('sqlite:///{folder / 'template.db'}'))"
    subprocess.run([sys.executable, "-c", code], check=True)


def compare(name: str, paths: list[Path], folder: Path, rounds: int, kinds: list[str], by: str = "seconds") -> None:
    """Each contender ``rounds`` times, interleaved; the round with the least ``by`` (wall ``seconds`` or ``cpu_s``)
    is printed, with its ratios to DuckDB and, where the floor ran, callops's CPU over the floor's."""
    best: dict[str, dict[str, float]] = {}
    if any(k.startswith("sqlite-floor") for k in kinds):
        reference(name, folder, paths)
    for _ in range(rounds):
        for kind in kinds:
            got = run(kind, name, folder, paths)
            if kind not in best or got[by] < best[kind][by]:
                best[kind] = dict(got, rss_mb=max(got["rss_mb"], best.get(kind, got)["rss_mb"]))
            best[kind]["rss_mb"] = max(best[kind]["rss_mb"], got["rss_mb"])  # the peak over every round
    floor = best["duckdb"]["seconds"]
    print(f"{name} ({len(paths)} file(s)), the run of least {'CPU' if by == 'cpu_s' else 'wall time'} of {rounds} "
          "interleaved runs:")
    for kind in kinds:
        got = best[kind]
        extra = (f", write lock held {got['write_s']:.2f} s ({int(got['rows']):,} rows stored)"
                 if "write_s" in got else f" ({int(got['rows']):,} rows read)")
        print(f"  {kind:17} {got['seconds']:6.2f} s  {got['seconds'] / floor:5.1f}x DuckDB  "
              f"(CPU {got['cpu_s']:6.2f} s, {got['cpu_s'] / best['duckdb']['cpu_s']:5.1f}x)  "
              f"peak RSS {got['rss_mb']:5.0f} MB{extra}")
    if "sqlite-floor" in best:
        under = best["sqlite-floor"]["cpu_s"]
        print("  CPU over the write floor (sqlite-floor): " + ", ".join(
            f"{kind} {best[kind]['cpu_s'] / under:.2f}x" for kind in kinds if kind.startswith("callops")))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3], Path(sys.argv[4]), sys.argv[5:])))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--line-reader", action="store_true", help="also time the line-by-line reader")
    parser.add_argument("--recompute", action="store_true",
                        help="also time callops with the old upkeep (touched buckets recomputed from calls)")
    parser.add_argument("--no-bank", action="store_true", help="only the queue_log")
    parser.add_argument("--before", metavar="SRC", help="also time callops imported from this source tree")
    parser.add_argument("--floor", action="store_true",
                        help="also time the write floor: the stored rows inserted with sqlite3 executemany alone")
    parser.add_argument("--by-cpu", action="store_true",
                        help="print each contender's round of least CPU time (default: of least wall time)")
    parser.add_argument("--postgres", metavar="ADMIN_URL",
                        help="also time callops importing into PostgreSQL (scratch databases on this server)")
    args = parser.parse_args()
    if args.before:
        BEFORE.append(str(Path(args.before).resolve()))
    kinds = ["callops", "duckdb", "pandas", *(["callops-before"] if args.before else []),
             *(["callops-lines"] if args.line_reader else []),
             *(["callops-recompute"] if args.recompute else []),
             *(["sqlite-floor", "sqlite-floor-bare"] if args.floor else []),
             *(["callops-postgres"] if args.postgres else [])]
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        log = folder / "queue_log"
        write_queue_log(log, args.lines)
        migrated(folder)
        if args.postgres:
            template_url = stack.enter_context(scratch_postgres(args.postgres, "callops_import_template"))
            subprocess.run([sys.executable, "-c", f"from callops.store import make_engine, upgrade; "
                            f"upgrade(make_engine({template_url!r}))"], check=True)
            POSTGRES.extend([args.postgres, template_url.rsplit("/", 1)[1]])
        by = "cpu_s" if args.by_cpu else "seconds"
        compare("queue_log", [log], folder, args.rounds, kinds, by)
        months = sorted(DATA.glob("calls_1999-0[1-6].txt.gz")) if DATA.is_dir() else []
        if args.no_bank:
            pass
        elif len(months) == 6:
            compare("anonymous-bank", months, folder, args.rounds, kinds, by)
        else:
            print(f"anonymous-bank: skipped, {DATA} is absent")


if __name__ == "__main__":
    main()
