"""The roster solver: named people on shifts that the law allows and that cover the plan (OR-Tools).

It follows the shape of OR-Tools' shift_scheduling_sat example, in two models:

1. **Shift counts** (per agent group, day and template): how many shifts of each template start each
   day. Its linear relaxation is solved by GLOP (OR-Tools' LP solver) and rounded: down, then shifts are
   added greedily where they cover most shortfall per paid minute. (CP-SAT and HiGHS's MIP both stalled
   on this covering model: on 60 agents × 7 days they left whole days short after 10-20 s.)
   Hard: the group's headcount available each day, its weekly hours, rest days, nights and
   comprehensive-period hours in total. Soft: shortfall and overstaffing per interval and skill,
   pay-weighted paid minutes (holidays at their multiplier). Every roster's counts satisfy this model, so the
   relaxation's optimum is a lower bound on the stage-1 cost of any roster: the reported ``bound``
   (breaks count spread over their windows there; placed breaks can make the true cost differ).
2. **Assignment** (per group): which agent takes each counted shift. Hard: one shift a day, availability,
   minimum rest between shifts (across midnight and against history), weekly hours, rest days per week,
   consecutive days, nights per week and in a row, comprehensive-period hours, monthly overtime. Soft,
   named: unfilled shifts, days asked off, fairness of weekends, nights and holidays (spread between the
   most and the least), equal hours. Warm start: hints from the previous roster, weekday by weekday.

Meal and rest breaks are then placed where coverage dips least (``roster_breaks``). The rounds take 70 % of
the time limit; in what is left, ``roster_fill`` adds shifts where the roster is still short for agents who can
take one under every rule, ``roster_trim`` drops those that only overstaff, and ``roster_moves`` drops shifts whose
hole neighbouring shifts can slide into and trades shifts that cost a named penalty. When coverage cannot be
met, ``roster_explain`` says which rule binds where; the best partial roster is returned all the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from callops.scheduling.roster_breaks import coverage_rows, place_breaks
from callops.scheduling.roster_explain import explain_shortfall
from callops.scheduling.roster_fill import fill_shortfall
from callops.scheduling.roster_model import ANY_SKILL, Roster, RosterAgent, RosterBreak, RosterShift
from callops.scheduling.roster_moves import improve_roster
from callops.scheduling.roster_problem import AgentGroup, RosterProblem, shift_is_night
from callops.scheduling.roster_trim import drop_overstaffing, roster_penalties, shorten_overstaffing
from callops.scheduling.shift_templates import ShiftTemplate
from callops.scheduling.work_rules import WorkSystem

__all__ = ["CoverageRow", "RosterResult", "SolveOptions", "solve_roster"]

SCALE = 20  # objective weights are kept to a twentieth
UNIT = 2  # coverage is counted in half-minutes
ROUNDS = 4  # count-and-assign rounds: shifts nobody could take are counted again around those assigned
ROUNDS_SHARE = 0.7  # of the time limit, for the rounds when the fill pass follows (the explanation takes 0.1)


@dataclass(frozen=True, slots=True)
class SolveOptions:
    time_limit_s: float = 30.0
    workers: int = 8  # CP-SAT subsolvers (LNS needs several); they share the cores
    previous: Roster | None = None  # warm start: last week's roster, matched weekday by weekday
    earliest_start_at: dt.datetime | None = None  # intraday: no new shift starts before this
    seed: int = 0
    drop_overstaffing: bool = True  # finally take off shifts that only overstaff (roster_trim)
    fill_shortfall: bool = True  # then add shifts where still short, for agents who can take them (roster_fill)
    local_moves: bool = True  # last, drop shifts by sliding neighbours and trade penalty shifts (roster_moves)


@dataclass(frozen=True, slots=True)
class CoverageRow:
    start_at: dt.datetime
    skill: str
    required: int
    scheduled: float  # agents on the phones, breaks taken out


@dataclass(frozen=True, slots=True)
class RosterResult:
    status: str  # OPTIMAL, FEASIBLE or INFEASIBLE (the requirement cannot be met under the rules)
    objective: float
    bound: float
    gap: float
    shortfall: float  # agent-intervals below requirement, after every break
    required: float  # agent-intervals required
    paid_hours: float
    roster: Roster
    penalties: dict[str, float]
    explanations: tuple[str, ...]
    coverage: tuple[CoverageRow, ...]
    counts_status: str
    assignment_status: str
    wall_s: float


@dataclass(slots=True)
class _Slot:
    group: int
    day: int
    template: int
    count: int


def _template_cover(t: ShiftTemplate, interval_min: int) -> list[tuple[int, int]]:
    """(interval offset from the day's first interval, half-minutes on the phone) for one template.

    Breaks count spread evenly over their windows, so the figure is what the shift gives on average
    over where its breaks may fall."""
    halves: dict[int, float] = defaultdict(float)
    for m in range(t.start_min, t.end_min, 15):
        rel = m - t.start_min
        if any(o.offset_min <= rel < o.offset_min + o.length_min for o in t.off):
            continue
        there = 1.0
        for w in t.break_windows:
            if w.first_min <= rel < w.last_min:
                there -= w.length_min / (w.last_min - w.first_min)
        halves[m // interval_min] += 30 * max(0.0, there)
    return sorted((k, round(v)) for k, v in halves.items())


@dataclass(slots=True)
class _Counts:
    """Stage 1 laid out: count keys (group, day, template), their cost and cover, the group rows, the need."""

    cost: dict[tuple[int, int, int], float]  # pay-weighted paid minutes
    cover: dict[tuple[int, int, int], list[tuple[int, int]]]  # (interval, half-minutes on the phones)
    serves: dict[int, list[str]]  # group -> skills
    upper: dict[tuple[int, int, int], int]
    rows: list[Row]
    need: dict[str, list[int]]  # half-minutes still needed per skill and interval


def _counts_data(p: RosterProblem, opts: SolveOptions) -> _Counts:
    rules, im = p.rules, p.rules.interval_min
    cost: dict[tuple[int, int, int], float] = {}
    cover: dict[tuple[int, int, int], list[tuple[int, int]]] = {}
    upper: dict[tuple[int, int, int], int] = {}
    rows: list[Row] = []
    size = len(p.days) * p.per_day
    for gi, g in enumerate(p.groups):
        temps = p.templates[g.system]
        covers = [_template_cover(t, im) for t in temps]
        for d, day in enumerate(p.days):
            avail = sum(1 for a in g.agents if day not in a.unavailable and d not in p.fixed.get(a.agent, {}))
            if avail == 0:
                continue
            mult = rules.pay.holiday if p.is_holiday(day) else 1.0
            for ti, t in enumerate(temps):
                if opts.earliest_start_at is not None and p.local(day, t.start_min) < opts.earliest_start_at:
                    continue
                key = (gi, d, ti)
                cost[key] = t.worked_min * mult
                cover[key] = [(d * p.per_day + rel, m) for rel, m in covers[ti] if d * p.per_day + rel < size]
                upper[key] = avail
        rows.extend(_group_capacity(p, gi, g, {k for k in cost if k[0] == gi}))
    fixed_cover: dict[str, list[float]] = {k: [0.0] * len(v) for k, v in p.required.items()}
    by_name = {a.agent: a for a in p.agents}
    for shifts in p.fixed.values():
        for s in shifts.values():
            _add_fixed_cover(p, s, fixed_cover, by_name)
    need = {k: [round(max(0.0, p.required[k][i] * im * UNIT - fixed_cover[k][i])) for i in range(size)]
            for k in p.skills}
    serves = {gi: [k for k in p.skills if g.agents[0].can_serve(k)] for gi, g in enumerate(p.groups)}
    return _Counts(cost, cover, serves, upper, rows, need)


def _relaxation(p: RosterProblem, c: _Counts, time_limit_s: float) -> tuple[dict[tuple[int, int, int], float],
                                                                            float, str]:
    """The LP relaxation of stage 1 (GLOP): fractional counts and a lower bound on every roster's cost."""
    w = p.rules.weights
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:  # pragma: no cover - the OR-Tools wheels ship GLOP
        raise RuntimeError("OR-Tools has no GLOP solver")
    lp.SetTimeLimit(round(time_limit_s * 1000))
    n = {k: lp.NumVar(0, c.upper[k], "") for k in c.cost}
    for terms, ub in c.rows:
        lp.Add(lp.Sum([n[k] * coef for k, coef in terms]) <= ub)
    present: dict[int, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for k, cov in c.cover.items():
        for i, m in cov:
            present[k[0]][i].append(n[k] * m)
    objective: list[Any] = [n[k] * cost for k, cost in c.cost.items()]
    single = p.skills == [ANY_SKILL]
    size = len(p.days) * p.per_day
    for i in range(size):
        by_skill: dict[str, list[Any]] = {k: [] for k in p.skills}
        for gi, at in present.items():
            here = at.get(i)
            if not here:
                continue
            if single:
                by_skill[ANY_SKILL].extend(here)
                continue
            allocs = [lp.NumVar(0, lp.infinity(), "") for _ in c.serves[gi]]
            lp.Add(lp.Sum(allocs) <= lp.Sum(here))
            for skill, al in zip(c.serves[gi], allocs, strict=True):
                by_skill[skill].append(al)
        for skill in p.skills:
            if not by_skill[skill] and c.need[skill][i] == 0:
                continue
            short = lp.NumVar(0, c.need[skill][i], "")
            over = lp.NumVar(0, lp.infinity(), "")
            lp.Add(lp.Sum(by_skill[skill]) + short - over == c.need[skill][i])
            objective.append(short * (w.shortfall / UNIT))
            objective.append(over * (w.overstaffing / UNIT))
    lp.Minimize(lp.Sum(objective))
    started = time.perf_counter()
    code = lp.Solve()
    if code != pywraplp.Solver.OPTIMAL:
        return {}, 0.0, "UNKNOWN"
    bound = lp.Objective().Value()
    values = {k: v.solution_value() for k, v in n.items()}
    # dive: keep what is whole, round the most decided fractions up, solve again, until all are whole
    while time.perf_counter() - started < time_limit_s:
        fractions = {k: x - math.floor(x + 1e-6) for k, x in values.items() if x - math.floor(x + 1e-6) > 1e-6}
        if not fractions:
            break
        top = max(fractions.values())
        for k, x in values.items():
            lower = math.floor(x + 1e-6)
            if k in fractions and fractions[k] >= min(0.5, top):
                lower += 1
            n[k].SetLb(min(lower, c.upper[k]))
        if lp.Solve() != pywraplp.Solver.OPTIMAL:
            break
        values = {k: v.solution_value() for k, v in n.items()}
    return values, bound, "OPTIMAL"


def _round_counts(p: RosterProblem, c: _Counts, frac: dict[tuple[int, int, int], float]) -> dict[tuple[int, int, int],
                                                                                                int]:
    """Whole counts: the relaxation rounded down, then shifts added greedily where they cover most per cost."""
    w = p.rules.weights
    counts = {k: int(v + 1e-6) for k, v in frac.items() if v > 1e-6}
    rows_of: dict[tuple[int, int, int], list[tuple[int, int]]] = defaultdict(list)
    used = [0.0] * len(c.rows)
    for r, (terms, _) in enumerate(c.rows):
        for k, coef in terms:
            rows_of[k].append((r, coef))
            used[r] += coef * counts.get(k, 0)
    resid = {k: list(col) for k, col in c.need.items()}
    for k, cnt in counts.items():
        _take(resid, c.cover[k], c.serves[k[0]], cnt)

    def gain(key: tuple[int, int, int]) -> float:
        covered = sum(min(m, sum(resid[s][i] for s in c.serves[key[0]])) for i, m in c.cover[key])
        total = sum(m for _, m in c.cover[key])
        value = covered / UNIT * w.shortfall - (total - covered) / UNIT * w.overstaffing - c.cost[key]
        return value

    heap = [(-gain(k), k) for k in c.cost]
    heapq.heapify(heap)
    while heap:
        neg, key = heapq.heappop(heap)
        current = gain(key)
        if current <= 0:
            continue
        if heap and current < -heap[0][0] - 1e-9:
            heapq.heappush(heap, (-current, key))
            continue
        if counts.get(key, 0) >= c.upper[key] or any(used[r] + coef > c.rows[r][1] + 1e-9 for r, coef in rows_of[key]):
            continue
        counts[key] = counts.get(key, 0) + 1
        for r, coef in rows_of[key]:
            used[r] += coef
        _take(resid, c.cover[key], c.serves[key[0]], 1)
        heapq.heappush(heap, (-gain(key), key))
    return {k: v for k, v in counts.items() if v > 0}


def _improve_counts(p: RosterProblem, c: _Counts, counts: dict[tuple[int, int, int], int],
                    time_limit_s: float) -> dict[tuple[int, int, int], int]:
    """Local search on whole counts (one skill): drop shifts that cost more than they cover, and move shifts
    to a start up to two hours earlier or later on the same day when that lowers the stage-1 cost."""
    if p.skills != [ANY_SKILL]:
        return counts
    started = time.perf_counter()
    w = p.rules.weights
    need = c.need[ANY_SKILL]
    cov = [0] * len(need)
    for key, cnt in counts.items():
        for i, m in c.cover[key]:
            cov[i] += m * cnt
    short_w, over_w = w.shortfall / UNIT, w.overstaffing / UNIT

    def pen(i: int, value: int) -> float:
        return short_w * max(0, need[i] - value) + over_w * max(0, value - need[i])

    def delta(key: tuple[int, int, int], sign: int) -> float:
        return sign * c.cost[key] + sum(pen(i, cov[i] + sign * m) - pen(i, cov[i]) for i, m in c.cover[key])

    def apply(key: tuple[int, int, int], sign: int) -> None:
        counts[key] = counts.get(key, 0) + sign
        for i, m in c.cover[key]:
            cov[i] += sign * m

    rows_of: dict[tuple[int, int, int], list[tuple[int, int]]] = defaultdict(list)
    used = [0.0] * len(c.rows)
    for r, (terms, _) in enumerate(c.rows):
        for k, coef in terms:
            rows_of[k].append((r, coef))
            used[r] += coef * counts.get(k, 0)
    index: dict[tuple[int, int, int, int], tuple[int, int, int]] = {}
    for (gi, d, ti) in c.cost:
        t = p.templates[p.groups[gi].system][ti]
        index[gi, d, t.worked_min, t.start_min] = (gi, d, ti)
    steps = [s for k in range(1, 5) for s in (k * 30, -k * 30)]
    improved = True
    while improved and time.perf_counter() - started < time_limit_s:
        improved = False
        for key in sorted(k for k, v in counts.items() if v > 0):
            if counts.get(key, 0) <= 0:
                continue
            if delta(key, -1) < -1e-9:
                apply(key, -1)
                for r, coef in rows_of[key]:
                    used[r] -= coef
                improved = True
                continue
            gi, d, ti = key
            t = p.templates[p.groups[gi].system][ti]
            base = delta(key, -1)
            apply(key, -1)
            best: tuple[float, tuple[int, int, int]] | None = None
            for step in steps:
                other = index.get((gi, d, t.worked_min, t.start_min + step))
                if other is None or counts.get(other, 0) >= c.upper[other]:
                    continue
                change = base + delta(other, +1)
                if change < -1e-9 and (best is None or change < best[0]):
                    moved = {r: coef for r, coef in rows_of[other]}
                    for r, coef in rows_of[key]:
                        moved[r] = moved.get(r, 0) - coef
                    if all(used[r] + coef <= c.rows[r][1] + 1e-9 for r, coef in moved.items()):
                        best = (change, other)
            if best is None:
                apply(key, +1)
                continue
            other = best[1]
            apply(other, +1)
            for r, coef in rows_of[key]:
                used[r] -= coef
            for r, coef in rows_of[other]:
                used[r] += coef
            improved = True
    return {k: v for k, v in counts.items() if v > 0}


def _take(resid: dict[str, list[int]], cover: list[tuple[int, int]], serves: list[str], times: int) -> None:
    for i, m in cover:
        left = m * times
        for s in sorted(serves, key=lambda s: -resid[s][i]):
            got = min(left, resid[s][i])
            resid[s][i] -= got
            left -= got
            if left <= 0:
                break


def _add_fixed_cover(p: RosterProblem, s: RosterShift, cover: dict[str, list[float]],
                     agents: dict[str, RosterAgent]) -> None:
    im = p.rules.interval_min
    base = p.days[0]
    agent = agents.get(s.agent)
    served = [k for k in p.skills if agent is None or agent.can_serve(k)]
    if not served:
        return
    t = s.start_at
    while t < s.end_at:
        if not any(b.start_at <= t < b.end_at for b in s.breaks):
            local = t.astimezone(p.tz)
            idx = (local.date() - base).days * p.per_day + (local.hour * 60 + local.minute) // im
            if 0 <= idx < len(cover[served[0]]):
                cover[served[0]][idx] += 15 * UNIT
        t += dt.timedelta(minutes=15)


Row = tuple[list[tuple[tuple[int, int, int], int]], int]  # (count key, coefficient) terms <= bound


def _group_capacity(p: RosterProblem, gi: int, g: AgentGroup, keys: set[tuple[int, int, int]]) -> list[Row]:
    """Hard rules in total over the group, as rows: a relaxation of every agent's own rules."""
    temps = p.templates[g.system]
    sr = p.rules.system(g.system)
    rows: list[Row] = []
    longest = max(t.worked_min for t in temps)
    for d, day in enumerate(p.days):
        avail = sum(1 for a in g.agents if day not in a.unavailable and d not in p.fixed.get(a.agent, {}))
        terms = [((gi, d, ti), 1) for ti in range(len(temps)) if (gi, d, ti) in keys]
        if terms:
            rows.append((terms, avail))
    for week, ds in p.week_days().items():
        in_week = [(gi, d, ti) for d in ds for ti in range(len(temps)) if (gi, d, ti) in keys]
        if not in_week:
            continue
        max_days = len(ds) - (sr.min_rest_days_per_week if p.full_week(week) else 0)
        day_cap = 0
        min_cap = 0
        for a in g.agents:
            free = sum(1 for d in ds if p.days[d] not in a.unavailable and d not in p.fixed.get(a.agent, {}))
            days_a = min(free, max(0, max_days - len([d for d in ds if d in p.fixed.get(a.agent, {})])))
            day_cap += days_a
            cap = p.weekly_cap_min(a)
            min_cap += days_a * longest if cap is None else min(cap, days_a * longest)
        rows.append(([(k, 1) for k in in_week], day_cap))
        rows.append(([(k, temps[k[2]].worked_min) for k in in_week], min_cap))
        nights = [(k, 1) for k in in_week if temps[k[2]].night]
        if nights:
            rows.append((nights, len(g.agents) * p.rules.night.max_per_week))
    if g.system is WorkSystem.COMPREHENSIVE:
        totals: dict[tuple[int, int], tuple[list[int], int]] = {}
        for a in g.agents:
            for key, (ds, cap) in p.period_caps_min(a).items():
                totals[key] = (ds, totals.get(key, (ds, 0))[1] + cap)
        for ds, cap in totals.values():
            terms = [((gi, d, ti), temps[ti].worked_min) for d in ds for ti in range(len(temps))
                     if (gi, d, ti) in keys]
            if terms:
                rows.append((terms, cap))
    return rows


def _status_name(code: Any) -> str:
    names: dict[Any, str] = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE",
                             cp_model.INFEASIBLE: "INFEASIBLE", cp_model.MODEL_INVALID: "MODEL_INVALID"}
    return names.get(code, "UNKNOWN")


def _solver(time_limit_s: float, opts: SolveOptions) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, time_limit_s)
    solver.parameters.num_workers = max(1, opts.workers)
    solver.parameters.random_seed = opts.seed
    return solver


