"""Outbound pacing side by side: callops' budget pacer vs the VICIdial-style adaptive baseline (and progressive).

Part 1, the guarantee: callops pacing at a 3 % cap on 100 seeds for each connect rate (20 agents, 8 h): how many
seeds keep the worst rolling 24 h window (here the whole shift) at or under 3 %.
Part 2, the comparison: the three pacings on the same seeds for 20/50/200 agents and connect rates 10-40 %:
abandon rate (mean, max), worst window, agent talk share and connects per agent hour, with the talk-share
ratio callops / adaptive.
Run: .venv/bin/python benchmarks/bench_dialer.py [--seeds 100] [--reps 10] [--hours 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from callops.dialer import OutboundSetup, make_pacer, simulate_outbound

CAP = 0.03
AHT_S = 180.0
MACHINE = 0.10


def one(args: tuple[int, float, float, str, int]) -> dict[str, float | int | str]:
    agents, connect, hours, pacing, seed = args
    setup = OutboundSetup(agents=agents, hours=hours, aht_s=AHT_S, connect_rate=connect, machine_rate=MACHINE)
    child = np.random.SeedSequence(seed).spawn(1)[0]
    start = time.perf_counter()
    run = simulate_outbound(setup, make_pacer(pacing, cap=CAP), np.random.default_rng(child))
    return {"agents": agents, "connect": connect, "pacing": pacing, "seed": seed, "abandon_rate": run.abandon_rate,
            "window": run.max_window_abandon_rate, "talk": run.agent_talk_share,
            "cph": run.connects_per_agent_hour, "live": run.live, "abandons": run.abandons,
            "seconds": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--long-seeds", type=int, default=0,
                        help="also run 10 agents for 30 h (longer than the window) on this many seeds")
    parser.add_argument("--out", type=Path, default=None, help="write every run as JSON lines here")
    args = parser.parse_args()
    connects = (0.10, 0.20, 0.40)
    started = time.perf_counter()
    guarantee = [(20, c, args.hours, "callops", s) for c in connects for s in range(args.seeds)]
    grid = [(a, c, args.hours, p, 1000 + s) for a in (20, 50, 200) for c in connects
            for p in ("progressive", "adaptive", "callops") for s in range(args.reps)]
    with ProcessPoolExecutor(args.workers) as pool:
        g_runs = list(pool.map(one, guarantee, chunksize=4))
        c_runs = list(pool.map(one, grid, chunksize=2))
        long_grid = [(10, 0.3, 30.0, p, 2000 + s) for p in ("adaptive", "callops") for s in range(args.long_seeds)]
        l_runs = list(pool.map(one, long_grid, chunksize=1))
    if args.out:
        args.out.write_text("\n".join(json.dumps(r) for r in g_runs + c_runs + l_runs) + "\n", encoding="utf-8")

    print(f"Part 1: callops pacing, cap {CAP:.0%}, 20 agents, {args.hours:g} h, AHT {AHT_S:.0f} s, "
          f"machine {MACHINE:.0%}, {args.seeds} seeds per connect rate")
    for c in connects:
        rows = [r for r in g_runs if r["connect"] == c]
        ok = sum(1 for r in rows if float(r["window"]) <= CAP)
        print(f"  connect {c:.0%}: worst window <= {CAP:.0%} in {ok} of {len(rows)} seeds; "
              f"worst {max(float(r['window']) for r in rows):.4f}, mean rate "
              f"{np.mean([float(r['abandon_rate']) for r in rows]):.4f}")
    for p in ("adaptive", "callops") if l_runs else ():
        rows = [r for r in l_runs if r["pacing"] == p]
        ok = sum(1 for r in rows if float(r["window"]) <= CAP)
        print(f"  30 h, 10 agents, connect 30 %, {p}: worst rolling 24 h window <= {CAP:.0%} in {ok} of {len(rows)} "
              f"seeds; worst {max(float(r['window']) for r in rows):.4f}; talk share "
              f"{np.mean([float(r['talk']) for r in rows]):.3f}")
    if not c_runs:
        print(f"\nwall time {time.perf_counter() - started:.0f} s with {args.workers} workers")
        return
    print(f"\nPart 2: side by side, {args.reps} seeds each (same seeds for every pacing)")
    print(f"{'agents':>6} {'connect':>7} {'pacing':>11} {'abandon':>8} {'ab.max':>7} {'window':>7} {'talk':>6} "
          f"{'conn/ah':>7} {'s/run':>6}")
    for a in (20, 50, 200):
        for c in connects:
            talk: dict[str, float] = {}
            ab: dict[str, float] = {}
            for p in ("progressive", "adaptive", "callops"):
                rows = [r for r in c_runs if r["agents"] == a and r["connect"] == c and r["pacing"] == p]
                talk[p] = float(np.mean([float(r["talk"]) for r in rows]))
                ab[p] = float(np.mean([float(r["abandon_rate"]) for r in rows]))
                print(f"{a:>6} {c:>7.0%} {p:>11} {ab[p]:>8.4f} {max(float(r['abandon_rate']) for r in rows):>7.4f} "
                      f"{max(float(r['window']) for r in rows):>7.4f} {talk[p]:>6.3f} "
                      f"{np.mean([float(r['cph']) for r in rows]):>7.2f} "
                      f"{np.mean([float(r['seconds']) for r in rows]):>6.2f}")
            better = talk["callops"] > talk["adaptive"] and ab["callops"] <= ab["adaptive"]
            ratio = talk["callops"] / talk["adaptive"]
            print(f"{'':>6} {'':>7} {'ratio':>11} talk share callops/adaptive {ratio:.3f}; "
                  f"higher talk at same or lower abandon: {'yes' if better else 'NO'}")
    print(f"\nwall time {time.perf_counter() - started:.0f} s with {args.workers} workers")


if __name__ == "__main__":
    main()
