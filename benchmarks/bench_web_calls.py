"""Calls page on 1,000,000 calls: keyset paging and the bounded count vs OFFSET paging and COUNT(*).

Baseline: the usual way, ``ORDER BY started_at DESC, id DESC LIMIT 50 OFFSET n`` and a
``COUNT(*)`` of every matching call on each page view. Run:

    .venv/bin/python benchmarks/bench_web_calls.py [--calls 1000000] [--url sqlite:///path.db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from callops.store import make_engine, upgrade
from callops.store.records import CallFilter
from callops.store.schema import calls
from callops.store.types import to_millis
from callops.web.call_pages import bounded_count, page_calls
from callops.web.filters import Paging

PAGE = 50


def fill(engine: sa.Engine, n: int) -> None:
    rng = random.Random(7)
    start = to_millis(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    span = 365 * 86_400_000
    queues = ["PS", "NW", "IN", "TT"]
    outcomes = ["answered"] * 8 + ["abandoned", "timeout"]
    with engine.begin() as conn:
        for first in range(0, n, 50_000):
            rows = []
            for i in range(first, min(n, first + 50_000)):
                at = start + rng.randrange(span)
                outcome = outcomes[rng.randrange(len(outcomes))]
                rows.append({"source": "bench", "source_call_id": str(i), "direction": "inbound", "outcome": outcome,
                             "queue": queues[i % 4], "call_type": "regular", "caller_number": "13812345678",
                             "priority": 0, "started_at": at, "queue_entered_at": at, "talk_s": 100.0, "hold_s": 0.0,
                             "acw_s": 0.0, "agent": f"A{i % 200}" if outcome == "answered" else None})
            conn.execute(calls.insert(), rows)
    with engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))  # planner statistics, as a database in service has them


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--url", help="an empty database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        t0 = time.perf_counter()
        fill(engine, args.calls)
        print(f"{engine.dialect.name}: {args.calls:,} calls loaded in {time.perf_counter() - t0:.1f} s")
        flt = CallFilter()
        c = calls.c
        depth = args.calls // 2
        with engine.connect() as conn:
            # the cursor of the row at ``depth``, as a user clicking "older" would hold it
            key = conn.execute(sa.select(c.started_at, c.id).order_by(c.started_at.desc(), c.id.desc())
                               .offset(depth).limit(1)).one()
            paging = Paging(cursor=(key.started_at, int(key.id)), direction="next", limit=PAGE)
            offset_query = (sa.select(calls).where(flt.where()).order_by(c.started_at.desc(), c.id.desc())
                            .offset(depth).limit(PAGE))
            keyset_s = best_of(lambda: page_calls(conn, flt, paging))
            offset_s = best_of(lambda: list(conn.execute(offset_query)))
            bounded_s = best_of(lambda: bounded_count(conn, flt))
            full_s = best_of(lambda: conn.execute(sa.select(sa.func.count()).select_from(calls)
                                                  .where(flt.where())).scalar_one())
            after_cursor = offset_query.offset(depth + 1)  # the rows right after the cursor's row
            same = [i for i, _ in page_calls(conn, flt, paging).rows] == [int(r.id) for r in
                                                                          conn.execute(after_cursor)]
        engine.dispose()
    print(f"page of {PAGE} at row {depth:,}: keyset {keyset_s * 1000:.2f} ms, OFFSET {offset_s * 1000:.2f} ms, "
          f"ratio OFFSET/keyset {offset_s / keyset_s:.0f}x  (same rows: {same})")
    print(f"count per page view: bounded (<=1000) {bounded_s * 1000:.2f} ms, COUNT(*) {full_s * 1000:.2f} ms, "
          f"ratio {full_s / bounded_s:.0f}x")


if __name__ == "__main__":
    main()
