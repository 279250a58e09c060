"""Blended agents on the routing core: the three pacings side by side on the same seeds, with inbound load.

Part 1, the guarantee: callops pacing on examples/scenarios/blended.yaml (18 blended + 4 outbound-only agents,
8 h, AMD false positives 1 %) for each connect rate on SEEDS seeds: how many keep the worst rolling 24 h window
of the reported abandon rate (false-positive estimate included) at or under the 3 % cap.
Part 2, the comparison: progressive, VICIdial-style adaptive and callops on the same seeds (same inbound
arrivals): inbound SL, ASA and abandonment beside the outbound abandon rate, worst window, talk share and
connects per agent hour, for connect rates 15 % and 35 %.
--scale K multiplies the agents and the inbound arrivals by K (K = 5: 90 blended + 20 outbound-only agents).
Run: .venv/bin/python benchmarks/bench_blended.py [--seeds 20] [--reps 5] [--scale 1] [--first-seed 0]
[--connects 0.15,0.25,0.35]   (--reps 0: part 1 only; --seeds 0: part 2 only)
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np

from callops.simulation import parse_scenario, run_scenario, simulate

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "blended.yaml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--first-seed", type=int, default=0, help="part 1 runs seeds first-seed ... + seeds - 1")
    parser.add_argument("--connects", default="0.15,0.25,0.35", help="part 1's connect rates, comma-separated")
    args = parser.parse_args()
    base = parse_scenario(EXAMPLE.read_text(encoding="utf-8"), file=str(EXAMPLE))
    campaign0 = base.outbound
    if campaign0 is None:
        raise SystemExit(f"{EXAMPLE} has no outbound campaign")
    if args.scale != 1:
        base = dataclasses.replace(
            base, queues=tuple(dataclasses.replace(q, arrivals_per_interval=tuple(a * args.scale for a in
                                                                                  q.arrivals_per_interval))
                               for q in base.queues),
            groups=tuple(dataclasses.replace(g, counts=tuple(c * args.scale for c in g.counts)) for g in base.groups))
    groups = ", ".join(f"{g.name} {max(g.counts)}" for g in base.groups)
    print(f"{sum(max(g.counts) for g in base.groups)} agents ({groups})")
    started = time.process_time()
    if args.seeds:
        print(f"part 1: callops pacing, {args.seeds} seeds each, cap 3 % over the rolling 24 h window")
    for connect in [float(c) for c in args.connects.split(",")] if args.seeds else []:
        sc = dataclasses.replace(base, outbound=dataclasses.replace(campaign0, connect_rate=connect))
        worst = []
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            out = simulate(sc, np.random.SeedSequence(seed)).outbound
            assert out is not None
            worst.append(out.max_window_abandon_rate)
        print(f"  connect {connect:.2f}: {sum(w <= 0.03 for w in worst)}/{len(worst)} seeds within the cap, "
              f"worst window {max(worst):.4f}, mean {float(np.mean(worst)):.4f}")
    if not args.reps:
        print(f"CPU {time.process_time() - started:.1f} s")
        return
    print(f"part 2: side by side, {args.reps} replications, master seed 7")
    print("connect  pacing       inbound SL  ASA s  inb. abandon  out. abandon  worst window  AMD FP  "
          "talk share  outbound share  connects/agent h")
    for connect in (0.15, 0.35):
        for pacing in ("progressive", "adaptive", "callops"):
            campaign = dataclasses.replace(campaign0, connect_rate=connect).with_pacing(pacing)
            r = run_scenario(dataclasses.replace(base, outbound=campaign), args.reps, 7)
            o = r.outbound
            assert o is not None
            print(f"  {connect:.2f}   {pacing:<11}  {r.metrics['service_level'].mean:9.4f}  "
                  f"{r.metrics['asa_s'].mean:5.2f}  {r.metrics['p_abandon'].mean:12.4f}  "
                  f"{o.metrics['abandon_rate'].mean:12.4f}  {o.max_window_abandon_rate:12.4f}  "
                  f"{o.counts['amd_false_positives']:6.1f}  {o.metrics['agent_talk_share'].mean:10.4f}  "
                  f"{o.metrics['outbound_talk_share'].mean:14.4f}  {o.metrics['connects_per_agent_hour'].mean:16.2f}")
    print(f"CPU {time.process_time() - started:.1f} s")


if __name__ == "__main__":
    main()