def solve_roster(p: RosterProblem, opts: SolveOptions = SolveOptions()) -> RosterResult:
    """Solve the roster: shift counts, then who works them, then rest breaks; always within the time limit."""
    started = time.perf_counter()
    problem = p
    new_shifts: list[RosterShift] = []
    bound = 0.0
    counts_status = assign_status = "UNKNOWN"
    penalties: dict[str, float] = {}
    counts_short: dict[str, list[int]] = {}
    # with the fill pass on, the rounds leave it a share of the time (it covers what they leave short faster)
    rounds_s = opts.time_limit_s * (ROUNDS_SHARE if opts.fill_shortfall else 1.0)
    for round_ in range(ROUNDS):
        left = rounds_s - (time.perf_counter() - started)
        if round_ > 0 and left < 1.0:
            break
        share = left / (ROUNDS - round_) if round_ > 0 else left * 0.8
        data = _counts_data(problem, opts)
        frac, lp_value, status = _relaxation(problem, data, share * 0.4)
        if round_ == 0:
            bound, counts_status = lp_value, status
        counts = _round_counts(problem, data, frac)  # greedy from nothing when the LP ran out of time
        counts = _improve_counts(problem, data, counts, share * 0.15)
        slots = [_Slot(gi, d, ti, cnt) for (gi, d, ti), cnt in sorted(counts.items())]
        counts_short = {k: list(col) for k, col in data.need.items()}
        for key, cnt in counts.items():
            _take(counts_short, data.cover[key], data.serves[key[0]], cnt)
        left = rounds_s - (time.perf_counter() - started)
        got, penalties, assign_status = _assign(problem, slots, opts, max(1.0, min(left, share) * 0.9))
        new_shifts = place_breaks(p, [*new_shifts, *got])
        if penalties.get("unfilled_shifts", 0.0) == 0:
            break
        # shifts no agent could take: solve again around what is assigned, with those shifts kept
        fixed = {agent: dict(days) for agent, days in p.fixed.items()}
        for shift in new_shifts:
            fixed.setdefault(shift.agent, {})[p.day_index(shift.start_at.astimezone(p.tz).date())] = shift
        problem = dataclasses.replace(p, fixed=fixed)
    kept_fixed = [s for by_day in p.fixed.values() for s in by_day.values()]
    explain_s = max(1.0, opts.time_limit_s * 0.1)
    if opts.fill_shortfall:  # short intervals left: shifts for agents who can still take one, in the time left
        new_shifts = fill_shortfall(p, new_shifts, kept_fixed, deadline_at=started + opts.time_limit_s - explain_s,
                                    earliest_start_at=opts.earliest_start_at)
    trim = opts.drop_overstaffing and opts.previous is None
    shifts = drop_overstaffing(p, new_shifts, kept_fixed) if trim else new_shifts
    if trim:  # then the ends of shifts that only overstaff (a 10-hour shift to an 8-hour one inside it)
        shifts = shorten_overstaffing(p, shifts, kept_fixed,
                                      deadline_at=started + opts.time_limit_s - explain_s * 0.5)
    # then moves on the whole roster in what time is left before the explanation (none when filling took it all:
    # an agent-interval short costs more than any move saves)
    if trim and opts.local_moves:
        shifts = improve_roster(p, shifts, kept_fixed, deadline_at=started + opts.time_limit_s - explain_s,
                                earliest_start_at=opts.earliest_start_at)
    # the penalties of the roster as returned (after every round and the drop), not the last round's model's
    penalties = {**penalties, **roster_penalties(p, shifts)}
    all_shifts = [*shifts, *kept_fixed]
    coverage = coverage_rows(p, all_shifts)
    required = sum(r.required for r in coverage)
    shortfall = sum(max(0.0, r.required - r.scheduled) for r in coverage)
    objective = _cost(p, all_shifts, coverage) + sum(v for k, v in penalties.items() if k != "unfilled_shifts")
    explanations, proven = explain_shortfall(p, counts_short, slots_unfilled=penalties.get("unfilled_shifts", 0.0),
                                             time_limit_s=explain_s)
    bound = min(bound, objective)
    gap = 0.0 if objective <= 0 else (objective - bound) / objective
    if proven:
        status = "INFEASIBLE"
    elif gap <= 1e-4 and assign_status == "OPTIMAL":
        status = "OPTIMAL"
    else:
        status = "FEASIBLE"
    roster = Roster(tuple(sorted(all_shifts, key=lambda s: (s.start_at, s.agent))), p.days[0], p.days[-1])
    return RosterResult(status=status, objective=round(objective, 1), bound=round(bound, 1), gap=round(gap, 4),
                        shortfall=round(shortfall, 2), required=required,
                        paid_hours=round(sum(s.worked_min for s in all_shifts) / 60, 2), roster=roster,
                        penalties=penalties, explanations=tuple(explanations), coverage=tuple(coverage),
                        counts_status=counts_status, assignment_status=assign_status,
                        wall_s=round(time.perf_counter() - started, 2))


