"""Concurrent report users on the served site: the dashboard and a month of KPIs by queue, on the demo month.

A bounded loopback load test: uvicorn serves the app on 127.0.0.1 in a child process; USERS asyncio clients
(httpx) each log in once and then alternate GET /reports (the dashboard page) and GET /api/reports/kpi for
January 1999 by day and queue (every default KPI, FCR included), sending the next request as soon as the last
one returns, until REQUESTS requests are done or SECONDS have passed. It reports, per endpoint, p50/p95/p99
latency, errors (any status but 200, or a transport error), requests per second, and the server's CPU time per
request over both endpoints (user + system seconds of the server process during the load / requests): the
figure other work on a shared machine does not inflate; and the load generator's own CPU per request (the clients
share the machine: on 2 cores they take a large part of one). A server process runs one thread at a time (the
GIL), so with every user waiting on it, latency is about users x that CPU time once the server has a core to itself.

Modes, side by side in the same run (``--modes``, each against a fresh server):

- ``calls``: every KPI from the calls table, no result cache: the baseline, what the server did before the
  pre-aggregates;
- ``aggregates``: the pre-aggregates, no result cache (``CALLOPS_KPI_CACHE_ENTRIES=0``): every request computes;
- ``cache-miss``: the pre-aggregates and the result cache, every month-by-queue request a different one (another
  service-level threshold on the histogram's bin edges and FCR window: the same work, a new key), so each one is
  a miss; the dashboard is the same page each time (hits);
- ``cache``: the pre-aggregates and the result cache, the same two requests over and over (hits after the
  first; what a site of report users sees between two writes);
- ``cache-whole``: as ``cache``, but every report keyed by the whole data generation (what the cache did before the
  per-day generations: any write, on any day, makes every report run again). With ``--live-writes`` this is the
  baseline of ``cache``.

``--workers 1,2`` runs each mode with one server process and with two (``callops serve --workers``; the server CPU
is then summed over the processes); ``--think S`` gives each user an exponential pause of mean S seconds before each
request (a person reading the answer) instead of sending back to back; ``--live-writes R`` runs a live writer
process inserting R calls a second (each its own transaction, as a live follow commits) on 10 February 1999, so
the dashboard's data keep changing while the month report's days (and FCR's 7 days after them) stay untouched.

The ratio of each mode's p95 to the baseline's is printed. Run:

    .venv/bin/python benchmarks/bench_web_load.py [--users 20] [--requests 600] [--seconds 90] [--workers 1,2]
    .venv/bin/python benchmarks/bench_web_load.py --postgres postgresql://postgres@127.0.0.1/postgres --users 100

The database at --url is migrated and gets the demo month (idempotent); --postgres ADMIN_URL creates a scratch
database on that server for the run and drops it after; with neither, a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
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
MODES = {  # mode: (read model, result cache entries, a different month-by-queue request each time)
    "calls": ("calls", 0, False),
    "aggregates": ("aggregates", 0, False),
    "cache-miss": ("aggregates", 256, True),
    "cache": ("aggregates", 256, False),
    "cache-whole": ("aggregates-whole", 256, False),
}
USER, PASSWORD = "manager", "manager-demo-1"


def _serve(port: int, read_model: str, workers: int) -> None:
    """The child: the app under uvicorn (``workers`` processes, as ``callops serve --workers``), its KPI reports
    reading ``read_model`` (the calls-table baseline only in one process: the worker processes import afresh)."""
    import uvicorn

    from callops.cli.serve import UVICORN_OPTIONS
    from callops.services import kpi_results
    from callops.store import kpi_query
    from callops.store.data_generation import data_generation

    if read_model == "aggregates-whole":  # the baseline of the per-day generations: any write changes every key
        read_model = "aggregates"
        kpi_results.span_generation = lambda conn, lo_ms, hi_ms: (data_generation(conn), 0)  # type: ignore[assignment]
    for function in (kpi_query.kpi_report, kpi_query.agent_report, kpi_query.query_buckets):
        assert function.__kwdefaults__ is not None
        function.__kwdefaults__["read_model"] = read_model  # the baseline: what the server did before
    uvicorn.run("callops.web:app_from_env", factory=True, host="127.0.0.1", port=port, log_level="warning",
                workers=workers if workers > 1 else None, **UVICORN_OPTIONS)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _distinct(path: str, n: int) -> str:
    """The ``n``-th different variant of a KPI request of the same cost: a service-level threshold of 1-120 s (bin
    edges of the wait histogram) and an FCR window of 1-28 days."""
    return f"{path}&sl_threshold={1 + n % 120}&fcr_days={1 + (n // 120) % 28}"


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` and its live children (the worker processes) have used so far
    (Linux /proc)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is not None and (int(entry.name) == pid or int(fields[1]) == pid):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _write_live(url: str, rate: float, seconds: float) -> None:
    """The live writer (a process of its own, as ``callops live follow`` is): ``rate`` calls a second, each in its own
    transaction, on 10 February 1999 (the dashboard's "today"; the month report's days and its FCR window of 7 days
    after them untouched), for ``seconds``."""
    from callops.records import Call, Direction, Outcome
    from callops.store import make_engine
    from callops.store.records import insert_calls

    engine = make_engine(url)
    day = dt.datetime(1999, 2, 10, 8, 0, tzinfo=dt.UTC)
    started = time.perf_counter()
    n = 0
    while time.perf_counter() - started < seconds:
        at = day + dt.timedelta(seconds=n)
        with engine.begin() as conn:
            insert_calls(conn, [Call(source="live-bench", source_call_id=f"live-{time.time_ns()}",
                                     direction=Direction.INBOUND, outcome=Outcome.ANSWERED, queue="PS",
                                     queue_entered_at=at, answered_at=at + dt.timedelta(seconds=4),
                                     ended_at=at + dt.timedelta(minutes=3), agent="LIVE", talk_s=176.0)])
        n += 1
        time.sleep(max(0.0, started + n / rate - time.perf_counter()))
    print(f"live writer: {n} calls in {time.perf_counter() - started:.0f} s")


class _Connection:
    """One user's keep-alive HTTP/1.1 connection, as a browser keeps one: a raw request written and its response read
    off asyncio streams (status, headers, a body by Content-Length or chunked). A few dozen microseconds of CPU a
    request, where a general client (httpx: ~2.5 ms) took as much of the shared cores as the server's answer, and
    whose pool of 20 kept connections made 80 of 100 users connect anew for every request. A request that finds its
    kept connection closed by the server (idle past its keep-alive time) is sent again on a new one, as browsers
    do."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"{host}:{port}", **headers}.items())
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        reused = self.streams is not None
        try:
            return await self._get(path)
        except (OSError, asyncio.IncompleteReadError) as exc:
            if not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                raise
            return await self._get(path)  # the server closed the idle connection: a browser sends it again anew

    async def _get(self, path: str) -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        try:
            writer.write(f"GET {path} HTTP/1.1\r\n{self.head}\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            if "content-length" in fields:
                body = await reader.readexactly(int(fields["content-length"]))
            else:  # chunked
                parts = []
                while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                    parts.append(await reader.readexactly(size + 2))
                await reader.readuntil(b"\r\n")
                body = b"".join(p[:-2] for p in parts)
            if fields.get("connection", "").lower() == "close":
                await self.close()
            return status, body
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
            await self.close()
            raise

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def _load(base: str, users: int, requests: int, seconds: float, distinct: bool,
                server_pid: int, think_s: float) -> dict[str, dict[str, float]]:
    import random

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
    host, port = base.removeprefix("http://").split(":")
    times: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
    errors = dict.fromkeys(ENDPOINTS, 0)
    issued = 0
    cpu_before = _cpu_s(server_pid)
    client_before = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds

    async def user(index: int) -> None:
        nonlocal issued
        names = list(ENDPOINTS)
        turn = index
        pause = random.Random(index)
        connection = _Connection(host, int(port), headers)
        while issued < requests and time.perf_counter() < deadline:
            if think_s > 0:  # a user reading the last answer: exponential, mean think_s
                await asyncio.sleep(pause.expovariate(1 / think_s))
            issued += 1
            name = names[turn % len(names)]
            turn += 1
            path = ENDPOINTS[name]
            if distinct and "?" in path:
                path = _distinct(path, issued)
            t0 = time.perf_counter()
            try:
                status, _ = await asyncio.wait_for(connection.get(path), 30.0)
                ok = status == 200
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError,
                    TimeoutError):
                await connection.close()
                ok = False
            times[name].append(time.perf_counter() - t0)
            errors[name] += 0 if ok else 1
        await connection.close()

    await asyncio.gather(*(user(i) for i in range(users)))
    wall = time.perf_counter() - started
    done = max(1, sum(len(t) for t in times.values()))
    cpu_ms = (_cpu_s(server_pid) - cpu_before) * 1000 / done
    client_ms = (time.process_time() - client_before) * 1000 / done
    return {name: {"n": len(t), "errors": errors[name], "p50": _percentile(t, 0.5) * 1000, "cpu_ms": cpu_ms,
                   "client_ms": client_ms,
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
    parser.add_argument("--requests", type=int, default=600, help="requests in all, per mode")
    parser.add_argument("--seconds", type=float, default=90.0, help="at most this long per mode")
    parser.add_argument("--modes", default=",".join(MODES), help=f"some of {', '.join(MODES)}")
    parser.add_argument("--workers", default="1", help="server processes, comma-separated to compare (e.g. 1,2): "
                        "each mode runs once per count; the calls-table mode only with 1")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean think time between a user's requests, seconds (exponential; 0: back to back)")
    parser.add_argument("--live-writes", type=float, default=0.0,
                        help="calls a second a live writer process inserts during each mode (on 10 February 1999, "
                             "in their own transactions; 0: none)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--read-model", default="aggregates", help=argparse.SUPPRESS)
    parser.add_argument("--serve-workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--write-live", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve, args.read_model, args.serve_workers)
        return
    if args.write_live:
        _write_live(args.write_live, args.live_writes, args.seconds)
        return
    counts = [int(w) for w in args.workers.split(",")]
    with tempfile.TemporaryDirectory() as tmp, (scratch_postgres(args.postgres, "callops_load") if args.postgres
                                                else contextlib.nullcontext(None)) as scratch:
        url = args.url or scratch or f"sqlite:///{Path(tmp) / 'load.db'}"
        _prepare(url)
        env = {**os.environ, "CALLOPS_DATABASE_URL": url, "CALLOPS_SECRET_KEY": "bench-" + "k" * 40}
        results = {}
        load_before = os.getloadavg()[0]
        for mode in args.modes.split(","):
            read_model, entries, distinct = MODES[mode]
            for workers in counts if read_model == "aggregates" else [1]:
                port = _free_port()
                server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--read-model",
                                           read_model, "--serve-workers", str(workers)],
                                          env={**env, "CALLOPS_KPI_CACHE_ENTRIES": str(entries)})
                writer = None
                if args.live_writes > 0:
                    writer = subprocess.Popen([sys.executable, __file__, "--write-live", url, "--live-writes",
                                               str(args.live_writes), "--seconds", str(args.seconds + 60)], env=env)
                try:
                    results[mode if len(counts) == 1 else f"{mode} x{workers}"] = asyncio.run(_load(
                        f"http://127.0.0.1:{port}", args.users, args.requests, args.seconds, distinct, server.pid,
                        args.think))
                finally:
                    server.terminate()
                    server.wait(timeout=30)
                    if writer is not None:
                        writer.terminate()
                        writer.wait(timeout=30)
    engine_name = url.split(":", 1)[0]
    think = f", think time {args.think:g} s (mean)" if args.think > 0 else ", back to back"
    if args.live_writes > 0:
        think += f", {args.live_writes:g} live calls/s written meanwhile"
    print(f"\n{args.users} concurrent users on {engine_name}, demo month (31 k calls), "
          f"{args.requests} requests or {args.seconds:.0f} s per mode{think}")
    print(f"{'mode':<14} {'endpoint':<15} {'n':>5} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'req/s':>6} {'server CPU ms/req':>17} {'client CPU ms/req':>17}")
    for mode, by_endpoint in results.items():
        for name, r in by_endpoint.items():
            print(f"{mode:<14} {name:<15} {r['n']:>5} {r['errors']:>6} {r['p50']:>8.1f} {r['p95']:>8.1f} "
                  f"{r['p99']:>8.1f} {r['rps']:>6.1f} {r['cpu_ms']:>17.1f} {r['client_ms']:>17.1f}")
    if "calls" in results:
        for mode in [m for m in results if m != "calls"]:
            ratios = ", ".join(f"{name} {results['calls'][name]['p95'] / results[mode][name]['p95']:.1f}x"
                               for name in ENDPOINTS)
            print(f"p95 calls table / {mode}: {ratios}")
    print(f"load average before/after: {load_before:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
