"""The live core on a loopback load: event appended to the log -> visible on the wallboard projection.

Run: .venv/bin/python benchmarks/bench_live.py [--calls-per-s 200] [--agents 1000] [--seconds 10] [--db URL]
A writer thread offers --calls-per-s calls per second to --agents agents (offered, answered, ended: three live
events a call, each call's events appended in its own transaction, the way a feed writes) into the event log;
the web process's projection (callops.web.live_floor.LiveFloor) follows it. Measured per event: from the commit
to the projection having applied it, p50/p99; side by side the named baseline "poll only" (no bus message, the
projection finds the events on its 0.25 s poll, as a worker without Redis sees another process). Then the cost
of one wallboard snapshot with all agents, which the SSE stream computes per message (it adds at most its 0.2 s
tick to the latency above).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
import zoneinfo
from pathlib import Path

import sqlalchemy as sa

from callops.feeds.bus import EventBus, LocalBus
from callops.live.events import LiveEvent, LiveEventKind
from callops.store import make_engine, upgrade
from callops.store.live_events import append_events
from callops.web.live_floor import LiveFloor

K = LiveEventKind
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


class _Silent:
    """A bus that never wakes anyone: the projection finds new events on its poll (the baseline)."""

    def publish(self, last_id: int) -> None:
        pass

    def wait(self, after_id: int, timeout_s: float) -> int:
        time.sleep(timeout_s)
        return after_id

    def close(self) -> None:
        pass


class _Timed(LiveFloor):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.applied: dict[int, float] = {}

    def catch_up(self) -> int:
        before = self.last_id
        n = super().catch_up()
        now = time.perf_counter()
        for i in range(before + 1, self.last_id + 1):
            self.applied[i] = now
        return n


def run(engine: sa.Engine, bus: EventBus, calls_per_s: float, agents: int, seconds: float) -> list[float]:
    floor = _Timed(engine, TZ, bus)
    with engine.connect() as conn:
        floor.start(dt.datetime.now(dt.UTC), conn)
    committed: dict[int, float] = {}
    rng = random.Random(5)
    names = [f"A{i:04d}" for i in range(agents)]
    with engine.begin() as conn:
        append_events(conn, [LiveEvent(K.AGENT_STATE, dt.datetime.now(dt.UTC), "bench", agent=a, state="ready",
                                       data={"queues": f"q{i % 10}"}) for i, a in enumerate(names)])
    talking: list[tuple[float, str, str, str]] = []
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < seconds:
        due = start + n / calls_per_s
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        n += 1
        now = dt.datetime.now(dt.UTC)
        queue, agent = f"q{n % 10}", rng.choice(names)
        events = [LiveEvent(K.CALL_OFFERED, now, "bench", call_id=str(n), queue=queue),
                  LiveEvent(K.CALL_ANSWERED, now, "bench", call_id=str(n), queue=queue, agent=agent)]
        talking.append((time.perf_counter() + rng.uniform(1, 3), str(n), queue, agent))
        while talking and talking[0][0] <= time.perf_counter():
            _t, call, q, a = talking.pop(0)
            events.append(LiveEvent(K.CALL_ENDED, now, "bench", call_id=call, queue=q, agent=a))
        with engine.begin() as conn:
            last = append_events(conn, events)
        t = time.perf_counter()
        for i in range(last - len(events) + 1, last + 1):
            committed[i] = t
        bus.publish(last)
    deadline = time.perf_counter() + 5
    while floor.last_id < max(committed) and time.perf_counter() < deadline:
        time.sleep(0.01)
    floor.stop()
    return [floor.applied[i] - committed[i] for i in committed if i in floor.applied]


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls-per-s", type=float, default=200)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--db", default=None, help="database URL (default a temp SQLite file)")
    args = parser.parse_args()
    results = {}
    for name, bus in (("bus (in-process)", LocalBus()), ("poll only (baseline)", _Silent())):
        url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'live.db'}"
        engine = make_engine(url)
        upgrade(engine)
        lat = run(engine, bus, args.calls_per_s, args.agents, args.seconds)  # type: ignore[arg-type]
        results[name] = lat
        print(f"{name:22s} events {len(lat):6d}  append->projection p50 {pct(lat, 50) * 1000:7.1f} ms  "
              f"p99 {pct(lat, 99) * 1000:7.1f} ms  max {max(lat) * 1000:7.1f} ms", flush=True)
        engine.dispose()
    bus_p99, poll_p99 = pct(results["bus (in-process)"], 99), pct(results["poll only (baseline)"], 99)
    print(f"p99 ratio poll-only / bus: {poll_p99 / bus_p99:.1f}x")
    from callops.live.wallboard import Floor

    floor = Floor(TZ)
    now = dt.datetime.now(dt.UTC)
    floor.apply_all(LiveEvent(K.AGENT_STATE, now, "b", agent=f"A{i}", state="ready", data={"queues": f"q{i % 10}"})
                    for i in range(args.agents))
    floor.apply_all(LiveEvent(K.CALL_OFFERED, now, "b", call_id=str(i), queue=f"q{i % 10}") for i in range(2000))
    started = time.perf_counter()
    for _ in range(20):
        floor.snapshot(now)
    print(f"one wallboard snapshot ({args.agents} agents, 10 queues, 2000 calls waiting): "
          f"{(time.perf_counter() - started) / 20 * 1000:.1f} ms")


if __name__ == "__main__":
    main()
