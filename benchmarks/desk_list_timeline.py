"""Service desk on PostgreSQL: the ticket list and a customer's timeline at generated scale, with the desk's
indexes (migration 0015) against the same queries without them.

Baseline: the same store functions (``store.desk.list_tickets``, ``store.desk_callbacks.customer_timeline``)
after dropping the desk's indexes (tickets by state/category/owner/customer/opened_at, calls by caller number)
inside a transaction that is rolled back: what the queries cost on the tables as they were before 0015.

    .venv/bin/python benchmarks/desk_list_timeline.py [--tickets 500000] [--calls 1000000] [--customers 100000]
        [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

It creates a scratch database, fills it server-side (generate_series) with the secondary indexes of ``tickets``
and ``calls`` dropped and built again afterwards (one sort per index instead of millions of inserts into each),
ANALYZEs, times each query N times and prints p50/p95 in ms and the ratio baseline / indexed, with the load
average before and after; the database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable

import sqlalchemy as sa
from scratch_postgres import scratch_postgres

from callops.desk import Category, TicketState
from callops.store import make_engine, upgrade
from callops.store.desk import list_tickets
from callops.store.desk_callbacks import customer_timeline, get_customer

DESK_INDEXES = ("ix_tickets_opened_at", "ix_tickets_state_opened_at", "ix_tickets_category_opened_at",
                "ix_tickets_state_category_opened_at",
                "ix_tickets_owner_state", "ix_tickets_customer_id_opened_at", "ix_calls_caller_number_started_at",
                "ix_callbacks_customer_id_due_at")
START_MS = 1_735_689_600_000  # 2025-01-01 UTC
SPAN_MS = 2 * 365 * 86_400_000


def fill(conn: sa.Connection, *, tickets: int, calls: int, customers: int) -> None:
    """Customers with one phone each; tickets over two years (mostly closed); inbound calls from the customers."""
    conn.execute(sa.text(
        "INSERT INTO customers (id, name, created_at) SELECT i, 'c' || i, :t FROM generate_series(1, :n) i"),
        {"t": START_MS, "n": customers})
    conn.execute(sa.text(
        "INSERT INTO customer_phones (phone, customer_id, added_at) "
        "SELECT '+86138' || lpad(i::text, 8, '0'), i, :t FROM generate_series(1, :n) i"),
        {"t": START_MS, "n": customers})
    conn.execute(sa.text("""
        INSERT INTO tickets (ref, customer_id, phone, category, priority, state, owner, team, subject, opened_at,
                             resolved_at, escalated, escalation_level, wants_escalation, contacts, updated_at)
        SELECT 'B' || i, c, '+86138' || lpad(c::text, 8, '0'),
               (ARRAY['inquiry','inquiry','inquiry','complaint','suggestion','repair_order','transfer','other'])
                   [1 + i % 8],
               'normal',
               (ARRAY['closed','closed','closed','closed','closed','resolved','resolved','in_progress','new',
                      'assigned','waiting_customer','waiting_department'])[1 + (i * 7) % 12],
               'A' || (i % 200), 'T' || (i % 20), '', o, CASE WHEN (i * 7) % 12 < 7 THEN o + 7200000 END,
               i % 8 = 3 AND i % 5 = 0, 0, false, 1 + i % 3, o
        FROM (SELECT i, 1 + (hashint4(i) & 2147483647) % :customers AS c,
                     :start + ((hashint4(i + 1) & 2147483647)::bigint * 1000) % :span AS o
              FROM generate_series(1, :n) i) g"""), {"n": tickets, "customers": customers, "start": START_MS,
                                                     "span": SPAN_MS})
    conn.execute(sa.text("""
        INSERT INTO calls (source, source_call_id, direction, outcome, queue, caller_number, priority, started_at,
                           talk_s, hold_s, acw_s, agent)
        SELECT 'bench', i::text, 'inbound', CASE WHEN i % 10 = 0 THEN 'abandoned' ELSE 'answered' END, 'Q' || i % 4,
               '+86138' || lpad((1 + (hashint4(i + 7) & 2147483647) % :customers)::text, 8, '0'), 0,
               :start + ((hashint4(i + 3) & 2147483647)::bigint * 1000) % :span, 100, 0, 0, 'A' || (i % 200)
        FROM generate_series(1, :n) i"""), {"n": calls, "customers": customers, "start": START_MS, "span": SPAN_MS})
    conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('customers', 'id'), :n)"), {"n": customers})


def _secondary_indexes(conn: sa.Connection, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of each index of ``tables`` that backs no constraint (primary key, unique)."""
    rows = conn.execute(sa.text("""
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(:tables)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.indexname"""), {"tables": list(tables)})
    return [(r.indexname, r.indexdef) for r in rows]