def _cost(p: RosterProblem, shifts: Sequence[RosterShift], coverage: Sequence[CoverageRow]) -> float:
    """The stage-1 cost of a roster: pay-weighted paid minutes, shortfall and overstaffing minutes."""
    w = p.rules.weights
    im = p.rules.interval_min
    paid = sum(s.worked_min * (p.rules.pay.holiday if p.is_holiday(s.start_at.astimezone(p.tz).date()) else 1.0)
               for s in shifts)
    short = sum(max(0.0, r.required - r.scheduled) for r in coverage) * im
    over = sum(max(0.0, r.scheduled - r.required) for r in coverage) * im
    return paid + w.shortfall * short + w.overstaffing * over


def _shift_of(p: RosterProblem, agent: str, day: dt.date, t: ShiftTemplate) -> RosterShift:
    start = p.local(day, t.start_min)
    breaks = tuple(RosterBreak(start + dt.timedelta(minutes=o.offset_min),
                               start + dt.timedelta(minutes=o.offset_min + o.length_min), o.kind, o.paid)
                   for o in t.off)  # meal and rest breaks are placed after solving
    return RosterShift(agent, start, start + dt.timedelta(minutes=t.span_min), breaks)


def _assign(p: RosterProblem, slots: Sequence[_Slot], opts: SolveOptions,
            time_limit_s: float) -> tuple[list[RosterShift], dict[str, float], str]:
    """Stage 2, one model per group: who takes each counted shift."""
    by_group: dict[int, list[_Slot]] = defaultdict(list)
    for s in slots:
        by_group[s.group].append(s)
    work = {gi: len(g.agents) * len(by_group[gi]) for gi, g in enumerate(p.groups) if by_group[gi]}
    shifts: list[RosterShift] = []
    penalties: dict[str, float] = defaultdict(float)
    statuses: set[str] = set()
    started = time.perf_counter()
    for gi, g in enumerate(p.groups):
        if gi not in work:
            continue
        left = time_limit_s - (time.perf_counter() - started)
        share = work[gi] / sum(v for k, v in work.items() if k >= gi)  # of the work still to do
        got, pens, status = _assign_group(p, g, by_group[gi], opts, max(0.5, left * share))
        shifts.extend(got)
        for k, v in pens.items():
            penalties[k] += v
        statuses.add(status)
    worst = "OPTIMAL" if statuses <= {"OPTIMAL"} else ("FEASIBLE" if "UNKNOWN" not in statuses else "UNKNOWN")
    return shifts, dict(penalties), worst


