"""Simulation speed: our routing core + simulator against an idiomatic simpy model, side by side.

1. M/M/N+M, A = 40 Erlangs (AHT 180 s), 45 agents, exponential patience 180 s, 24 hours.
2. A day of a 1,000-agent, 5-queue, skills-based center (about 300,000 calls), our simulator only.

Run: .venv/bin/python benchmarks/bench_simulation.py
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import simpy

from callops.queueing import erlang_a
from callops.routing import QueueConfig
from callops.simulation import AgentGroup, Distribution, QueueBehaviour, Scenario, simulate, single_queue

AHT_S, AGENTS, PATIENCE_S, HOURS, CALLS_PER_30M = 180.0, 45, 180.0, 24, 400.0
SL_S = 20.0


def simpy_model(seed: int) -> dict[str, float]:
    """The same M/M/N+M system the way a simpy user writes it: a Resource and one process per call."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    counts = {"offered": 0, "answered": 0, "abandoned": 0, "within": 0, "waited": 0}

    def caller(env: simpy.Environment) -> simpy.events.ProcessGenerator:
        arrived = env.now
        counts["offered"] += 1
        with agents.request() as req:
            result = yield req | env.timeout(rng.exponential(PATIENCE_S))
            wait = env.now - arrived
            counts["waited"] += wait > 0
            if req in result:
                counts["answered"] += 1
                counts["within"] += wait <= SL_S
                yield env.timeout(rng.exponential(AHT_S))
            else:
                counts["abandoned"] += 1

    def source(env: simpy.Environment) -> simpy.events.ProcessGenerator:
        rate_s = CALLS_PER_30M / 1800
        while env.now < HOURS * 3600:
            yield env.timeout(rng.exponential(1 / rate_s))
            env.process(caller(env))

    env.process(source(env))
    env.run()
    n = counts["offered"]
    return {"calls": n, "service_level": counts["within"] / n, "p_abandon": counts["abandoned"] / n,
            "p_wait": counts["waited"] / n}


def ours(seed: int) -> dict[str, float]:
    scenario = single_queue(calls=CALLS_PER_30M, interval_s=1800, aht_s=AHT_S, agents=AGENTS, hours=HOURS,
                            patience_s=PATIENCE_S, sl_time_s=SL_S)
    run = simulate(scenario, np.random.SeedSequence(seed))
    n = run.offered
    return {"calls": n, "service_level": run.answered_within / n, "p_abandon": run.abandoned / n,
            "p_wait": run.waited / n}


def center() -> Scenario:
    """1,000 agents in 5 skill groups, 5 queues, a day-shaped arrival curve of about 300,000 calls."""
    shape = np.sin(np.linspace(0, np.pi, 48)) ** 2 * 0.9 + 0.1
    queues, groups = [], []
    for i in range(5):
        arrivals = tuple(float(x) for x in shape / shape.sum() * 60_000)
        queues.append(QueueBehaviour(
            config=QueueConfig(f"q{i}", f"s{i}", overflow_after_s=60.0, overflow_to=f"q{(i + 1) % 5}"),
            arrivals_per_interval=arrivals, handle=Distribution("lognormal", 180.0, 120.0),
            patience=Distribution("exponential", 240.0)))
        counts = tuple(max(5, int(a * 180 / 1800 / 0.85)) for a in arrivals)
        groups.append(AgentGroup(f"g{i}", {f"s{i}": 2, f"s{(i + 1) % 5}": 1}, counts))
    return Scenario("center", 1800.0, 48, tuple(queues), tuple(groups), warmup_s=0.0)


def _pooled(model) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Five seeds, statistics weighted by calls."""
    runs = [model(seed) for seed in range(1, 6)]
    total = sum(r["calls"] for r in runs)
    out = {k: sum(r[k] * r["calls"] for r in runs) / total for k in ("service_level", "p_abandon", "p_wait")}
    out["calls"] = total
    return out


def timed(func, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = func(*args)
    return out, time.perf_counter() - start


def main() -> None:
    print(f"M/M/N+M: A = 40 Erlangs, N = {AGENTS}, patience {PATIENCE_S:.0f} s, {HOURS} h, 5 seeds")
    s_stats, s_time = timed(_pooled, simpy_model)
    o_stats, o_time = timed(_pooled, ours)
    for name, st, t in (("simpy", s_stats, s_time), ("callops", o_stats, o_time)):
        print(f"  {name:8s} {st['calls']:7.0f} calls in {t:6.2f} s = {st['calls'] / t:9.0f} calls/s   "
              f"SL {st['service_level']:.4f}  P(abandon) {st['p_abandon']:.4f}  P(wait) {st['p_wait']:.4f}")
    print(f"  ratio callops/simpy: {(o_stats['calls'] / o_time) / (s_stats['calls'] / s_time):.1f}x")
    theory = erlang_a(calls=CALLS_PER_30M, interval_s=1800, aht_s=AHT_S, agents=AGENTS, patience_s=PATIENCE_S,
                      sl_time_s=SL_S)
    print(f"  Erlang A theory: SL {float(theory.service_level):.4f}  P(abandon) {float(theory.p_abandon):.4f}  "
          f"P(wait) {float(theory.p_wait):.4f}  (simpy starts empty and counts from t = 0; callops discards a "
          f"30-min warm-up)")
    scenario = center()
    tracemalloc.start()
    run, t = timed(simulate, scenario, np.random.SeedSequence(2))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"1,000-agent 5-queue day: {run.offered} calls in {t:.2f} s ({run.offered / t:.0f} calls/s), "
          f"SL {run.answered_within / run.offered:.4f}, abandon {run.abandoned / run.offered:.4f}, "
          f"peak traced memory {peak / 2**20:.1f} MiB (with tracemalloc on)")
    _, t2 = timed(simulate, scenario, np.random.SeedSequence(2))
    print(f"  same day without tracemalloc: {t2:.2f} s")
    for days in (1, 4):  # memory flat in the number of calls: 1x against 4x the calls
        long_run = single_queue(calls=CALLS_PER_30M, interval_s=1800, aht_s=AHT_S, agents=AGENTS,
                                hours=24 * days, patience_s=PATIENCE_S, sl_time_s=SL_S)
        tracemalloc.start()
        run = simulate(long_run, np.random.SeedSequence(3))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"M/M/N+M {days}x ({24 * days} h): {run.offered} calls, peak traced memory {peak / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()
