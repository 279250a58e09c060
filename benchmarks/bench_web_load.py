"""Concurrent report users on the served site: the dashboard and a month of KPIs by queue, on the demo month.

A bounded loopback load test: uvicorn serves the app on 127.0.0.1 in a child process; USERS asyncio clients
(httpx) each log in once and then alternate GET /reports (the dashboard page) and GET /api/reports/kpi for
January 1999 by day and queue, until REQUESTS requests are done or SECONDS have passed. It reports, per
endpoint, p50/p95/p99 latency, errors (any status but 200, or a transport error) and requests per second.

Baseline, side by side in the same run: the same server reading only the calls table (``read_model="calls"``,
how every KPI was computed before the pre-aggregates); the ratio of p95s is printed. Run:

    .venv/bin/python benchmarks/bench_web_load.py [--users 20] [--requests 600] [--seconds 90]
    .venv/bin/python benchmarks/bench_web_load.py --postgres postgresql://postgres@127.0.0.1/postgres --users 100

The database at --url is migrated and gets the demo month (idempotent); --postgres ADMIN_URL creates a scratch
database on that server for the run and drops it after; with neither, a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scratch_postgres import scratch_postgres

ENDPOINTS = {
    "dashboard": "/reports",
    "month by queue": "/api/reports/kpi?from=1999-01-01&to=1999-01-31&grain=day&by=queue&tz=Asia/Jerusalem",
}
USER, PASSWORD = "manager", "manager-demo-1"


def _serve(port: int, read_model: str) -> None:
    """The child: the app under uvicorn, its KPI reports reading ``read_model``."""
    import uvicorn

    from callops.store import kpi_query

    for function in (kpi_query.kpi_report, kpi_query.agent_report, kpi_query.query_buckets):
        assert function.__kwdefaults__ is not None
        function.__kwdefaults__["read_model"] = read_model  # the baseline: what the server did before
    uvicorn.run("callops.web:app_from_env", factory=True, host="127.0.0.1", port=port, log_level="warning",
                proxy_headers=False, server_header=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _load(base: str, users: int, requests: int, seconds: float) -> dict[str, dict[str, float]]:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=30.0) as client:
        for _ in range(600):  # wait for the server (a minute on a loaded machine)
            try:
                await client.get("/static/css/callops.css")
                break
            except httpx.TransportError:
                await asyncio.sleep(0.1)
        login = await client.post("/api/login", json={"username": USER, "password": PASSWORD})
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        for path in ENDPOINTS.values():  # warm up
            (await client.get(path, headers=headers)).raise_for_status()
        times: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
        errors = dict.fromkeys(ENDPOINTS, 0)
        issued = 0
        started = time.perf_counter()
        deadline = started + seconds

        async def user(index: int) -> None:
            nonlocal issued
            names = list(ENDPOINTS)
            turn = index
            while issued < requests and time.perf_counter() < deadline:
                issued += 1
                name = names[turn % len(names)]
                turn += 1
                t0 = time.perf_counter()
                try:
                    response = await client.get(ENDPOINTS[name], headers=headers)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                times[name].append(time.perf_counter() - t0)
                errors[name] += 0 if ok else 1

        await asyncio.gather(*(user(i) for i in range(users)))
        wall = time.perf_counter() - started
    return {name: {"n": len(t), "errors": errors[name], "p50": _percentile(t, 0.5) * 1000,
                   "p95": _percentile(t, 0.95) * 1000, "p99": _percentile(t, 0.99) * 1000,
                   "mean": statistics.fmean(t) * 1000 if t else float("nan"), "rps": len(t) / wall}
            for name, t in times.items()}


def _prepare(url: str) -> None:
    import sqlalchemy as sa

    from callops.demo import load_demo
    from callops.store import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        present = conn.execute(sa.text("SELECT count(*) FROM calls WHERE source = 'anonymous-bank'")).scalar_one()
    if not present:
        load_demo(engine)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file with the demo month)")
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server: run on a scratch database there")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=600, help="requests in all, per read model")
    parser.add_argument("--seconds", type=float, default=90.0, help="at most this long per read model")
    parser.add_argument("--read-models", default="calls,aggregates")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--read-model", default="aggregates", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve, args.read_model)
        return
    with tempfile.TemporaryDirectory() as tmp, (scratch_postgres(args.postgres, "callops_load") if args.postgres
                                                else contextlib.nullcontext(None)) as scratch:
        url = args.url or scratch or f"sqlite:///{Path(tmp) / 'load.db'}"
        _prepare(url)
        env = {**os.environ, "CALLOPS_DATABASE_URL": url, "CALLOPS_SECRET_KEY": "bench-" + "k" * 40}
        results = {}
        for read_model in args.read_models.split(","):
            port = _free_port()
            server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--read-model", read_model],
                                      env=env)
            try:
                results[read_model] = asyncio.run(_load(f"http://127.0.0.1:{port}", args.users, args.requests,
                                                        args.seconds))
            finally:
                server.terminate()
                server.wait(timeout=30)
    engine_name = url.split(":", 1)[0]
    print(f"\n{args.users} concurrent users on {engine_name}, demo month (31 k calls), "
          f"{args.requests} requests or {args.seconds:.0f} s per read model")
    print(f"{'read model':<11} {'endpoint':<15} {'n':>5} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'req/s':>6}")
    for read_model, by_endpoint in results.items():
        for name, r in by_endpoint.items():
            print(f"{read_model:<11} {name:<15} {r['n']:>5} {r['errors']:>6} {r['p50']:>8.1f} {r['p95']:>8.1f} "
                  f"{r['p99']:>8.1f} {r['rps']:>6.1f}")
    if {"calls", "aggregates"} <= results.keys():
        for name in ENDPOINTS:
            ratio = results["calls"][name]["p95"] / results["aggregates"][name]["p95"]
            print(f"p95 {name}: calls table / pre-aggregates = {ratio:.1f}x")


if __name__ == "__main__":
    main()
