"""The contact-policy check: vectorised (numpy/pandas) vs a plain per-member Python loop, China default policy.

1 M synthetic members with about 3 M attempts over 3 days (30 % in bursts of minutes, 5 % US numbers):
the vectorised check on all of them (target < 2 s); the per-member loop baseline on the first 100,000 (it
would take minutes on all), side by side with the vectorised check on the same 100,000, and that both give
the same rule and next time for every one of them. Building the columnar history is timed separately.
Run: .venv/bin/python benchmarks/bench_contact_policy.py [--members 1000000] [--sample 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np

from callops.dialer import NEVER, ContactHistory, check_contacts, check_members_loop, china_default
from callops.dialer.synthetic import synthetic_history


def subset(history: ContactHistory, members: int) -> ContactHistory:
    keep = history.member_idx < members
    return ContactHistory(history.members[:members], history.phones[:members], history.zones[:members],
                          history.campaigns, history.member_idx[keep], history.at_s[keep], history.channel[keep],
                          history.outcome[keep], history.campaign_idx[keep])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=100_000)
    args = parser.parse_args()
    policy = china_default()
    at = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)  # 15:00 in Beijing
    start = time.perf_counter()
    history = synthetic_history(np.random.default_rng(1), members=args.members, attempts_per_member=3, end=at)
    print(f"built {history.size:,} members, {len(history.at_s):,} attempts in {time.perf_counter() - start:.2f} s")

    times = []
    for _ in range(3):
        start = time.perf_counter()
        full = check_contacts(history, policy, at)
        times.append(time.perf_counter() - start)
    print(f"vectorised, {history.size:,} members: best {min(times):.3f} s, worst {max(times):.3f} s "
          f"(target < 2 s); allowed {int(full.allowed.sum()):,}")

    small = subset(history, args.sample)
    by_member = {str(small.members[i]): small.attempts_of(i) for i in range(small.size)}
    zones = {str(m): str(z) for m, z in zip(small.members, small.zones, strict=True)}
    start = time.perf_counter()
    fast = check_contacts(small, policy, at)
    t_fast = time.perf_counter() - start
    start = time.perf_counter()
    slow = check_members_loop(by_member, zones, policy, at)
    t_loop = time.perf_counter() - start
    same = all(
        s["rule"] == r and (NEVER if s["next_allowed_at"] is None else int(s["next_allowed_at"].timestamp())) == int(n)  # type: ignore[attr-defined]
        for s, r, n in zip(slow, fast.rule, fast.next_allowed_s, strict=True))
    print(f"{small.size:,} members: vectorised {t_fast:.3f} s, per-member loop {t_loop:.2f} s: "
          f"{t_loop / t_fast:.0f}x; identical decisions: {same}")
    print(f"loop extrapolated to {history.size:,} members: about {t_loop * history.size / small.size:.0f} s")


if __name__ == "__main__":
    main()
