"""Plan a campaign of 1 M contacts and re-check every planned attempt with the independent per-member loop.

The synthetic history of bench_contact_policy (1 M members, ~3 M attempts); the plan gives each member one
call over 7 days at 20,000 calls per 15-minute slot (China default policy, campaign C0). The checker is
``check_member_loop`` (plain Python, no shared code with the vectorised check), run on the member's history
at the planned time. Prints the planning time, the members left out by rule, and the violations found.
Run: .venv/bin/python benchmarks/bench_campaign_plan.py [--members 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np

from callops.dialer import Channel, check_member_loop, china_default
from callops.dialer.planner import plan_attempts
from callops.dialer.synthetic import synthetic_history


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    args = parser.parse_args()
    policy = china_default()
    start = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
    history = synthetic_history(np.random.default_rng(1), members=args.members, attempts_per_member=3, end=start)
    began = time.perf_counter()
    plan = plan_attempts(history, policy, members=np.ones(history.size, dtype=bool), start=start,
                         end=start + dt.timedelta(days=7), attempts_per_slot=20_000, campaign="C0")
    planned_s = time.perf_counter() - began
    print(f"planned {len(plan.attempts):,} of {history.size:,} members in {planned_s:.2f} s; left out {plan.left_out}")
    index = {str(m): i for i, m in enumerate(history.members)}
    began = time.perf_counter()
    violations = 0
    for attempt in plan.attempts:
        i = index[attempt.member]
        verdict = check_member_loop(attempt.member, history.attempts_of(i), str(history.zones[i]), policy,
                                    attempt.planned_at, holidays=frozenset(), channel=Channel.CALL, campaign="C0",
                                    no_consent=False, dnc=False)
        violations += not verdict["allowed"]
    print(f"independent check of {len(plan.attempts):,} planned attempts: {violations} violations "
          f"({time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