def fill_fast(conn: sa.Connection, *, tickets: int, calls: int, customers: int) -> None:
    """``fill`` with the secondary indexes of tickets and calls dropped first and created again after it."""
    indexes = _secondary_indexes(conn, ("tickets", "calls"))
    for name, _ in indexes:
        conn.execute(sa.text(f'DROP INDEX "{name}"'))
    conn.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
    fill(conn, tickets=tickets, calls=calls, customers=customers)
    for _, ddl in indexes:
        conn.execute(sa.text(ddl))


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]


def measure(conn: sa.Connection, rng: random.Random, customers: int, repeat: int) -> dict[str, tuple[float, float]]:
    states = list(TicketState)
    categories = list(Category)
    return {
        "list: state, newest 50": timed(lambda: list_tickets(conn, state=rng.choice(states), limit=50), repeat),
        "list: state + category": timed(lambda: list_tickets(conn, state=rng.choice(states),
                                                             category=rng.choice(categories), limit=50), repeat),
        "list: an agent's open": timed(lambda: list_tickets(conn, state=TicketState.IN_PROGRESS,
                                                            scope=frozenset({f"A{rng.randrange(200)}"}), limit=50),
                                       repeat),
        "customer timeline": timed(lambda: customer_timeline(
            conn, get_customer(conn, 1 + rng.randrange(customers)), limit=50), repeat),
    }


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500_000)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with scratch_postgres(args.admin_url, "callops_bench_desk") as url:
        engine = make_engine(url)
        try:
            _run(engine, args)
        finally:
            engine.dispose()


def _run(engine: sa.Engine, args: argparse.Namespace) -> None:
    upgrade(engine)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        fill_fast(conn, tickets=args.tickets, calls=args.calls, customers=args.customers)
    filled_s = time.perf_counter() - t0
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    print(f"PostgreSQL {engine.dialect.server_version_info}: {args.tickets:,} tickets, {args.calls:,} calls, "
          f"{args.customers:,} customers, filled in {filled_s:.0f} s (indexes built after the rows), analysed in "
          f"{time.perf_counter() - t0 - filled_s:.0f} s; {args.repeat} runs each; load average "
          f"{_load()} before timing")
    with engine.connect() as conn:
        indexed = measure(conn, random.Random(1), args.customers, args.repeat)
        for ix in DESK_INDEXES:
            conn.execute(sa.text(f'DROP INDEX "{ix}"'))
        baseline = measure(conn, random.Random(1), args.customers, max(5, args.repeat // 4))
        conn.rollback()  # the indexes come back
    print(f"load average {_load()} after timing")
    print(f"{'query':28} {'indexed p50/p95 ms':>20} {'baseline p50/p95 ms':>20} {'p95 ratio':>10}")
    for key, (p50, p95) in indexed.items():
        b50, b95 = baseline[key]
        print(f"{key:28} {p50:9.2f} /{p95:8.2f} {b50:9.1f} /{b95:8.1f} {b95 / p95:9.0f}x")


if __name__ == "__main__":
    main()
