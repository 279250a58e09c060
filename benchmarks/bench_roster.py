"""Rosters: callops.scheduling's solver on a synthetic contact centre, beside pyworkforce's MinHoursRoster.

    .venv/bin/pip install pyworkforce        # the baseline (MIT); for this benchmark only, not a dependency
    .venv/bin/python benchmarks/bench_roster.py [--agents 300] [--days 7] [--time-limit 60] [--seed 2026]

The instance: N agents (60 % standard hours, 25 % comprehensive, 15 % part-time; one in five with an
unavailable day, one in three with a day asked off), 30-minute requirements over 24 hours with a
weekday morning and afternoon peak sized so that the headcount can cover it, the China default rules
(every rule on: daily, weekly and period hours, rest days, 11 h between shifts, 6 days in a row, night
limits, meal and rest breaks, the 08:30/13:00 huddle). Prints the solver's status, wall time, paid
hours, cost against its own bound (gap), shortfall, and hard-rule violations by the product's checker
and by the independent checker of the tests. Then pyworkforce's MinHoursRoster (CP-SAT) gets the same
agents and the same counted shifts per day (our stage 1, as it needs shift counts per day) with the
same bans, rest-day and rest-between-shift rules it can express, and the same time limit; its model
build and solve times are printed beside ours, with the ratio. ``--compare-trim`` and ``--compare-fill`` apply
the drop pass, or the fill pass (then the drop pass), to one roster solved without it and print both costs;
``--compare-moves`` does the same for the local-search passes (drop and slide, penalty swaps, both).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import random
import sys
import time
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.roster_law import violations  # noqa: E402

from callops.cli.roster import result_json  # noqa: E402
from callops.scheduling.roster_check import check_roster  # noqa: E402
from callops.scheduling.roster_inputs import parse_agents, parse_requirements  # noqa: E402
from callops.scheduling.roster_model import RosterShift  # noqa: E402
from callops.scheduling.roster_problem import RosterProblem, build_problem  # noqa: E402
from callops.scheduling.roster_solver import ROUNDS_SHARE, RosterResult, SolveOptions, solve_roster  # noqa: E402
from callops.scheduling.work_rules import china_rules  # noqa: E402

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def requirements_csv(first: dt.date, days: int, peak: int, seed: int) -> str:
    rnd = random.Random(seed)
    lines = ["interval_start,required"]
    for d in range(days):
        day = first + dt.timedelta(days=d)
        scale = 0.7 if day.weekday() >= 5 else 1.0
        for j in range(48):
            h = j / 2
            shape = 0.1 + 0.85 * math.exp(-((h - 11) ** 2) / 8) + 0.6 * math.exp(-((h - 16) ** 2) / 6)
            need = max(1, round(peak * scale * min(1.0, shape) * (0.95 + 0.1 * rnd.random())))
            lines.append(f"{dt.datetime.combine(day, dt.time(j // 2, 30 * (j % 2))).isoformat()},{need}")
    return "\n".join(lines) + "\n"


def agents_csv(n: int, first: dt.date, days: int, seed: int) -> str:
    rnd = random.Random(seed)
    lines = ["agent,contract,skills,weekly_hours,unavailable,prefer_off"]
    for i in range(n):
        r = rnd.random()
        contract = "standard" if r < 0.6 else ("comprehensive" if r < 0.85 else "part_time")
        un = (first + dt.timedelta(days=rnd.randrange(days))).isoformat() if rnd.random() < 0.2 else ""
        po = (first + dt.timedelta(days=rnd.randrange(days))).isoformat() if rnd.random() < 0.33 else ""
        lines.append(f"A{i:04d},{contract},,,{un},{po}")
    return "\n".join(lines) + "\n"


def run_callops(agents: str, reqs: str, first: dt.date, days: int, limit: float,
                drop: bool = True, fill: bool = True, workers: int | None = None,
                moves: bool = True) -> tuple[RosterResult, float]:
    rules = china_rules()
    started = time.perf_counter()
    problem = build_problem(rules=rules, agents=parse_agents(agents),
                            requirements=parse_requirements(reqs, tz=TZ, interval_min=30), first_day=first,
                            last_day=first + dt.timedelta(days=days - 1), tz=TZ)
    opts = SolveOptions(time_limit_s=limit, drop_overstaffing=drop, fill_shortfall=fill, local_moves=moves)
    if workers is not None:
        opts = dataclasses.replace(opts, workers=workers)
    result = solve_roster(problem, opts)
    return result, time.perf_counter() - started


def run_pyworkforce(result: RosterResult, agents: str, first: dt.date, days: int, limit: float) -> str:
    try:
        from pyworkforce.rostering.binary_programming import MinHoursRoster
    except ImportError:
        return "pyworkforce is not installed: baseline skipped"
    parsed = parse_agents(agents)
    shapes: dict[tuple[int, int], str] = {}
    need: dict[str, list[int]] = {}
    worked_h: dict[str, int] = {}
    for s in result.roster.shifts:
        local = s.start_at.astimezone(TZ)
        shape = (local.hour * 60 + local.minute, round((s.end_at - s.start_at).total_seconds() / 60))
        worked_h[f"S{shape[0]:04d}_{shape[1]}"] = round(s.worked_min / 60)  # its model takes whole hours
        name = shapes.setdefault(shape, f"S{shape[0]:04d}_{shape[1]}")
        need.setdefault(name, [0] * days)[(local.date() - first).days] += 1
    names = sorted(need)
    hours = [worked_h[name] for name in names]
    starts = {name: start for (start, _), name in shapes.items()}
    spans = {name: span for (_, span), name in shapes.items()}
    rest = 11 * 60
    non_seq = [{"origin": a, "destination": b} for a in names for b in names
               if starts[a] + spans[a] + rest > 1440 + starts[b]]
    banned = [{"resource": a.agent, "shift": name, "day": (d - first).days}
              for a in parsed for d in a.unavailable for name in names]
    started = time.perf_counter()
    solver = MinHoursRoster(num_days=days, resources=[a.agent for a in parsed], shifts=names, shifts_hours=hours,
                            min_working_hours=0, banned_shifts=banned, max_resting=days,
                            required_resources=need, non_sequential_shifts=non_seq, max_search_time=limit,
                            num_search_workers=2)
    try:
        out = solver.solve()
    except Exception as exc:  # noqa: BLE001 - the baseline's own failure is reported, not raised
        return f"pyworkforce MinHoursRoster failed after {time.perf_counter() - started:.1f} s: {str(exc)[:200]}"
    wall = time.perf_counter() - started
    return (f"pyworkforce MinHoursRoster: status {out.get('status')}, cost {out.get('cost')}, "
            f"{len(out.get('resource_shifts', []))} assignments, {wall:.1f} s (its own rules only: "
            f"no weekly hours, nights or breaks)")


def _problem(agents: str, reqs: str, first: dt.date, days: int) -> RosterProblem:
    """The benchmark's roster problem (China rules) from its agents and requirements CSV text."""
    return build_problem(rules=china_rules(), agents=parse_agents(agents),
                         requirements=parse_requirements(reqs, tz=TZ, interval_min=30), first_day=first,
                         last_day=first + dt.timedelta(days=days - 1), tz=TZ)


