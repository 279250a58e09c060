"""What service level at each queue's own threshold costs a report, on the demo month (31,279 calls).

Baseline: ``kpi_report`` at one threshold for every queue (what the pages did before). Against it:
``kpi_report_at_queue_thresholds`` with the demo queues given three thresholds (NE 60 s, PS 30 s, the rest
20 s): by queue it adds one service-level-only run per other threshold; not by queue (totals, dashboard) one
run per threshold with the queue added. Reports: the builder's month by day by queue (10 KPIs), the monthly
page's totals (month, compared with the previous), and the dashboard's today by 30 minutes. Median of 7 runs
each, on SQLite reading the pre-aggregates (the pages' default).
Run:  .venv/bin/python benchmarks/bench_queue_thresholds.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from callops.demo import load_demo
from callops.metrics import Grain, KpiRequest
from callops.services.queue_service_level import kpi_report_at_queue_thresholds, queue_thresholds
from callops.store import make_engine, upgrade
from callops.store.directory import save_queue
from callops.store.kpi_query import kpi_report
from callops.store.queue_targets import queue_targets

TZ = "Asia/Jerusalem"
KPIS = (
    "offered",
    "answered",
    "abandoned",
    "answer_rate",
    "service_level",
    "abandon_rate",
    "loss_rate",
    "asa_s",
    "aht_s",
    "longest_wait_s",
)
RUNS = 7


def _median_ms(run: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'demo.db'}")
        upgrade(engine)
        load_demo(engine)
        with engine.begin() as conn:
            save_queue(conn, "NE", sl_threshold_s=60)
            save_queue(conn, "PS", sl_threshold_s=30)
        month = KpiRequest(
            start=dt.date(1999, 1, 1), end=dt.date(1999, 1, 31), grain=Grain.DAY, tz=TZ, kpis=KPIS, agent_states=False
        )
        reports = {
            "builder: month x day x queue": dataclasses.replace(month, dims=("queue",)),
            "monthly page: totals vs previous": dataclasses.replace(month, grain=Grain.MONTH, compare_previous=True),
            "dashboard: today by 30 min": dataclasses.replace(
                month, start=dt.date(1999, 1, 31), grain=Grain.MIN30, kpis=("offered", "service_level")
            ),
        }
        with engine.connect() as conn:
            thresholds = queue_thresholds(queue_targets(conn), 20.0)
            print(f"{'report':36} {'one T (ms)':>11} {'each queue T (ms)':>18} {'ratio':>6}")
            for name, request in reports.items():
                base = _median_ms(lambda r=request: kpi_report(conn, r))
                own = _median_ms(lambda r=request: kpi_report_at_queue_thresholds(conn, r, thresholds))
                print(f"{name:36} {base:11.1f} {own:18.1f} {own / base:6.2f}")
        engine.dispose()


if __name__ == "__main__":
    main()
