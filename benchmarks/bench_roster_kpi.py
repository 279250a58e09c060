"""Adherence as a KPI (issue 11): ``kpi_report`` with the roster KPIs beside ``callops adherence``'s own function
(``services.roster_adherence.adherence_over``, the baseline) on one SQLite database.

    .venv/bin/python benchmarks/bench_roster_kpi.py [--agents 300] [--days 7]

The site: N agents, each on a 9-hour shift every weekday (meal and rest breaks), published; agent states
every day: ready and on call in alternating 20-minute stretches, the meal away, five minutes late back.
Prints the wall time of each, the ratio, and checks the KPI total equals the baseline's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from callops.metrics import Grain, KpiRequest  # noqa: E402
from callops.scheduling.adherence import total  # noqa: E402
from callops.scheduling.roster_model import RosterBreak, RosterShift  # noqa: E402
from callops.services.roster_adherence import adherence_over  # noqa: E402
from callops.store.engine import make_engine, upgrade  # noqa: E402
from callops.store.kpi_query import kpi_report  # noqa: E402
from callops.store.rosters import publish_roster, save_roster  # noqa: E402
from callops.store.schema import agent_intervals  # noqa: E402

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 12, 7)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=300)
    ap.add_argument("--days", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        upgrade(engine)
        shifts: list[RosterShift] = []
        states: list[dict[str, object]] = []
        for d in range(args.days):
            day = MONDAY + dt.timedelta(days=d)
            for i in range(args.agents):
                start = dt.datetime.combine(day, dt.time(7 + i % 6), TZ)
                meal = (start + dt.timedelta(hours=4), start + dt.timedelta(hours=5))
                rest = (start + dt.timedelta(hours=2), start + dt.timedelta(hours=2, minutes=15))
                shifts.append(RosterShift(f"A{i:04d}", start, start + dt.timedelta(hours=9), (
                    RosterBreak(*rest, "rest", True), RosterBreak(*meal, "meal", False))))
                t, k = start, 0
                while t < start + dt.timedelta(hours=9):
                    if meal[0] <= t < meal[1]:
                        end, state = meal[1] + dt.timedelta(minutes=5), "away"
                    else:
                        end = t + dt.timedelta(minutes=20)
                        end, state = (min(end, meal[0]) if t < meal[0] else end), ("ready" if k % 2 else "on_call")
                    states.append({"source": "bench", "agent": f"A{i:04d}", "state": state, "start_at": t,
                                   "end_at": end})
                    t, k = end, k + 1
        with engine.begin() as conn:
            save_roster(conn, "bench", shifts, first_day=MONDAY, last_day=MONDAY + dt.timedelta(days=args.days - 1),
                        tz="Asia/Shanghai", summary={}, now=dt.datetime.now(dt.UTC), by=None)
            publish_roster(conn, "bench", 1, now=dt.datetime.now(dt.UTC), by=None)
            conn.execute(agent_intervals.insert(), states)
        last = MONDAY + dt.timedelta(days=args.days - 1)
        started = time.perf_counter()
        with engine.connect() as conn:
            base = total(adherence_over(conn, MONDAY, last, tz=TZ).rows)
        base_s = time.perf_counter() - started
        print(f"{args.agents} agents x {args.days} days: {len(shifts):,} shifts, {len(states):,} state intervals")
        print(f"baseline callops adherence (whole period, by agent): {base_s:.2f} s; adherence {base.adherence:.4f}")
        for grain, dims in ((Grain.TOTAL, ()), (Grain.DAY, ("agent",)), (Grain.MIN15, ("team",))):
            request = KpiRequest(start=MONDAY, end=last, grain=grain, tz="Asia/Shanghai", dims=dims,
                                 kpis=("adherence", "conformance", "scheduled_s", "in_adherence_s"))
            started = time.perf_counter()
            rows = kpi_report(engine, request)
            wall = time.perf_counter() - started
            scheduled = sum(r.kpis["scheduled_s"] or 0 for r in rows)
            matched = sum(r.kpis["in_adherence_s"] or 0 for r in rows)
            same = abs(scheduled - base.scheduled_s) < 1e-3 and abs(matched - base.in_adherence_s) < 1e-3
            print(f"KPI layer, grain {grain.value}, by {','.join(dims) or '-'}: {wall:.2f} s ({len(rows):,} rows), "
                  f"{wall / base_s:.1f}x the baseline; totals equal the baseline: {same}")
        engine.dispose()


if __name__ == "__main__":
    main()
