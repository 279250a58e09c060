"""The solver's pass that adds shifts where the roster is still short, for agents who can still take one (issue
11's gap target): it covers what it can, keeps every rule (the independent checker) and adds nothing that does
not pay for itself."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import zoneinfo

from callops.cli.roster import result_json
from callops.scheduling.roster_breaks import coverage_rows
from callops.scheduling.roster_fill import fill_shortfall
from callops.scheduling.roster_inputs import parse_agents, parse_requirements
from callops.scheduling.roster_model import Roster, RosterBreak, RosterShift
from callops.scheduling.roster_problem import RosterProblem, build_problem
from callops.scheduling.roster_solver import SolveOptions, solve_roster
from callops.scheduling.roster_trim import roster_penalties
from callops.scheduling.work_rules import china_rules
from roster_law import violations
from roster_site import MONDAY, agents_csv, requirements_csv

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def _problem(agents: str, reqs: str, days: int = 7) -> RosterProblem:
    return build_problem(rules=china_rules(), agents=parse_agents(agents),
                         requirements=parse_requirements(reqs, tz=TZ, interval_min=30), first_day=MONDAY,
                         last_day=MONDAY + dt.timedelta(days=days - 1), tz=TZ)


def _monday(need: int, hours: range) -> str:
    """``need`` agents on Monday during ``hours``, nobody otherwise."""
    lines = ["interval_start,required"]
    for d in range(7):
        for j in range(48):
            n = need if j // 2 in hours and d == 0 else 0
            start = dt.datetime.combine(MONDAY + dt.timedelta(days=d), dt.time(j // 2, 30 * (j % 2)))
            lines.append(f"{start.isoformat()},{n}")
    return "\n".join(lines) + "\n"


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour), TZ)


def _day_shift(agent: str, day: int, hour: int = 8) -> RosterShift:
    """9 hours from ``hour`` with the meal 4 hours in and a 15-minute rest 7 hours in."""
    meal, rest = at(day, hour + 4), at(day, hour + 7)
    return RosterShift(agent, at(day, hour), at(day, hour + 9), (
        RosterBreak(meal, meal + dt.timedelta(hours=1), "meal", False),
        RosterBreak(rest, rest + dt.timedelta(minutes=15), "rest", True)))


def _later() -> float:
    return time.perf_counter() + 10


def _json(shifts: list[RosterShift]) -> dict[str, object]:
    return {"from": MONDAY.isoformat(), "to": (MONDAY + dt.timedelta(days=6)).isoformat(), "shifts": [
        {"agent": s.agent, "start": s.start_at.isoformat(), "end": s.end_at.isoformat(),
         "breaks": [{"start": b.start_at.isoformat(), "end": b.end_at.isoformat(), "kind": b.kind}
                    for b in s.breaks]} for s in shifts]}


def test_a_short_monday_gets_the_free_agent() -> None:
    """Two needed Monday 08-17, A works it, B is free: B gets a Monday shift covering the short intervals, with
    its meal placed, and the shortfall falls; a fixed (already worked) shift counts and is not returned."""
    agents = "agent,contract,skills\nA,standard,\nB,standard,\n"
    p = _problem(agents, _monday(2, range(8, 17)))
    mine = [_day_shift("A", 0)]
    short_before = sum(max(0.0, r.required - r.scheduled) for r in coverage_rows(p, mine))
    filled = fill_shortfall(p, mine, deadline_at=_later())
    added = [s for s in filled if s not in mine]
    assert [s.agent for s in added] == ["B"] and added[0].start_at.date() == MONDAY
    assert any(b.kind == "meal" for b in added[0].breaks)
    short_after = sum(max(0.0, r.required - r.scheduled) for r in coverage_rows(p, filled))
    assert short_after < short_before - 10
    assert violations(_json(filled), agents) == []
    assert fill_shortfall(p, [], [*mine, *added], deadline_at=_later()) == []  # covered by the fixed ones


def test_nobody_free_means_nothing_added() -> None:
    """B is unavailable on Monday and A already works it: the shortfall stays, no rule is bent."""
    agents = "agent,contract,skills,weekly_hours,unavailable\nA,standard,,,\nB,standard,,,2026-12-07\n"
    p = _problem(agents, _monday(2, range(8, 17)))
    mine = [_day_shift("A", 0)]
    assert fill_shortfall(p, mine, deadline_at=_later()) == mine


def test_rest_between_shifts_is_kept() -> None:
    """B works Monday until 23:00: a Tuesday 08:00 start (9 h of rest) is never added for B (10:00 may be); C,
    free, takes the Tuesday 08:00 start."""
    agents = "agent,contract,skills\nB,standard,\nC,standard,\n"
    lines = ["interval_start,required"]
    for d in range(7):
        for j in range(48):
            n = 1 if (d == 0 and 28 <= j < 46) or (d == 1 and 16 <= j < 34) else 0
            start = dt.datetime.combine(MONDAY + dt.timedelta(days=d), dt.time(j // 2, 30 * (j % 2)))
            lines.append(f"{start.isoformat()},{n}")
    p = _problem(agents, "\n".join(lines) + "\n")
    mine = [_day_shift("B", 0, 14)]
    filled = fill_shortfall(p, mine, deadline_at=_later())
    tuesday = [s for s in filled if s.start_at.date() == MONDAY + dt.timedelta(days=1)]
    assert [s.agent for s in tuesday if s.start_at == at(1, 8)] == ["C"]
    assert all(s.start_at >= at(1, 10) for s in tuesday if s.agent == "B")  # 11 h after 23:00
    assert violations(_json(filled), agents) == []


def test_a_solved_week_keeps_every_rule_and_costs_no_more() -> None:
    """A week solved without the pass, then filled: no higher cost (paid, short, over and the named penalties),
    no more shortfall, every rule kept (the independent checker)."""
    agents, reqs = agents_csv(30), requirements_csv(7, 12)
    p = _problem(agents, reqs)
    solved = solve_roster(p, SolveOptions(time_limit_s=6, workers=2, fill_shortfall=False))
    before = list(solved.roster.shifts)
    after = fill_shortfall(p, before, deadline_at=_later())

    def cost(shifts: list[RosterShift]) -> tuple[float, float]:
        rows = coverage_rows(p, shifts)
        short = sum(max(0.0, r.required - r.scheduled) for r in rows)
        over = sum(max(0.0, r.scheduled - r.required) for r in rows)
        paid = sum(s.worked_min for s in shifts)
        return short, paid + 100 * 30 * short + 0.1 * 30 * over + sum(roster_penalties(p, shifts).values())

    assert cost(after)[0] <= cost(before)[0]
    assert cost(after)[1] <= cost(before)[1]
    filled = dataclasses.replace(solved, roster=Roster(tuple(after), solved.roster.first_day, solved.roster.last_day))
    assert violations(result_json(filled), agents) == []