def _history_context(p: RosterProblem, agent: str) -> tuple[list[RosterShift], int]:
    """An agent's shifts before the roster and the run of consecutive worked days that ends the day before."""
    hist = sorted(p.history.get(agent, []), key=lambda s: s.start_at)
    worked_days = {s.start_at.astimezone(p.tz).date() for s in hist}
    run = 0
    day = p.days[0] - dt.timedelta(days=1)
    while day in worked_days:
        run += 1
        day -= dt.timedelta(days=1)
    return hist, run


def _assign_group(p: RosterProblem, g: AgentGroup, slots: Sequence[_Slot], opts: SolveOptions,
                  time_limit_s: float) -> tuple[list[RosterShift], dict[str, float], str]:
    rules = p.rules
    temps = p.templates[g.system]
    sr = rules.system(g.system)
    model = cp_model.CpModel()
    rest_min = round(rules.rest.min_between_shifts_h * 60)
    # -- variables -----------------------------------------------------------------------------------------
    y: dict[tuple[int, int], cp_model.IntVar] = {}  # (agent index, slot index)
    slot_start = [p.local(p.days[s.day], temps[s.template].start_min) for s in slots]
    slot_end = [st + dt.timedelta(minutes=temps[s.template].span_min) for st, s in zip(slot_start, slots, strict=True)]
    agent_fixed: list[dict[int, RosterShift]] = [p.fixed.get(a.agent, {}) for a in g.agents]
    for ai, a in enumerate(g.agents):
        hist, _ = _history_context(p, a.agent)
        neighbours = [*hist, *agent_fixed[ai].values()]
        for si, s in enumerate(slots):
            day = p.days[s.day]
            if day in a.unavailable or s.day in agent_fixed[ai]:
                continue
            if any(_too_close(o.start_at, o.end_at, slot_start[si], slot_end[si], rest_min) for o in neighbours):
                continue
            y[ai, si] = model.new_bool_var(f"y[{a.agent},{day},{temps[s.template].start_min}]")
    # -- hard: each counted shift at most once filled (unfilled ones are penalised) ----------------------------
    unfilled: list[tuple[cp_model.IntVar, int]] = []
    for si, s in enumerate(slots):
        takers = [y[ai, si] for ai in range(len(g.agents)) if (ai, si) in y]
        u = model.new_int_var(0, s.count, f"unfilled[{si}]")
        model.add(sum(takers) + u == s.count)
        unfilled.append((u, temps[s.template].worked_min))
    by_agent_day: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (ai, si) in y:
        by_agent_day[ai, slots[si].day].append(si)
    work: dict[tuple[int, int], cp_model.LinearExprT] = {}
    night: dict[tuple[int, int], cp_model.LinearExprT] = {}
    worked_min: dict[tuple[int, int], cp_model.LinearExprT] = {}
    for ai in range(len(g.agents)):
        for d in range(len(p.days)):
            sis = by_agent_day.get((ai, d), [])
            if d in agent_fixed[ai]:
                fs = agent_fixed[ai][d]
                work[ai, d] = 1
                night[ai, d] = int(shift_is_night(fs, rules, p.tz))
                worked_min[ai, d] = fs.worked_min
                continue
            if sis:
                model.add_at_most_one(y[ai, si] for si in sis)
            work[ai, d] = sum(y[ai, si] for si in sis)
            night[ai, d] = sum(y[ai, si] for si in sis if temps[slots[si].template].night)
            worked_min[ai, d] = sum(y[ai, si] * temps[slots[si].template].worked_min for si in sis)
    # -- hard: minimum rest between shifts on neighbouring days ----------------------------------------------
    for (ai, d), sis in by_agent_day.items():
        later = by_agent_day.get((ai, d + 1), []) + by_agent_day.get((ai, d + 2), [])
        for si in sis:
            clash = [sj for sj in later if _too_close(slot_start[si], slot_end[si], slot_start[sj], slot_end[sj],
                                                      rest_min)]
            if clash:
                model.add(y[ai, si] + sum(y[ai, sj] for sj in clash) <= 1)
    weeks = p.week_days()
    max_consec = rules.rest.max_consecutive_days
    for ai, a in enumerate(g.agents):
        hist, run = _history_context(p, a.agent)
        cap = p.weekly_cap_min(a)
        for week, ds in weeks.items():
            before = sum(s.worked_min for s in hist if p.week_of(s.start_at.astimezone(p.tz).date()) == week)
            days_before = len({s.start_at.astimezone(p.tz).date() for s in hist
                               if p.week_of(s.start_at.astimezone(p.tz).date()) == week})
            nights_before = sum(1 for s in hist if p.week_of(s.start_at.astimezone(p.tz).date()) == week
                                and shift_is_night(s, rules, p.tz))
            if cap is not None:
                model.add(sum(worked_min[ai, d] for d in ds) + before <= cap)
            if p.full_week(week) or days_before:
                model.add(sum(work[ai, d] for d in ds) + days_before <= 7 - sr.min_rest_days_per_week)
            model.add(sum(night[ai, d] for d in ds) + nights_before <= rules.night.max_per_week)
        # consecutive days and nights, with the run that ends the day before the roster
        hist_nights = 0
        day = p.days[0] - dt.timedelta(days=1)
        night_days = {s.start_at.astimezone(p.tz).date() for s in hist if shift_is_night(s, rules, p.tz)}
        while day in night_days:
            hist_nights += 1
            day -= dt.timedelta(days=1)
        _limit_runs(model, [work[ai, d] for d in range(len(p.days))], max_consec, run)
        _limit_runs(model, [night[ai, d] for d in range(len(p.days))], rules.night.max_consecutive, hist_nights)
        for ds, cap_p in p.period_caps_min(a).values():
            model.add(sum(worked_min[ai, d] for d in ds) <= cap_p)
        if a.system is WorkSystem.STANDARD and rules.overtime.planned_weekly_h > 0 and cap is not None:
            base_cap = cap - round(rules.overtime.planned_weekly_h * 60)
            by_month: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
            for week, ds in weeks.items():
                ex = model.new_int_var(0, 7 * 24 * 60, f"ot[{a.agent},{week}]")
                model.add(ex >= sum(worked_min[ai, d] for d in ds) - base_cap)
                by_month[(p.days[ds[0]].year, p.days[ds[0]].month)].append(ex)
            for exs in by_month.values():
                model.add(sum(exs) <= round(rules.overtime.max_monthly_h * 60))
    # -- soft constraints, each a named penalty ----------------------------------------------------------------
    w = rules.weights
    terms: dict[str, tuple[cp_model.LinearExprT, float]] = {}
    terms["unfilled_shifts"] = (sum(u * m for u, m in unfilled), w.shortfall)
    terms["preferences"] = (sum(work[ai, d] for ai, a in enumerate(g.agents) for d, day in enumerate(p.days)
                                if day in a.prefer_off and d not in agent_fixed[ai]), w.preference)
    weekend_days = [d for d, day in enumerate(p.days) if p.is_weekend(day)]
    holiday_days = [d for d, day in enumerate(p.days) if p.is_holiday(day)]
    terms["fairness_weekends"] = (_spread(model, [sum(work[ai, d] for d in weekend_days)
                                                  for ai in range(len(g.agents))], len(p.days), "weekends"),
                                  w.fairness_weekends)
    terms["fairness_nights"] = (_spread(model, [sum(night[ai, d] for d in range(len(p.days)))
                                                for ai in range(len(g.agents))], len(p.days), "nights"),
                                w.fairness_nights)
    terms["fairness_holidays"] = (_spread(model, [sum(work[ai, d] for d in holiday_days)
                                                  for ai in range(len(g.agents))], len(p.days), "holidays"),
                                  w.fairness_holidays)
    terms["equal_hours"] = (_spread(model, [sum(worked_min[ai, d] for d in range(len(p.days)))
                                            for ai in range(len(g.agents))], len(p.days) * 24 * 60, "hours"),
                            w.equal_hours / 60)
    # -- warm start: hints, and a named penalty for each shift unlike the previous roster's ----------------------
    if opts.previous is not None:
        unlike = _hint(model, p, g, slots, temps, y, opts.previous)
        terms["stability"] = (sum(unlike), w.stability)
    model.minimize(sum(round(weight * SCALE) * expr for expr, weight in terms.values() if weight > 0))
    greedy = _greedy_assign(p, g, slots, slot_start, slot_end, set(y))
    if opts.previous is None:
        for key, v in y.items():
            model.add_hint(v, 1 if key in greedy else 0)
    solver = _solver(time_limit_s, opts)
    code = solver.solve(model)
    status = _status_name(code)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # no solution in time: the greedy assignment (every hard rule kept) stands, its gaps named
        taken: dict[int, int] = defaultdict(int)
        for _, si in greedy:
            taken[si] += 1
        unfilled_min = sum((s.count - taken[si]) * temps[s.template].worked_min for si, s in enumerate(slots))
        shifts = [_shift_of(p, g.agents[ai].agent, p.days[slots[si].day], temps[slots[si].template])
                  for ai, si in sorted(greedy)]
        return shifts, {"unfilled_shifts": float(unfilled_min) * w.shortfall}, "GREEDY"
    shifts = [_shift_of(p, g.agents[ai].agent, p.days[slots[si].day], temps[slots[si].template])
              for (ai, si), v in y.items() if solver.value(v)]
    penalties = {name: float(solver.value(expr)) * weight for name, (expr, weight) in terms.items()}
    return shifts, penalties, status


