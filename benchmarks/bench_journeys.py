"""Plan member journeys and re-check every planned touch with the independent per-member loop.

Synthetic buyers: ``--members`` members who bought once in the last 60 days (a successful call between 09:00
and 20:00 Beijing) with three earlier calls each (30 % answered). The default five-touch repurchase journey is
planned for ``--days`` days at 100 calls an hour (China default policy), once with the best time to call and
once without (the baseline: each touch at the earliest allowed time). Every touch is then re-checked in time
order by ``check_member_loop`` against the member's history plus the touches planned before it.
Run: .venv/bin/python benchmarks/bench_journeys.py [--members 5000] [--days 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np

from callops.dialer import Channel, HistoryRow, Outcome, check_member_loop, china_default
from callops.dialer.contact_check import holiday_dates
from callops.dialer.journeys import DEFAULT_JOURNEY, JourneyPlan, plan_journeys

CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 3, 2, tzinfo=CST)


def buyers(members: int) -> list[HistoryRow]:
    rng = np.random.default_rng(3)
    rows = []
    for i in range(members):
        phone = f"+86138{i:08d}"
        bought = START - dt.timedelta(days=int(rng.integers(0, 60)), hours=-int(rng.integers(9, 20)))
        rows.append(HistoryRow(f"m{i}", phone, Channel.CALL, bought, Outcome.SUCCESS, "spring"))
        for _ in range(3):
            at = bought - dt.timedelta(days=int(rng.integers(1, 90)), hours=int(rng.integers(0, 5)))
            outcome = Outcome.CALLBACK if rng.random() < 0.3 else Outcome.NO_ANSWER
            rows.append(HistoryRow(f"m{i}", phone, Channel.CALL, at, outcome, "spring"))
    return rows


def violations(rows: list[HistoryRow], plan: JourneyPlan) -> int:
    policy = china_default()
    holidays = frozenset(d.astype(dt.date) for d in holiday_dates(policy, range(2026, 2028)))
    by_member: dict[str, list[HistoryRow]] = {}
    for r in rows:
        by_member.setdefault(r.member, []).append(r)
    bad = 0
    for t in plan.touches:
        verdict = check_member_loop(
            t.member,
            by_member[t.member],
            "Asia/Shanghai",
            policy,
            t.planned_at,
            holidays=holidays,
            channel=t.channel,
            campaign=DEFAULT_JOURNEY.campaign,
            no_consent=False,
            dnc=False,
        )
        bad += not verdict["allowed"]
        by_member[t.member].append(
            HistoryRow(t.member, t.phone, t.channel, t.planned_at, Outcome.NO_ANSWER, DEFAULT_JOURNEY.campaign)
        )
    return bad


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    rows = buyers(args.members)
    per_hour = {Channel.CALL: 100, Channel.SMS: 10_000, Channel.EMAIL: 10_000}
    timings = {}
    for name, best in (("earliest allowed (baseline)", False), ("best time to call", True)):
        began = time.perf_counter()
        plan = plan_journeys(
            rows, DEFAULT_JOURNEY, china_default(), start=START, days=args.days, per_hour=per_hour, best_time=best
        )
        timings[name] = time.perf_counter() - began
        print(
            f"{name:28s} {len(plan.touches):6d} touches in {timings[name]:.1f} s, left out {plan.left_out}, "
            f"violations {violations(rows, plan)}"
        )
    ratio = timings["best time to call"] / timings["earliest allowed (baseline)"]
    print(f"planning time with best time / baseline: {ratio:.2f}x")


if __name__ == "__main__":
    main()
