"""Why a roster falls short: which rule binds where, in words a planner can act on.

For each window of consecutive short intervals (stage 1 of the solver), the interval needing most
is taken and a small CP-SAT model finds the most agents that could be there at all under the group
rules (headcount available that day, weekly hours, rest days, nights, comprehensive-period hours).
When that maximum is below the need the shortfall is proven (status INFEASIBLE) and the rule whose
lifting raises the maximum most is named: "Tue 2026-12-08 10:00-12:00 needs 41, at most 36 can be
there under the weekly hours rule (40 h)". Otherwise the shortfall is a trade-off across the week,
and the week's needed agent-hours are set against what the rules allow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ortools.sat.python import cp_model

from callops.scheduling.roster_model import ANY_SKILL
from callops.scheduling.roster_problem import RosterProblem

__all__ = ["FAMILIES", "explain_shortfall", "max_presence"]

FAMILIES = ("headcount", "weekly_hours", "rest_days", "nights", "period_hours")
_WORDS = {
    "headcount": "agents available that day (unavailable dates, skills, one shift a day)",
    "weekly_hours": "weekly hours rule",
    "rest_days": "rest days rule",
    "nights": "night-shift limit",
    "period_hours": "comprehensive-period hours rule",
}
MAX_WINDOWS = 8


def max_presence(p: RosterProblem, skill: str, index: int, *, drop: str | None = None,
                 time_limit_s: float = 2.0) -> int:
    """The most agents who could be on the phones in interval ``index`` for ``skill`` under the group rules."""
    from callops.scheduling.roster_solver import UNIT, _template_cover

    im = p.rules.interval_min
    day_of = index // p.per_day
    model = cp_model.CpModel()
    present: list[tuple[cp_model.IntVar, int]] = []
    for g in p.groups:
        if not g.agents[0].can_serve(skill):
            continue
        temps = p.templates[g.system]
        chosen: dict[tuple[int, int], cp_model.IntVar] = {}
        for d in (day_of - 1, day_of):
            if not 0 <= d < len(p.days):
                continue
            day = p.days[d]
            avail = sum(1 for a in g.agents if day not in a.unavailable and d not in p.fixed.get(a.agent, {}))
            if drop == "headcount":
                avail = len(g.agents)
            day_vars = []
            for ti, t in enumerate(temps):
                mins = dict(_template_cover(t, im)).get(index - d * p.per_day, 0)
                if mins == 0 or avail == 0:
                    continue
                v = model.new_int_var(0, avail, f"n{g.key}{d}{ti}")
                chosen[d, ti] = v
                day_vars.append(v)
                present.append((v, mins))
            if day_vars:
                model.add(sum(day_vars) <= avail)
        sr = p.rules.system(g.system)
        for week, ds in p.week_days().items():
            vs = [(v, temps[ti]) for (d, ti), v in chosen.items() if d in ds]
            if not vs:
                continue
            max_days = len(ds) - (sr.min_rest_days_per_week if p.full_week(week) else 0)
            if drop != "rest_days":
                model.add(sum(v for v, _ in vs) <= len(g.agents) * max_days)
            if drop != "weekly_hours":
                cap_total = 0
                for a in g.agents:
                    cap = p.weekly_cap_min(a)
                    before = sum(s.worked_min for s in p.history.get(a.agent, [])
                                 if p.week_of(s.start_at.astimezone(p.tz).date()) == week)
                    cap_total += 10**6 if cap is None else max(0, cap - before)
                model.add(sum(v * t.worked_min for v, t in vs) <= cap_total)
            if drop != "nights":
                nights = [v for v, t in vs if t.night]
                if nights:
                    model.add(sum(nights) <= len(g.agents) * p.rules.night.max_per_week)
        if drop != "period_hours":
            totals: dict[tuple[int, int], tuple[list[int], int]] = {}
            for a in g.agents:
                for key, (ds, cap) in p.period_caps_min(a).items():
                    totals[key] = (ds, totals.get(key, (ds, 0))[1] + cap)
            for ds, cap in totals.values():
                vs2 = [v * temps[ti].worked_min for (d, ti), v in chosen.items() if d in ds]
                if vs2:
                    model.add(sum(vs2) <= cap)
    if not present:
        return 0
    model.maximize(sum(v * m for v, m in present))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0
    # the bound, not the found value: a proof needs the most that could ever be there
    return int(solver.best_objective_bound // (im * UNIT))


def _label(p: RosterProblem, skill: str, first: int, last: int) -> str:
    d, j = divmod(first, p.per_day)
    start = p.local(p.days[d], j * p.rules.interval_min)
    end = p.local(p.days[last // p.per_day], (last % p.per_day + 1) * p.rules.interval_min)
    what = f"{start:%a %Y-%m-%d %H:%M}–{end:%H:%M}"
    return what if skill == ANY_SKILL else f"{what} ({skill})"


def explain_shortfall(p: RosterProblem, counts_short: Mapping[str, Sequence[int]], *, slots_unfilled: float,
                      time_limit_s: float) -> tuple[list[str], bool]:
    """Sentences naming the binding rule for each short window, and whether a shortfall is proven."""
    out: list[str] = []
    proven = False
    windows: list[tuple[str, int, int]] = []
    for k, col in counts_short.items():
        i = 0
        while i < len(col):
            if col[i] > 0:
                j = i
                while j + 1 < len(col) and col[j + 1] > 0 and (j + 1) // p.per_day == i // p.per_day:
                    j += 1
                windows.append((k, i, j))
                i = j + 1
            else:
                i += 1
    half_interval = p.rules.interval_min  # half an agent-interval, in half-minutes
    windows = [w for w in windows if sum(counts_short[w[0]][w[1]:w[2] + 1]) >= half_interval]
    windows.sort(key=lambda w: -sum(counts_short[w[0]][w[1]:w[2] + 1]))
    per_call = max(0.2, time_limit_s / max(1, min(len(windows), MAX_WINDOWS) * (len(FAMILIES) + 1)))
    for k, first, last in windows[:MAX_WINDOWS]:
        worst = max(range(first, last + 1), key=lambda i: p.required[k][i])
        need = p.required[k][worst]
        most = max_presence(p, k, worst, time_limit_s=per_call)
        short_ai = sum(counts_short[k][first:last + 1]) / p.rules.interval_min / 2
        label = _label(p, k, first, last)
        if most < need:
            proven = True
            lifted = {f: max_presence(p, k, worst, drop=f, time_limit_s=per_call) for f in FAMILIES}
            binding = max(FAMILIES, key=lambda f: (lifted[f], f == "headcount"))
            if lifted[binding] <= most:
                binding = "headcount"
            out.append(f"{label} needs {need}, at most {most} can be there under the {_WORDS[binding]}"
                       f" (short {short_ai:.1f} agent-intervals)")
        else:
            out.append(f"{label} is short {short_ai:.1f} agent-intervals: up to {most} could be there, but only "
                       f"by leaving other intervals short; {_week_hours(p, first // p.per_day)}")
    proofs = _week_proofs(p, {p.week_of(p.days[w[1] // p.per_day]) for w in windows})
    if proofs:
        proven = True
        out = proofs + out
    if len(windows) > MAX_WINDOWS:
        out.append(f"… and {len(windows) - MAX_WINDOWS} more short windows")
    if slots_unfilled > 0:
        out.append(f"{slots_unfilled / 60 / p.rules.weights.shortfall:.1f} agent-hours of shifts could not be given "
                   f"to anyone under the individual rules (rest between shifts, consecutive days, nights)")
    return out, proven


def _week_capacity(p: RosterProblem, week: int, *, with_caps: bool) -> float:
    """Most paid agent-hours the week's days can hold under the rules (an upper bound)."""
    ds = p.week_days()[week]
    allowed = 0.0
    for a in p.agents:
        cap = p.weekly_cap_min(a) if with_caps else None
        sr = p.rules.system(a.system)
        free = sum(1 for d in ds if p.days[d] not in a.unavailable)
        longest = max(sr.shift_lengths_h) * 60
        days = min(free, len(ds) - (sr.min_rest_days_per_week if p.full_week(week) else 0))
        allowed += min(days * longest, cap if cap is not None else days * longest)
    return allowed / 60