def _greedy_assign(p: RosterProblem, g: AgentGroup, slots: Sequence[_Slot], slot_start: Sequence[dt.datetime],
                   slot_end: Sequence[dt.datetime], allowed: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """A first assignment, slot by slot in time order, to the allowed agent with the fewest minutes so far
    who keeps every hard rule: the hint for the assignment model and its fallback."""
    rules = p.rules
    temps = p.templates[g.system]
    sr = rules.system(g.system)
    rest = dt.timedelta(hours=rules.rest.min_between_shifts_h)
    weeks = p.week_days()
    week_of_day = {d: w for w, ds in weeks.items() for d in ds}
    # per agent: day -> (start, end, worked minutes, night) for history, fixed and assigned shifts
    state: list[dict[int, tuple[dt.datetime, dt.datetime, int, bool]]] = []
    minutes = [0] * len(g.agents)
    caps = [p.weekly_cap_min(a) for a in g.agents]
    periods = [p.period_caps_min(a) for a in g.agents]
    for a in g.agents:
        mine: dict[int, tuple[dt.datetime, dt.datetime, int, bool]] = {}
        for sh in [*p.history.get(a.agent, []), *p.fixed.get(a.agent, {}).values()]:
            d = p.day_index(sh.start_at.astimezone(p.tz).date())
            mine[d] = (sh.start_at, sh.end_at, sh.worked_min, shift_is_night(sh, rules, p.tz))
        state.append(mine)
    by_slot: dict[int, list[int]] = defaultdict(list)
    for ai, si in allowed:
        by_slot[si].append(ai)

    def _week_at(x: int) -> int:
        return week_of_day[x] if x in week_of_day else p.week_of(p.days[0] + dt.timedelta(days=x))

    def run_length(mine: dict[int, tuple[dt.datetime, dt.datetime, int, bool]], d: int, night: bool) -> int:
        def on(x: int) -> bool:
            return x in mine and (not night or mine[x][3])
        left = d - 1
        while on(left):
            left -= 1
        right = d + 1
        while on(right):
            right += 1
        return right - left - 1

    def fits(ai: int, si: int) -> bool:
        mine = state[ai]
        slot = slots[si]
        d, t = slot.day, temps[slot.template]
        if d in mine:
            return False
        for other in (d - 2, d - 1, d + 1, d + 2):
            o = mine.get(other)
            if o is not None and slot_start[si] < o[1] + rest and o[0] < slot_end[si] + rest:
                return False
        week = week_of_day[d]
        in_week = [x for x in mine if _week_at(x) == week]
        cap = caps[ai]
        if cap is not None and sum(mine[x][2] for x in in_week) + t.worked_min > cap:
            return False
        if p.full_week(week) and len(in_week) + 1 > 7 - sr.min_rest_days_per_week:
            return False
        if t.night and sum(1 for x in in_week if mine[x][3]) + 1 > rules.night.max_per_week:
            return False
        mine[d] = (slot_start[si], slot_end[si], t.worked_min, t.night)
        ok = run_length(mine, d, False) <= rules.rest.max_consecutive_days and (
            not t.night or run_length(mine, d, True) <= rules.night.max_consecutive)
        for ds, cap in periods[ai].values():
            if d in ds and sum(mine[x][2] for x in ds if x in mine) > cap:
                ok = False
        del mine[d]
        return ok

    chosen: set[tuple[int, int]] = set()
    order = sorted(range(len(slots)), key=lambda si: (slot_start[si], -temps[slots[si].template].worked_min))
    for si in order:
        candidates = sorted(by_slot.get(si, []), key=lambda ai: (p.days[slots[si].day] in g.agents[ai].prefer_off,
                                                                 minutes[ai], ai))
        need = slots[si].count
        for ai in candidates:
            if need == 0:
                break
            if fits(ai, si):
                t = temps[slots[si].template]
                state[ai][slots[si].day] = (slot_start[si], slot_end[si], t.worked_min, t.night)
                minutes[ai] += t.worked_min
                chosen.add((ai, si))
                need -= 1
    return chosen


def _too_close(a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime,
               rest_min: int) -> bool:
    """Two shifts overlap or leave less than the minimum rest between them."""
    gap = dt.timedelta(minutes=rest_min)
    return a_start < b_end + gap and b_start < a_end + gap


def _limit_runs(model: cp_model.CpModel, flags: Sequence[cp_model.LinearExprT], limit: int, before: int) -> None:
    """At most ``limit`` flags in a row, counting ``before`` worked ones ahead of the first."""
    ext: list[cp_model.LinearExprT] = [1] * min(before, limit + 1) + list(flags)
    lead = min(before, limit + 1)
    for start in range(0, len(ext) - limit):
        window = ext[start:start + limit + 1]
        if start + limit + 1 <= lead:
            continue
        model.add(sum(window) <= limit)


def _spread(model: cp_model.CpModel, values: Sequence[cp_model.LinearExprT], top: int,
            name: str) -> cp_model.LinearExprT:
    if len(values) < 2:
        return 0
    hi = model.new_int_var(0, top, f"max_{name}")
    lo = model.new_int_var(0, top, f"min_{name}")
    for v in values:
        model.add(hi >= v)
        model.add(lo <= v)
    return hi - lo


def _hint(model: cp_model.CpModel, p: RosterProblem, g: AgentGroup, slots: Sequence[_Slot],
          temps: Sequence[ShiftTemplate], y: dict[tuple[int, int], cp_model.IntVar],
          previous: Roster) -> list[cp_model.IntVar]:
    """Hint each agent onto the slot of the same weekday and start time as in the previous roster; returns the
    assignments that differ from it."""
    unlike: list[cp_model.IntVar] = []
    wanted: dict[tuple[str, int, int], bool] = {}
    for shift in previous.shifts:
        local = shift.start_at.astimezone(p.tz)
        wanted[(shift.agent, local.weekday(), local.hour * 60 + local.minute)] = True
    for (ai, si), v in y.items():
        slot = slots[si]
        key = (g.agents[ai].agent, p.days[slot.day].weekday(), temps[slot.template].start_min)
        model.add_hint(v, 1 if key in wanted else 0)
        if key not in wanted:
            unlike.append(v)
    return unlike
