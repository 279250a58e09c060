"""FCR from the gap kept with each call vs the window function over the calls table, on generated calls (SQLite).

Generates --rows calls over 2025 (default 500,000): 85 % inbound, callers drawn from a pool of a third as many
numbers (40 % of the calls from a fiftieth of them, about every six days each; the rest a few times a year),
8 queues, answered two times in three. They are
written through the import path (``prepare_calls`` + ``insert_prepared``, 100,000 a batch: the pre-aggregates'
increment and the kept gaps, timed) into a fresh SQLite file. Then offered, answered, FCR and its base by queue
(FCR beside other KPIs, as in the default set), side by side, best of 3:

  month by day:  March in Shanghai, the default 7-day window;
  year by month: 2025 in Shanghai, windows of 7 and 30 days;

each from the kept gaps (``read_model="aggregates"``, what the pages read) and by the window function over the
calls table (``read_model="calls"``, the definition and what reports did before), checked equal row for row (the
rows where something was counted: the window leaves out buckets of outbound calls only, which the pre-aggregates
list with zeros).
Prints each ratio, and the CPU of the writes with and without the kept gaps (the same batches into a second
file through a ``gaps_of_new`` that finds none: the upkeep's cost).

Run:  .venv/bin/python benchmarks/kpi_fcr.py [--rows 500000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from callops.metrics import Grain, KpiOptions, KpiRequest
from callops.store import make_engine, upgrade

TZ = "Asia/Shanghai"
QUEUES = [f"q{i}" for i in range(8)]
BATCH = 100_000
KPIS = ("offered", "answered", "fcr", "fcr_base")  # with the report's other KPIs, as the default set has them


def _rows(n: int, seed: int = 7) -> Iterator[tuple[Any, ...]]:
    """Stored call rows (``CALL_FIELDS``) in batches of ``BATCH``."""
    from callops.records import Call, Direction, Outcome
    from callops.store.record_batches import row_of_call

    rng = np.random.default_rng(seed)
    start = int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
    starts = np.sort(rng.integers(start, start + 365 * 86_400_000, n))
    pool = max(1, n // 3)
    frequent = rng.random(n) < 0.4  # 40 % of the calls from a fiftieth of the callers: about every 6 days each
    callers = np.where(frequent, rng.integers(0, max(1, pool // 50), n), rng.integers(0, pool, n))
    inbound = rng.random(n) < 0.85
    answered = rng.random(n) < 0.67
    waits = rng.exponential(25.0, n)
    queues = rng.integers(0, len(QUEUES), n)
    for i in range(n):
        at = dt.datetime.fromtimestamp(int(starts[i]) / 1000, dt.UTC)
        ok = bool(answered[i])
        yield row_of_call(Call(
            source="fcr-bench", source_call_id=str(i),
            direction=Direction.INBOUND if inbound[i] else Direction.OUTBOUND,
            outcome=Outcome.ANSWERED if ok else (Outcome.ABANDONED if inbound[i] else Outcome.NO_ANSWER),
            queue=QUEUES[int(queues[i])] if inbound[i] else None, caller_number=f"1390{int(callers[i]):07d}",
            queue_entered_at=at if inbound[i] else None,
            answered_at=at + dt.timedelta(seconds=float(waits[i])) if ok else None,
            ended_at=at + dt.timedelta(seconds=float(waits[i]) + 180), agent=f"a{int(queues[i]) * 10 + i % 10}" if ok
            else None, talk_s=170.0 if ok else 0.0))


def _load(url: str, n: int, with_gaps: bool) -> float:
    """Write the calls through the import path; the CPU seconds it took."""
    from callops.store import record_batches

    if not with_gaps:  # the same writes with an upkeep that finds nothing: the baseline of the upkeep's cost
        record_batches.gaps_of_new = lambda conn, new: [None] * len(new)  # type: ignore[attr-defined]
    engine = make_engine(url)
    cpu = time.process_time()
    batch: list[tuple[Any, ...]] = []
    for number, row in enumerate(_rows(n)):
        batch.append(row)
        if len(batch) == BATCH or number == n - 1:
            prepared = record_batches.prepare_calls(batch)
            with engine.begin() as conn:
                record_batches.insert_prepared(conn, prepared, import_id=number)
            batch = []
    engine.dispose()
    return time.process_time() - cpu


def _best(url: str, request: KpiRequest, read_model: str, runs: int = 3) -> tuple[float, list[Any]]:
    from callops.store.kpi_query import kpi_report

    engine = make_engine(url)
    best, rows = float("inf"), []
    for _ in range(runs):
        began = time.perf_counter()
        rows = kpi_report(engine, request, read_model=read_model)  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - began)
    engine.dispose()
    return best, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=500_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        urls = {kind: f"sqlite:///{Path(tmp) / kind}.db" for kind in ("kept", "bare")}
        for url in urls.values():
            upgrade(make_engine(url))
        bare_cpu = _fork_load(urls["bare"], args.rows, with_gaps=False)
        kept_cpu = _load(urls["kept"], args.rows, with_gaps=True)
        print(f"{args.rows:,} calls written through the import path: CPU {kept_cpu:.1f} s with the kept gaps, "
              f"{bare_cpu:.1f} s without ({kept_cpu / bare_cpu:.2f}x)")
        reports = [
            ("March by day, 7 days", KpiRequest(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31), grain=Grain.DAY,
                                                tz=TZ, dims=("queue",), kpis=KPIS, agent_states=False)),
            *((f"2025 by month, {days} days", KpiRequest(
                start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), grain=Grain.MONTH, tz=TZ, dims=("queue",),
                kpis=KPIS, options=KpiOptions(fcr_days=days), agent_states=False))
              for days in (7, 30)),
        ]
        print(f"{'report (by queue)':<24} {'kept gaps':>10} {'window':>10} {'ratio':>7}")
        for name, request in reports:
            fast, kept_rows = _best(urls["kept"], request, "aggregates")
            slow, window_rows = _best(urls["kept"], request, "calls")
            if _counted(kept_rows) != _counted(window_rows):
                raise SystemExit(f"{name}: the kept gaps and the window disagree")
            print(f"{name:<24} {fast * 1000:>8.1f} ms {slow * 1000:>8.1f} ms {slow / fast:>6.1f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; rows identical")


def _counted(rows: list[Any]) -> list[Any]:
    """The rows with something counted: the calls table's window leaves out buckets where no call can count (only
    outbound calls, for these inbound KPIs), which the pre-aggregates list with zeros; the values are compared."""
    return [r for r in rows if r.kpis["offered"] or r.kpis["fcr_base"]]


def _fork_load(url: str, n: int, with_gaps: bool) -> float:
    """``_load`` in a child process (its patched upkeep stays there)."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        return float(pool.apply(_load, (url, n, with_gaps)))


if __name__ == "__main__":
    main()
