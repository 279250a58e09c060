"""Import speed against DuckDB's read_csv of the same file (the parsing floor), with peak memory.

Run: .venv/bin/python benchmarks/bench_import.py [--lines 1000000]
1. a generated queue_log of --lines lines (a realistic mix of queue and agent events) into a temp SQLite,
   while another connection commits one row every 20 ms (its longest wait is printed: the write lock);
2. the six Anonymous Bank months from ../shared/data/anonymous-bank-1999 (skipped when absent).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from callops.ingest import import_files
from callops.store import make_engine, upgrade

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "anonymous-bank-1999"


def write_queue_log(path: Path, lines: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    agents = [f"SIP/{8000 + i}" for i in range(40)]
    t = 1_700_000_000
    out = [f"{t}|NONE|NONE|NONE|QUEUESTART|"]
    out += [f"{t}|MANAGER|support|{a}|ADDMEMBER|" for a in agents]
    n = 0
    while len(out) < lines:
        n += 1
        t += rng.randint(1, 20)
        callid = f"{t}.{n}"
        out.append(f"{t}|{callid}|support|NONE|ENTERQUEUE||1555{n:07d}|1")
        wait = rng.randint(0, 120)
        agent = rng.choice(agents)
        roll = rng.random()
        if roll < 0.1:
            out.append(f"{t + wait}|{callid}|support|NONE|ABANDON|1|1|{wait}")
        elif roll < 0.13:
            out.append(f"{t + wait}|{callid}|support|NONE|EXITWITHTIMEOUT|1|1|{wait}")
        else:
            talk = rng.randint(20, 600)
            out.append(f"{t + wait - 1}|{callid}|support|{agent}|RINGNOANSWER|1000")
            out.append(f"{t + wait}|{callid}|support|{agent}|CONNECT|{wait}|{callid}9|1")
            out.append(f"{t + wait + talk}|{callid}|support|{agent}|COMPLETECALLER|{wait}|{talk}|1")
        if rng.random() < 0.02:
            out.append(f"{t}|NONE|support|{agent}|PAUSE|Break")
            out.append(f"{t + 300}|NONE|support|{agent}|UNPAUSE|")
    path.write_text("\n".join(sorted(out[:lines], key=lambda s: int(s.split("|", 1)[0]))) + "\n")


def floor_s(paths: list[Path], delim: str, header: bool) -> float:
    start = time.perf_counter()
    con = duckdb.connect()
    for p in paths:
        con.execute(f"SELECT count(*) FROM read_csv('{p}', delim='{delim}', header={header}, all_varchar=true, "
                    "null_padding=true, quote='')").fetchall()
    return time.perf_counter() - start


def import_once(db: Path, fmt: str, tz: str, paths: list[str]) -> None:
    """Child process: import into a fresh SQLite file while another writer commits a row every 20 ms;
    print seconds, counts, the peak RSS, how long the import held the write lock and the other writer's
    longest wait."""
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    with sqlite3.connect(db) as setup:
        setup.execute("CREATE TABLE bench_writes (at REAL)")
    waits: list[float] = []
    done = threading.Event()

    def writer() -> None:
        other = sqlite3.connect(db, timeout=60, isolation_level=None)
        while not done.is_set():
            asked = time.perf_counter()
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO bench_writes VALUES (?)", (asked,))
            other.execute("COMMIT")
            waits.append(time.perf_counter() - asked)
            time.sleep(0.02)
        other.close()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    start = time.perf_counter()
    try:
        report = import_files(engine, [Path(p) for p in paths], fmt=fmt, tz=tz)
    finally:
        done.set()
        thread.join()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "calls": report.calls, "intervals": report.agent_intervals,
                      "rss_mb": peak_rss_mb(), "write_s": report.write_s, "max_wait_s": max(waits),
                      "writes": len(waits)}))


def peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM on Linux (ru_maxrss there survives exec from the parent)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(name: str, paths: list[Path], fmt: str, tz: str, delim: str, header: bool, folder: Path) -> None:
    """The import in its own process (so its peak memory is its own), then DuckDB's read of the same files."""
    out = subprocess.run([sys.executable, __file__, "--child", str(folder / "bench.db"), fmt, tz,
                          *map(str, paths)], check=True, capture_output=True, text=True).stdout
    ours = json.loads(out.strip().splitlines()[-1])
    (folder / "bench.db").unlink()
    floor = floor_s(paths, delim, header)
    print(f"{name}: callops import {ours['seconds']:.2f} s ({ours['calls']} calls, {ours['intervals']} "
          f"intervals), duckdb read_csv {floor:.2f} s, ratio {ours['seconds'] / floor:.1f}x, "
          f"import peak RSS {ours['rss_mb']:.0f} MB; write lock held {ours['write_s']:.2f} s of "
          f"{ours['seconds']:.2f} s (before: the whole import), another writer's longest wait "
          f"{ours['max_wait_s']:.2f} s over {ours['writes']} writes")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        import_once(Path(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        log = folder / "queue_log"
        write_queue_log(log, args.lines)
        run(f"queue_log {args.lines:,} lines", [log], "asterisk-queue-log", "UTC", "|", False, folder)
        months = sorted(DATA.glob("calls_1999-0[1-6].txt.gz")) if DATA.is_dir() else []
        if len(months) == 6:
            run("anonymous-bank 6 months", months, "anonymous-bank", "Asia/Jerusalem", "\t", True, folder)
        else:
            print(f"anonymous-bank: skipped, {DATA} is absent")


if __name__ == "__main__":
    main()
