"""callops as the ACD under load: event appended -> routing decision appended, and memory over an hour.

Run: .venv/bin/python benchmarks/bench_live_acd.py [--calls-per-s 200] [--agents 1000] [--seconds 20]
                                                    [--hours 1] [--db URL] [--modes poll,wake,wake-hot,notify]
                                                    [--idle-seconds 5] [--rounds 1]

1. End to end, two processes as deployed, once per mode, side by side: ``callops live route`` (its own
   process) routes for --agents agents on 5 queues; ``poll``: no Redis, the router looks at the log every 1 ms
   (``ACD_POLL`` to change it); ``wake``: ``CALLOPS_REDIS_URL`` set (--redis), the PBX publishes each append's
   id on Redis after it commits (from a thread, coalescing, so both modes offer the same load) and the router
   sleeps until woken (safety poll 0.25 s), as ``live route`` does by default; ``wake-hot``: the same, also
   looking every 1 ms for 0.1 s after events (``--hot 0.1``); ``notify`` (PostgreSQL only, ``--db``): no Redis,
   the PBX sends ``pg_notify`` after each commit (``PgNotifyBus``, from the same publishing thread) and the
   router sleeps on ``LISTEN``, as ``live route`` does by default on PostgreSQL (``poll`` passes ``--no-wake``
   so it polls there too). Before the load, the
   router's CPU is sampled (/proc) over --idle-seconds with nothing happening: the idle cost of each way of
   waiting. This process is the PBX and its
   phones: it appends each call offered (Poisson, --calls-per-s) in its own transaction, reads the router's
   call_ringing decisions from the log, and reports each call answered after 0.5 s and ended after an
   exponential talk time (mean 3.3 s: 200 calls/s to 1,000 agents is a load test, not a floor). Latency per call
   offered to a free agent: the decision's append time minus the offer's (both stamped by ``append_events``,
   milliseconds), p50/p99. Baseline, side by side: the same decisions taken in-core (``LiveAcd.apply`` with no
   database), whose time is the floor the log adds to.
2. Memory over --hours of simulated time at the same rate, in-core: tracemalloc's current size every
   10 simulated minutes; flat means the last sample is within a few per cent of the first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from callops.feeds.bus import PgNotifyBus, RedisBus
from callops.live.acd import LiveAcd
from callops.live.events import LiveEvent, LiveEventKind
from callops.records import Agent
from callops.routing.config import AgentConfig, QueueConfig
from callops.store import make_engine, upgrade
from callops.store.directory import save_agent, save_queue
from callops.store.live_events import append_events, events_after
from callops.store.schema import live_events

K = LiveEventKind
QUEUES = [f"q{i}" for i in range(5)]
ANSWER_AFTER_S = 0.5
POLL = os.environ.get("ACD_POLL", "0.001")  # the router's look at the log when idle, seconds
TALK_MEAN_S = 3.3


def _skills(i: int) -> dict[str, int]:
    first = QUEUES[i % len(QUEUES)]
    second = QUEUES[(i * 7 + 3) % len(QUEUES)]
    return {first: 2, second: 1} if second != first else {first: 2}


class Phones:
    """The switch's side: a ringing decision is answered after 0.5 s and ended after the talk time."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.due: list[tuple[float, int, LiveEvent]] = []
        self._n = 0

    def rang(self, decision: LiveEvent, now_s: float, at: dt.datetime) -> None:
        talk = self.rng.expovariate(1 / TALK_MEAN_S)
        for after, kind in ((ANSWER_AFTER_S, K.CALL_ANSWERED), (ANSWER_AFTER_S + talk, K.CALL_ENDED)):
            self._n += 1
            event = LiveEvent(kind=kind, at=at + dt.timedelta(seconds=after), source="pbx",
                              call_id=decision.call_id, queue=decision.queue, agent=decision.agent)
            heapq.heappush(self.due, (now_s + after, self._n, event))

    def pop_due(self, now_s: float) -> list[LiveEvent]:
        out = []
        while self.due and self.due[0][0] <= now_s:
            out.append(heapq.heappop(self.due)[2])
        return out


