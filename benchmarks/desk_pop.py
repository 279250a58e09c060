"""The agent screen's pop on PostgreSQL: the card of the caller on an agent's current call, read from an hour of
live events at 200 events/s (720,000 events), against the same read without the ``live_events (call_id, at)``
index of migration 0015 (the caller's ``call_offered`` event then found among the hour's events by time).

    .venv/bin/python benchmarks/desk_pop.py [--events-per-s 200] [--minutes 60] [--customers 50000]

The card: ``current_caller`` (the agent's latest ringing/answered event, then the caller of that call), the
customer of the normalised number and their five latest timeline items; timed for random agents at the end of
the hour, p50/p95 in ms, and the ratio baseline / indexed. The target of issue 16 is 300 ms from the ringing
event. A scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

import sqlalchemy as sa
from scratch_postgres import scratch_postgres

from callops.dialer.phones import normalise_phone
from callops.store import make_engine, upgrade
from callops.store.desk_callbacks import customer_of_phone, customer_timeline, get_customer
from callops.store.desk_pop import current_caller

END = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)
AGENTS = 200


def fill(conn: sa.Connection, *, calls: int, seconds: int, customers: int) -> None:
    end_ms = int(END.timestamp() * 1000)
    start_ms = end_ms - seconds * 1000
    conn.execute(sa.text(
        "INSERT INTO customers (id, created_at) SELECT i, :t FROM generate_series(1, :n) i"),
        {"t": start_ms, "n": customers})
    conn.execute(sa.text(
        "INSERT INTO customer_phones (phone, customer_id, added_at) "
        "SELECT '+86138' || lpad(i::text, 8, '0'), i, :t FROM generate_series(1, :n) i"), {"t": start_ms,
                                                                                             "n": customers})
    conn.execute(sa.text("""
        INSERT INTO live_events (kind, at, source, call_id, queue, agent, caller, data, appended_at)
        SELECT k.kind, c.t + k.dt, 'bench', 'call-' || c.i, 'Q', CASE WHEN k.kind <> 'call_offered'
               THEN 'A' || (c.i % :agents) END,
               CASE WHEN k.kind = 'call_offered' THEN '138' || lpad((1 + c.i % :customers)::text, 8, '0') END,
               '{}'::json, c.t + k.dt
        FROM (SELECT i, :start + (i::bigint * :span) / :calls AS t FROM generate_series(1, :calls) i) c
        CROSS JOIN (VALUES ('call_offered', 0), ('call_ringing', 5000), ('call_answered', 10000),
                           ('call_ended', 200000)) AS k(kind, dt)"""),
        {"agents": AGENTS, "customers": customers, "start": start_ms, "span": seconds * 1000, "calls": calls})


def card(conn: sa.Connection, agent: str) -> object:
    call = current_caller(conn, agent, now=END)
    assert call is not None and call.caller is not None, agent
    customer_id = customer_of_phone(conn, normalise_phone(call.caller))
    assert customer_id is not None
    return customer_timeline(conn, get_customer(conn, customer_id), limit=5)


def timed(conn: sa.Connection, rng: random.Random, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        agent = f"A{rng.randrange(AGENTS)}"
        t0 = time.perf_counter()
        card(conn, agent)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events-per-s", type=int, default=200)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    seconds = args.minutes * 60
    calls = args.events_per_s * seconds // 4  # four events per call
    with scratch_postgres(args.admin_url, "callops_bench_pop") as url:
        engine = make_engine(url)
        try:
            _run(engine, args, calls=calls, seconds=seconds)
        finally:
            engine.dispose()


def _run(engine: sa.Engine, args: argparse.Namespace, *, calls: int, seconds: int) -> None:
    upgrade(engine)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        fill(conn, calls=calls, seconds=seconds, customers=args.customers)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    print(f"{calls * 4:,} live events ({args.events_per_s}/s for {args.minutes} min), {args.customers:,} "
          f"customers; filled in {time.perf_counter() - t0:.0f} s; {args.repeat} cards")
    with engine.connect() as conn:
        p50, p95 = timed(conn, random.Random(3), args.repeat)
        conn.execute(sa.text('DROP INDEX "ix_live_events_call_id_at"'))
        b50, b95 = timed(conn, random.Random(3), max(5, args.repeat // 5))
        conn.rollback()
    print(f"card with the (call_id, at) index: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    print(f"baseline without it:               p50 {b50:.1f} ms, p95 {b95:.1f} ms; p95 ratio {b95 / p95:.0f}x")


if __name__ == "__main__":
    main()
