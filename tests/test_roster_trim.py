"""The final pass of the roster solver that takes off shifts which only overstaff (issue 11's gap target)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from callops.scheduling.roster_breaks import coverage_rows
from callops.scheduling.roster_inputs import parse_agents, parse_requirements
from callops.scheduling.roster_model import RosterShift
from callops.scheduling.roster_problem import RosterProblem, build_problem
from callops.scheduling.roster_solver import SolveOptions, solve_roster
from callops.scheduling.roster_trim import drop_overstaffing
from callops.scheduling.work_rules import china_rules
from roster_law import violations
from roster_site import MONDAY, agents_csv, requirements_csv

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def _problem(agents: str, reqs: str, days: int) -> RosterProblem:
    return build_problem(
        rules=china_rules(),
        agents=parse_agents(agents),
        requirements=parse_requirements(reqs, tz=TZ, interval_min=30),
        first_day=MONDAY,
        last_day=MONDAY + dt.timedelta(days=days - 1),
        tz=TZ,
    )


def _flat(need: int, hours: range) -> str:
    """Monday and Saturday: ``need`` agents during ``hours``, nobody otherwise."""
    lines = ["interval_start,required"]
    for d in range(7):
        for j in range(48):
            n = need if j // 2 in hours and d in (0, 5) else 0
            lines.append(
                f"{dt.datetime.combine(MONDAY + dt.timedelta(days=d), dt.time(j // 2, 30 * (j % 2))).isoformat()},{n}"
            )
    return "\n".join(lines) + "\n"


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour), TZ)


def test_only_shifts_that_overstaff_everywhere_go() -> None:
    """Three agents on Monday 08-16 where one is needed: two go (the rest stays needed); on Saturday, a weekend,
    the extra shift stays (weekend fairness untouched); a needed shift never goes."""
    p = _problem("agent,contract,skills\nA,standard,\nB,standard,\nC,standard,\n", _flat(1, range(8, 16)), 7)
    monday = [RosterShift(a, at(0, 8), at(0, 16)) for a in "ABC"]
    saturday = [RosterShift(a, at(5, 8), at(5, 16)) for a in "AB"]
    kept = drop_overstaffing(p, [*monday, *saturday])
    assert sum(1 for s in kept if s.start_at == at(0, 8)) == 1
    assert [s for s in kept if s.start_at == at(5, 8)] == saturday
    rows = coverage_rows(p, kept)
    assert all(r.scheduled >= r.required for r in rows)
    assert drop_overstaffing(p, monday[:1]) == monday[:1]


def test_fixed_shifts_count_but_stay() -> None:
    """A fixed (already worked) shift covers the need, so the new one goes and the fixed one is kept."""
    p = _problem("agent,contract,skills\nA,standard,\nB,standard,\n", _flat(1, range(8, 16)), 7)
    fixed = RosterShift("A", at(0, 8), at(0, 16))
    assert drop_overstaffing(p, [RosterShift("B", at(0, 8), at(0, 16))], [fixed]) == []


def test_a_solved_week_loses_only_overstaffing_and_keeps_every_rule() -> None:
    """A week solved without the pass, then passed through it: the same shortfall, fewer or equal paid minutes, a
    cost (paid, short, over and the named penalties) no higher, and every rule kept (the independent checker)."""
    import dataclasses

    from callops.cli.roster import result_json
    from callops.scheduling.roster_model import Roster
    from callops.scheduling.roster_trim import roster_penalties

    agents, reqs = agents_csv(30), requirements_csv(7, 10)
    p = _problem(agents, reqs, 7)
    solved = solve_roster(p, SolveOptions(time_limit_s=6, workers=2, drop_overstaffing=False))
    before = list(solved.roster.shifts)
    after = drop_overstaffing(p, before)

    def cost(shifts: list[RosterShift]) -> tuple[float, float]:
        rows = coverage_rows(p, shifts)
        short = sum(max(0.0, r.required - r.scheduled) for r in rows)
        over = sum(max(0.0, r.scheduled - r.required) for r in rows)
        paid = sum(s.worked_min for s in shifts)
        return short, paid + 100 * 30 * short + 0.1 * 30 * over + sum(roster_penalties(p, shifts).values())

    assert cost(after)[0] == cost(before)[0]
    assert cost(after)[1] <= cost(before)[1]
    assert sum(s.worked_min for s in after) <= sum(s.worked_min for s in before)
    trimmed = dataclasses.replace(solved, roster=Roster(tuple(after), solved.roster.first_day, solved.roster.last_day))
    assert violations(result_json(trimmed), agents) == []


def test_penalties_are_counted_on_the_final_roster() -> None:
    """A works Monday (asked off) and Saturday, B Monday only, both standard (one group): a day asked off (60),
    a spread of one weekend shift (30) and of 8 worked hours (8 at 1 an hour)."""
    from callops.scheduling.roster_trim import roster_penalties

    agents = "agent,contract,skills,weekly_hours,unavailable,prefer_off\nA,standard,,,,2026-12-07\nB,standard,,,,\n"
    p = _problem(agents, _flat(1, range(8, 16)), 7)
    shifts = [
        RosterShift("A", at(0, 8), at(0, 16)),
        RosterShift("A", at(5, 8), at(5, 16)),
        RosterShift("B", at(0, 8), at(0, 16)),
    ]
    assert roster_penalties(p, shifts) == {
        "preferences": 60.0,
        "fairness_weekends": 30.0,
        "fairness_nights": 0.0,
        "fairness_holidays": 0.0,
        "equal_hours": 8.0,
    }


def test_a_long_shift_whose_end_only_overstaffs_is_shortened() -> None:
    """B (standard, fixed) works 08:00-17:00 where one is needed 08:00-17:00; C (comprehensive) works 10 hours
    from 08:00, needed only while B is at a break: C becomes an 8-hour shift inside the old one (2 paid hours
    saved, no shortfall added, every rule kept). Where 17:00-19:00 is needed too, C's shift stays."""
    from callops.scheduling.roster_breaks import place_breaks
    from callops.scheduling.roster_trim import shorten_overstaffing
    from callops.scheduling.work_rules import WorkSystem

    agents = "agent,contract,skills\nB,standard,\nC,comprehensive,\n"
    start = at(0, 8)

    def shifts(hours: range) -> tuple[RosterProblem, RosterShift, RosterShift]:
        p = _problem(agents, _flat(1, hours), 7)
        long = next(t for t in p.templates[WorkSystem.COMPREHENSIVE] if t.start_min == 480 and t.worked_min == 600)
        b, c = place_breaks(p, [RosterShift("B", start, start + dt.timedelta(hours=9)),
                                RosterShift("C", start, start + dt.timedelta(minutes=long.span_min))])
        return p, b, c

    p, b, c = shifts(range(8, 17))
    got = shorten_overstaffing(p, [c], [b])
    assert len(got) == 1 and got[0].worked_min == 480 and start <= got[0].start_at and got[0].end_at <= c.end_at
    assert any(x.kind == "meal" for x in got[0].breaks)
    short = [sum(max(0.0, r.required - r.scheduled) for r in coverage_rows(p, [b, x])) for x in (c, got[0])]
    assert short[1] <= short[0]
    doc = {"from": MONDAY.isoformat(), "to": (MONDAY + dt.timedelta(days=6)).isoformat(), "shifts": [
        {"agent": s.agent, "start": s.start_at.isoformat(), "end": s.end_at.isoformat(),
         "breaks": [{"start": x.start_at.isoformat(), "end": x.end_at.isoformat(), "kind": x.kind} for x in s.breaks]}
        for s in [b, *got]]}
    assert violations(doc, agents) == []
    busy, b, c = shifts(range(8, 19))  # 17:00-19:00 needed as well: only C is there
    assert shorten_overstaffing(busy, [c], [b]) == [c]