def _roster_cost(p: RosterProblem, shifts: list[RosterShift]) -> tuple[float, float, float]:
    """(stage-1 cost plus named penalties, paid hours, shortfall in agent-intervals) of ``shifts`` under ``p``."""
    from callops.scheduling.roster_breaks import coverage_rows
    from callops.scheduling.roster_trim import roster_penalties

    im, w = p.rules.interval_min, p.rules.weights
    rows = coverage_rows(p, shifts)
    short = sum(max(0.0, r.required - r.scheduled) for r in rows)
    over = sum(max(0.0, r.scheduled - r.required) for r in rows)
    paid = sum(s.worked_min * (p.rules.pay.holiday if p.is_holiday(s.start_at.astimezone(TZ).date()) else 1.0)
               for s in shifts)
    total = paid + w.shortfall * im * short + w.overstaffing * im * over + sum(roster_penalties(p, shifts).values())
    return total, paid / 60, short


def compare_trim(result: RosterResult, agents: str, reqs: str, first: dt.date, days: int) -> None:
    """The drop pass applied to the solved (undropped) roster: stage-1 cost plus named penalties, before and
    after, on the same roster; the gap of each against the solver's bound."""
    from callops.scheduling.roster_trim import drop_overstaffing

    p = _problem(agents, reqs, first, days)

    before = list(result.roster.shifts)
    started = time.perf_counter()
    after = drop_overstaffing(p, before)
    pass_s = time.perf_counter() - started
    (c0, h0, s0), (c1, h1, s1) = _roster_cost(p, before), _roster_cost(p, after)
    print(f"drop pass on the same roster ({pass_s:.2f} s): {len(before)} -> {len(after)} shifts, paid hours "
          f"{h0:,.1f} -> {h1:,.1f}, shortfall {s0:g} -> {s1:g}, cost {c0:,.0f} -> {c1:,.0f} (ratio {c1 / c0:.3f}); "
          f"gap to the bound {result.bound:,.0f}: {(c0 - result.bound) / c0:.2%} -> {(c1 - result.bound) / c1:.2%}")
    data = json.loads(json.dumps(result_json(dataclasses.replace(result, roster=dataclasses.replace(
        result.roster, shifts=tuple(after))))))
    print(f"  hard-rule violations after the pass: independent checker {len(violations(data, agents))}")


