"""Best time to call: the answer rate of calls planned at each member's learned best hour against the earliest
allowed time (the campaign planner's baseline) and against the pool's best hour (no per-member learning).

Synthetic members, each with a true answer probability per local hour of the day: 15 % off-peak and 55 % in
one of three two-hour peaks (09-11, 12-14, 18-20; a third of the members each). Eight weeks of history: each
member got ``--calls`` calls at random open hours (08:00-21:00 Beijing), answered with the true probability.
Each member then gets one call within the next day (China default policy, ``plan_attempts`` at 20 % of the
members per hour): at the earliest allowed time, at the pool's best hour, or at the member's best hour
(``best_time.best_times``). The score is the true answer probability at the planned hour, averaged; the ratio
is member-best / earliest. Run: .venv/bin/python benchmarks/bench_best_time.py [--members 20000] [--calls 8]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import numpy.typing as npt

from callops.dialer import Channel, ContactHistory, china_default
from callops.dialer.best_time import best_times, learn_answer_rates
from callops.dialer.history import CHANNEL_CODES, OUTCOME_CODES
from callops.dialer.planner import plan_attempts
from callops.dialer.records import Outcome

CST = dt.timezone(dt.timedelta(hours=8))
PEAKS = (9, 12, 18)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=8)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    n, k = args.members, args.calls
    start = dt.datetime(2026, 3, 2, 0, 0, tzinfo=CST)  # a Monday
    peak = np.asarray(PEAKS)[rng.integers(0, 3, n)]
    true = np.full((n, 24), 0.15)
    for offset in (0, 1):
        true[np.arange(n), peak + offset] = 0.55
    member = np.repeat(np.arange(n), k)
    day = rng.integers(1, 57, n * k)
    hour = rng.integers(8, 21, n * k)
    at_s = np.asarray(
        int(start.timestamp()) - day * 86400 + (hour - 0) * 3600 + rng.integers(0, 3600, n * k), dtype=np.int64
    )
    answered = rng.random(n * k) < true[member, hour]
    outcome = np.where(answered, OUTCOME_CODES[Outcome.CALLBACK], OUTCOME_CODES[Outcome.NO_ANSWER]).astype(np.int8)
    names = np.asarray([f"m{i:07d}" for i in range(n)], dtype=object)
    history = ContactHistory.from_columns(
        member=names[member],
        phone=[f"+86138{i:08d}" for i in member],
        channel=np.full(n * k, CHANNEL_CODES[Channel.CALL], dtype=np.int8),
        at_s=at_s,
        outcome=outcome,
        campaign=np.full(n * k, "c", dtype=object),
        default_zone="Asia/Shanghai",
    )
    policy = china_default()
    everyone = np.ones(n, dtype=bool)
    per_slot = max(1, n // 5 // 4)

    def score(planned: list[tuple[str, dt.datetime]]) -> tuple[float, int]:
        index = {str(m): i for i, m in enumerate(history.members)}
        rows = np.asarray([index[m] for m, _ in planned], dtype=np.int64)
        hours = np.asarray([t.astimezone(CST).hour for _, t in planned], dtype=np.int64)
        return float(true[rows, hours].mean()), len(planned)

    def plan(not_before: npt.NDArray[np.int64] | None) -> list[tuple[str, dt.datetime]]:
        made = plan_attempts(
            history,
            policy,
            members=everyone,
            start=start,
            end=start + dt.timedelta(days=1),
            attempts_per_slot=per_slot,
            not_before_s=not_before,
        )
        return [(a.member, a.planned_at) for a in made.attempts]

    # member indices of the history follow the sorted names, which are the generated order
    began = time.perf_counter()
    rates = learn_answer_rates(history)
    learned_s = time.perf_counter() - began
    base = np.full(n, int(start.timestamp()), dtype=np.int64)
    began = time.perf_counter()
    best = best_times(rates, history, np.arange(n, dtype=np.int64), base, policy)
    best_s = time.perf_counter() - began
    pool_best = int(np.argmax(np.where((np.arange(24) >= 8) & (np.arange(24) < 21), rates.pool[:24], -1)))
    pool_time = np.full(n, int(start.timestamp()) + pool_best * 3600, dtype=np.int64)
    results = {
        "earliest allowed (baseline)": score(plan(None)),
        "pool's best hour": score(plan(pool_time)),
        "member's best hour": score(plan(best)),
    }
    print(f"{n} members, {k} past calls each; learn {learned_s:.2f} s, best times {best_s:.2f} s")
    for name, (rate, planned) in results.items():
        print(f"  {name:28s} answer rate {rate:.3f}  ({planned} planned)")
    ratio = results["member's best hour"][0] / results["earliest allowed (baseline)"][0]
    print(f"  member's best hour / earliest allowed: {ratio:.2f}x")


if __name__ == "__main__":
    main()