def _week_needed(p: RosterProblem, week: int) -> float:
    ds = p.week_days()[week]
    im = p.rules.interval_min
    return sum(p.required[k][d * p.per_day + j] for k in p.skills for d in ds for j in range(p.per_day)) * im / 60


def _week_hours(p: RosterProblem, day_index: int) -> str:
    week = p.week_of(p.days[day_index])
    first = p.days[p.week_days()[week][0]]
    return (f"the week from {first:%Y-%m-%d} needs {_week_needed(p, week):.0f} agent-hours on the phones and the "
            f"rules allow at most {_week_capacity(p, week, with_caps=True):.0f} paid hours from {len(p.agents)} "
            f"agents (before breaks)")


def _week_proofs(p: RosterProblem, weeks: set[int]) -> list[str]:
    """Weeks whose requirement is more than every agent's hours together: a proven shortfall, rule named."""
    out = []
    for week in sorted(weeks):
        needed = _week_needed(p, week)
        capped = _week_capacity(p, week, with_caps=True)
        if needed <= capped:
            continue
        uncapped = _week_capacity(p, week, with_caps=False)
        rule = _WORDS["weekly_hours"] if needed <= uncapped else _WORDS["rest_days"] + " and " + _WORDS["headcount"]
        first = p.days[p.week_days()[week][0]]
        out.append(f"the week from {first:%Y-%m-%d} needs {needed:.0f} agent-hours on the phones, at most "
                   f"{capped:.0f} paid hours can be there under the {rule}")
    return out