def compare_fill(result: RosterResult, agents: str, reqs: str, first: dt.date, days: int, budget_s: float) -> None:
    """The fill pass (then the drop pass, as the solver runs them) applied to a roster solved without it: cost,
    shortfall and gap of both, on the same roster."""
    from callops.scheduling.roster_fill import fill_shortfall
    from callops.scheduling.roster_trim import drop_overstaffing

    p = _problem(agents, reqs, first, days)

    before = list(result.roster.shifts)
    started = time.perf_counter()
    after = drop_overstaffing(p, fill_shortfall(p, before, deadline_at=started + budget_s))
    pass_s = time.perf_counter() - started
    (c0, h0, s0), (c1, h1, s1) = _roster_cost(p, before), _roster_cost(p, after)
    print(f"fill pass on the same roster ({pass_s:.2f} s of {budget_s:.1f} s): {len(before)} -> {len(after)} shifts, "
          f"paid hours {h0:,.1f} -> {h1:,.1f}, shortfall {s0:g} -> {s1:g}, cost {c0:,.0f} -> {c1:,.0f} "
          f"(ratio {c1 / c0:.3f}); gap to the bound {result.bound:,.0f}: {(c0 - result.bound) / c0:.2%} -> "
          f"{(c1 - result.bound) / c1:.2%}")
    data = json.loads(json.dumps(result_json(dataclasses.replace(result, roster=dataclasses.replace(
        result.roster, shifts=tuple(after))))))
    print(f"  hard-rule violations after the pass: independent checker {len(violations(data, agents))}, product "
          f"checker {len(check_roster(after, parse_agents(agents), china_rules(), tz=TZ))}")