def _ready_events(agents: int, at: dt.datetime) -> list[LiveEvent]:
    return [LiveEvent(kind=K.AGENT_STATE, at=at, source="web", agent=f"A{i:04d}", state="ready")
            for i in range(agents)]


class _Publisher:
    """The PBX's wake-ups, sent from a thread so a slow Redis round trip (0.2–1 ms on the shared machine) never
    holds the PBX's own schedule up; the bus only carries the newest id, so ids published meanwhile coalesce."""

    def __init__(self, bus: RedisBus | PgNotifyBus) -> None:
        self.bus = bus
        self._cond = threading.Condition()
        self._newest = self._sent = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def publish(self, last_id: int) -> None:
        with self._cond:
            self._newest = max(self._newest, last_id)
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stop or self._newest > self._sent)
                if self._stop:
                    return
                newest = self._newest
            self.bus.publish(newest)
            self._sent = newest

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.join(timeout=5)
        self.bus.close()


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def end_to_end(url: str, agents: int, rate: float, seconds: float, *, redis_url: str | None = None,
               idle_s: float = 5.0, hot_s: float = 0.0, notify: bool = False) -> dict[str, float]:
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        for q in QUEUES:
            save_queue(conn, q)
        for i in range(agents):
            save_agent(conn, Agent(f"A{i:04d}", f"Agent {i}", skills=_skills(i)))
        append_events(conn, _ready_events(agents, dt.datetime.now(dt.UTC)))
    env = dict(os.environ, CALLOPS_DATABASE_URL=url)
    env.pop("CALLOPS_REDIS_URL", None)
    if redis_url:
        env["CALLOPS_REDIS_URL"] = redis_url
    # the PBX only publishes: on Redis, or with NOTIFY on PostgreSQL
    publisher: RedisBus | PgNotifyBus | None = (RedisBus(redis_url) if redis_url
                                                else PgNotifyBus(url) if notify else None)
    bus = _Publisher(publisher) if publisher is not None else None
    wake = ["--wake"] if redis_url or notify else ["--no-wake"]  # poll: never woken, even on PostgreSQL
    router = subprocess.Popen([str(Path(sys.executable).with_name("callops")), "live", "route", "--poll", POLL,
                               "--hot", str(hot_s), *wake, "--tz", "UTC", "--exit-after", str(seconds + idle_s + 9)],
                              env=env, stderr=subprocess.PIPE, text=True)
    assert router.stderr is not None
    print("  router:", router.stderr.readline().strip())  # it has replayed the log
    print("  router:", router.stderr.readline().strip())  # how it waits (subscribed to Redis, if so): routing
    time.sleep(1.0)
    cpu0, wall0 = _cpu_s(router.pid), time.monotonic()
    time.sleep(idle_s)
    idle_cpu = (_cpu_s(router.pid) - cpu0) / (time.monotonic() - wall0)
    rng = random.Random(7)
    phones = Phones(rng)
    start = time.monotonic()
    next_offer = start + rng.expovariate(rate)
    last_seen = 0
    n = 0
    with engine.connect() as conn:
        last_seen = int(conn.execute(sa.select(sa.func.max(live_events.c.id))).scalar_one())
    while time.monotonic() - start < seconds:
        now = time.monotonic()
        at = dt.datetime.now(dt.UTC)
        while next_offer <= now:
            n += 1
            with engine.begin() as conn:
                last = append_events(conn, [LiveEvent(kind=K.CALL_OFFERED, at=at, source="pbx", call_id=f"c{n}",
                                                      queue=rng.choice(QUEUES))])
            if bus is not None:
                bus.publish(last)  # after the commit, as every writer does
            next_offer += rng.expovariate(rate)
        for event in phones.pop_due(now - start):
            with engine.begin() as conn:
                last = append_events(conn, [event])
            if bus is not None:
                bus.publish(last)
        with engine.connect() as conn:
            for event_id, event in events_after(conn, last_seen):
                last_seen = event_id
                if event.kind is K.CALL_RINGING and event.source == "acd":
                    phones.rang(event, now - start, at)
        time.sleep(0.002)
    router.wait(timeout=60)
    print("  router:", router.stderr.read().strip().replace("\n", " | "))
    if bus is not None:
        bus.close()
    rows = _latencies(engine)
    engine.dispose()
    return {"offered": n, "routed_at_once": len(rows), "p50": statistics.median(rows),
            "p99": statistics.quantiles(rows, n=100)[98], "max": max(rows), "idle_cpu": idle_cpu}


