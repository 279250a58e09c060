"""What the plan page pays for the effective headcount: the ramp table measured from the learning curves of the
latest 200 hires (26 weeks of calls each), the first time and again the same day (kept per process), against
the baseline of a table the site set (one settings read); plus the effective headcount. SQLite, temporary.

Run: .venv/bin/python benchmarks/bench_people_ramp.py [--hires 200] [--calls-per-week 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
import zoneinfo
from pathlib import Path

from callops.people import Position, Spell, Stint
from callops.people.ramp_fraction import RampTable
from callops.records import Agent, Call, Direction, Outcome
from callops.services.people_staffing import effective_staff, ramp_table, set_ramp_table
from callops.store import make_engine, upgrade
from callops.store.directory import save_agent, save_team
from callops.store.people import save_people
from callops.store.records import insert_calls

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _best(fn: object, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hires", type=int, default=200)
    parser.add_argument("--calls-per-week", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'ramp.db'}")
        upgrade(engine)
        first = dt.date(2025, 1, 6)
        with engine.begin() as conn:
            save_team(conn, "t1")
            people = {}
            for n in range(args.hires):
                person = f"h{n:04d}"
                hire = first + dt.timedelta(days=n % 180)
                people[person] = [Stint(person, (Spell(hire, None, "t1", Position.AGENT),))]
                save_agent(conn, Agent(person, person, team="t1", skills={"PS": 5}))
            save_people(conn, people, actor="bench", now=NOW)
            calls = []
            for person, (stint,) in people.items():
                for week in range(1, 27):
                    handle_s = 180.0 * (1 + 1 / week)
                    for i in range(args.calls_per_week):
                        at = dt.datetime.combine(
                            stint.hire_on + dt.timedelta(weeks=week - 1, days=i % 5), dt.time(9, i % 60), TZ
                        )
                        calls.append(
                            Call(
                                "bench",
                                f"{person}-{week}-{i}",
                                Direction.INBOUND,
                                Outcome.ANSWERED,
                                queue="PS",
                                queue_entered_at=at,
                                answered_at=at,
                                ended_at=at + dt.timedelta(seconds=handle_s),
                                agent=person,
                                talk_s=handle_s,
                            )
                        )
            insert_calls(conn, calls)
        today = dt.date(2026, 1, 5)
        with engine.connect() as conn:
            began = time.perf_counter()
            table = ramp_table(conn, today=today, tz=TZ)  # measured: the first time today in this process
            measured_s = time.perf_counter() - began
            cached_s = _best(lambda: ramp_table(conn, today=today, tz=TZ))
            staff_s = _best(lambda: effective_staff(conn, on=today, queue="PS", table=table))
        with engine.begin() as conn:
            set_ramp_table(conn, RampTable((0.3, 0.6, 0.9), "set"), actor="bench", now=NOW)
        with engine.connect() as conn:
            set_s = _best(lambda: ramp_table(conn, today=today, tz=TZ))
        print(
            f"{args.hires} hires, {len(calls):,} calls; measured table: {table.source}, weeks "
            f"{list(table.measured_weeks)[:3]}..., fractions {table.fractions[:4]}"
        )
        print(
            f"ramp table measured, first (baseline: site-set)  {measured_s * 1000:8.1f} ms   {set_s * 1000:8.2f} ms"
            f"   ratio {measured_s / set_s:,.0f}x"
        )
        print(
            f"ramp table measured, again (baseline: site-set)  {cached_s * 1000:8.2f} ms   {set_s * 1000:8.2f} ms"
            f"   ratio {cached_s / set_s:,.1f}x"
        )
        print(f"effective headcount of queue PS            {staff_s * 1000:8.1f} ms")
        engine.dispose()


if __name__ == "__main__":
    main()