def compare_moves(result: RosterResult, agents: str, reqs: str, first: dt.date, days: int, budget_s: float) -> None:
    """The local-search passes (``roster_moves``) applied to a roster solved without them: each pass alone and both
    as the solver runs them, on the same roster, with cost, paid hours, shortfall, gap and violations."""
    from callops.scheduling.roster_moves import drop_and_slide, improve_roster, swap_penalties

    p = _problem(agents, reqs, first, days)
    before = list(result.roster.shifts)
    c0, h0, s0 = _roster_cost(p, before)
    for name, run in (("drop and slide", drop_and_slide), ("penalty swaps", swap_penalties),
                      ("both (improve_roster)", improve_roster)):
        started = time.perf_counter()
        after = run(p, before, deadline_at=started + budget_s)
        pass_s = time.perf_counter() - started
        c1, h1, s1 = _roster_cost(p, after)
        data = json.loads(json.dumps(result_json(dataclasses.replace(result, roster=dataclasses.replace(
            result.roster, shifts=tuple(after))))))
        print(f"{name} on the same roster ({pass_s:.2f} s of {budget_s:.1f} s): {len(before)} -> {len(after)} shifts, "
              f"paid hours {h0:,.1f} -> {h1:,.1f}, shortfall {s0:g} -> {s1:g}, cost {c0:,.0f} -> {c1:,.0f} "
              f"(ratio {c1 / c0:.4f}); gap to the bound {result.bound:,.0f}: {(c0 - result.bound) / c0:.2%} -> "
              f"{(c1 - result.bound) / c1:.2%}; violations: independent checker {len(violations(data, agents))}, "
              f"product checker {len(check_roster(after, parse_agents(agents), china_rules(), tz=TZ))}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=300)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--first", default="2026-12-07", help="First day (a Monday).")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--workers", type=int, default=None,
                    help="CP-SAT workers for the assignment models (default: the solver's SolveOptions default).")
    ap.add_argument("--compare-trim", action="store_true",
                    help="Solve without the final pass that drops overstaffing shifts, then apply it to that same "
                         "roster and print the cost of both (one solve: the pass's effect without solver noise).")
    ap.add_argument("--compare-fill", action="store_true",
                    help="Solve without the pass that adds shifts where still short (the rounds get the whole limit), "
                         "then apply it (and the drop pass) to that same roster in the share of the limit the solver "
                         "leaves it, and print the cost of both.")
    ap.add_argument("--compare-moves", action="store_true",
                    help="Solve without the local-search passes (roster_moves), then apply each, and both, to that "
                         "same roster in the time the solve left of the limit (less the explanation's 10 %%), and "
                         "print the cost of each.")
    args = ap.parse_args()
    first = dt.date.fromisoformat(args.first)
    peak = round(args.agents * 0.33)
    agents = agents_csv(args.agents, first, args.days, args.seed)
    reqs = requirements_csv(first, args.days, peak, args.seed)
    result, wall = run_callops(agents, reqs, first, args.days, args.time_limit, drop=not args.compare_trim,
                               fill=not args.compare_fill, workers=args.workers, moves=not args.compare_moves)
    data = json.loads(json.dumps(result_json(result)))
    product = check_roster(result.roster.shifts, parse_agents(agents), china_rules(), tz=TZ)
    independent = violations(data, agents)
    print(f"callops: {args.agents} agents x {args.days} days, peak {peak}: status {result.status}, {wall:.1f} s "
          f"(limit {args.time_limit:g} s), {len(result.roster.shifts)} shifts, {result.paid_hours:g} paid hours")
    print(f"  cost {result.objective:g} vs bound {result.bound:g}: gap {result.gap:.2%}; "
          f"shortfall {result.shortfall:g} of {result.required:g} agent-intervals "
          f"({result.shortfall / max(1, result.required):.2%})")
    print(f"  penalties {result.penalties}")
    print(f"  hard-rule violations: product checker {len(product)}, independent checker {len(independent)}")
    for line in result.explanations[:3]:
        print(f"  {line}")
    if args.compare_trim:
        compare_trim(result, agents, reqs, first, args.days)
    if args.compare_fill:
        # the share of the limit the solver leaves the pass (after its rounds, before the explanation)
        compare_fill(result, agents, reqs, first, args.days, args.time_limit * (1 - ROUNDS_SHARE - 0.1))
    if args.compare_moves:
        compare_moves(result, agents, reqs, first, args.days, max(1.0, args.time_limit * 0.9 - wall))
    if not args.no_baseline:
        print(run_pyworkforce(result, agents, first, args.days, args.time_limit))


if __name__ == "__main__":
    main()