def _empty_live_log(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(live_events.delete())
    engine.dispose()


def _latencies(engine: sa.Engine) -> list[float]:
    """Per call offered and routed by that same event (the decision's ``at`` is the offer's): ms between the
    two appends."""
    offered = live_events.alias("offered")
    ringing = live_events.alias("ringing")
    query = (sa.select((ringing.c.appended_at - offered.c.appended_at).label("ms"))
             .select_from(offered.join(ringing, sa.and_(ringing.c.call_id == offered.c.call_id,
                                                          ringing.c.kind == "call_ringing",
                                                          ringing.c.source == "acd")))
             .where(offered.c.kind == "call_offered", ringing.c.at == offered.c.at))
    with engine.connect() as conn:
        return [float(r.ms) for r in conn.execute(query)]


def in_core(agents: int, rate: float, hours: float) -> dict[str, float]:
    """The same load on the core alone, on a simulated clock: time per applied event, and memory over time."""
    acd = LiveAcd([QueueConfig(q, q) for q in QUEUES], [AgentConfig(f"A{i:04d}", _skills(i)) for i in range(agents)])
    t0 = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    for event in _ready_events(agents, t0):
        acd.apply(event)
    rng = random.Random(7)
    phones = Phones(rng)
    # the timings go into an array made before tracing starts, so the memory traced is the core's and the loop's
    times = np.empty(int(rate * hours * 3600 * 3 * 1.5) + 1000)
    n_times = 0
    samples: list[tuple[float, int]] = []
    tracemalloc.start()
    now = 0.0
    n = 0
    next_sample = 600.0
    while now < hours * 3600:
        now += rng.expovariate(rate)
        at = t0 + dt.timedelta(seconds=now)
        pending = phones.pop_due(now)
        n += 1
        pending.append(LiveEvent(kind=K.CALL_OFFERED, at=at, source="pbx", call_id=f"c{n}",
                                 queue=rng.choice(QUEUES)))
        for event in pending:
            started = time.perf_counter()
            decisions = acd.apply(event)
            times[n_times] = time.perf_counter() - started
            n_times += 1
            for d in decisions:
                phones.rang(d, now, at)
        if now >= next_sample:
            samples.append((now, tracemalloc.get_traced_memory()[0]))
            next_sample += 600.0
    if not samples:  # under 10 simulated minutes: one sample at the end
        samples.append((now, tracemalloc.get_traced_memory()[0]))
    tracemalloc.stop()
    used = times[:n_times]
    return {"events": n_times, "p50_us": float(np.percentile(used, 50)) * 1e6,
            "p99_us": float(np.percentile(used, 99)) * 1e6,
            "first_mib": samples[0][1] / 2**20, "last_mib": samples[-1][1] / 2**20,
            "samples": len(samples), "calls_live": len(acd.calls), "ignored": sum(acd.ignored.values())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls-per-s", type=float, default=200.0)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--db", default=None, help="database URL (default: a new SQLite file per mode; a "
                        "PostgreSQL database is emptied of live events before each mode)")
    parser.add_argument("--modes", default="poll,wake,wake-hot",
                        help="poll (1 ms, no Redis), wake (Redis wake-ups: live route's default with Redis), "
                             "wake-hot (also polling 1 ms for 0.1 s after events, --hot 0.1), notify (PostgreSQL "
                             "NOTIFY/LISTEN without Redis: live route's default on PostgreSQL; needs --db)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="Redis URL for the wake mode")
    parser.add_argument("--idle-seconds", type=float, default=5.0, help="router CPU sampled idle this long")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the modes, alternating; medians reported")
    args = parser.parse_args()
    modes = args.modes.split(",")
    for mode in modes:
        if mode not in ("poll", "wake", "wake-hot", "notify"):
            parser.error(f"--modes: unknown mode {mode!r}")
        if mode == "notify" and not (args.db or "").startswith("postgresql"):
            parser.error("--modes notify needs --db postgresql+psycopg://...")
    runs: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    for round_ in range(args.rounds):  # the modes alternate, so a busier moment of the machine hits both
        for mode in modes if round_ % 2 == 0 else modes[::-1]:
            with tempfile.TemporaryDirectory() as tmp:
                url = args.db or f"sqlite:///{tmp}/acd.db"
                if args.db:
                    _empty_live_log(url)
                print(f"round {round_ + 1}, {mode}: {args.calls_per_s:g} calls/s to {args.agents} agents for "
                      f"{args.seconds:g} s on {url.split(':')[0]}")
                e2e = end_to_end(url, args.agents, args.calls_per_s, args.seconds,
                                 redis_url=args.redis if mode in ("wake", "wake-hot") else None,
                                 idle_s=args.idle_seconds, hot_s=0.1 if mode == "wake-hot" else 0.0,
                                 notify=mode == "notify")
            runs[mode].append(e2e)
            print(f"  {e2e['offered']:.0f} calls offered, {e2e['routed_at_once']:.0f} routed by their offer: "
                  f"append -> decision p50 {e2e['p50']:.1f} ms, p99 {e2e['p99']:.1f} ms, max {e2e['max']:.0f} ms; "
                  f"idle router CPU {e2e['idle_cpu'] * 100:.2f} % of a core")
    results = {m: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for m, rs in runs.items()}
    for mode, r in results.items():
        print(f"{mode}, median of {args.rounds} rounds: p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, idle CPU "
              f"{r['idle_cpu'] * 100:.2f} % of a core")
    for other in ("wake", "notify"):
        if "poll" in results and other in results:
            poll, wake = results["poll"], results[other]
            print(f"side by side (medians), poll {POLL} s | {other}: p50 {poll['p50']:.1f} | {wake['p50']:.1f} ms, "
                  f"p99 {poll['p99']:.1f} | {wake['p99']:.1f} ms (ratio {poll['p99'] / wake['p99']:.2f}x), "
                  f"idle CPU {poll['idle_cpu'] * 100:.2f} | {wake['idle_cpu'] * 100:.2f} % of a core")
    e2e = results[list(results)[-1]]
    core = in_core(args.agents, args.calls_per_s, args.hours)
    print(f"in-core baseline over {args.hours:g} simulated h: {core['events']:,.0f} events, apply p50 "
          f"{core['p50_us']:.1f} us, p99 {core['p99_us']:.1f} us")
    print(f"  memory (tracemalloc, every 10 min): first {core['first_mib']:.2f} MiB, last {core['last_mib']:.2f} MiB "
          f"over {core['samples']:.0f} samples; {core['calls_live']:.0f} calls live at the end, "
          f"{core['ignored']:.0f} events ignored")
    print(f"ratio end-to-end p99 ({list(results)[-1]}) / in-core p99: {e2e['p99'] * 1000 / core['p99_us']:.0f}x "
          f"(target: end-to-end p99 < 20 ms)")


if __name__ == "__main__":
    main()
