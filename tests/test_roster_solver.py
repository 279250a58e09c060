"""The roster solver: rosters that keep every rule (checked independently), cover what headcount allows,
explain what it cannot, warm-start, and rebuild the rest of a day."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest

from callops.errors import InvalidInput
from callops.scheduling.roster_check import check_roster
from callops.scheduling.roster_inputs import parse_agents, parse_requirements
from callops.scheduling.roster_problem import build_problem
from callops.scheduling.roster_solver import RosterResult, SolveOptions, solve_roster
from callops.scheduling.work_rules import china_rules
from roster_law import violations
from roster_site import MONDAY, agents_csv, requirements_csv

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def roster_json(result: RosterResult) -> dict[str, object]:
    from callops.cli.roster import result_json

    loaded: dict[str, object] = json.loads(json.dumps(result_json(result)))
    return loaded


def solve(req: str, agents: str, *, days: int = 7, limit: float = 8.0, **kw: object) -> RosterResult:
    rules = china_rules()
    problem = build_problem(rules=rules, agents=parse_agents(agents),
                            requirements=parse_requirements(req, tz=TZ, interval_min=30), first_day=MONDAY,
                            last_day=MONDAY + dt.timedelta(days=days - 1), tz=TZ)
    return solve_roster(problem, SolveOptions(time_limit_s=limit, **kw))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def week() -> tuple[RosterResult, str]:
    agents = agents_csv(40)
    # about 3 s on an idle 2-core machine; the generous limit only matters on a loaded one (time-limited search)
    return solve(requirements_csv(7, 12), agents, limit=30.0), agents


def test_week_roster_keeps_every_rule(week: tuple[RosterResult, str]) -> None:
    """A week for 40 agents of three contracts breaks no rule, by the independent checker and the product's."""
    result, agents = week
    data = roster_json(result)
    assert data["shifts"], "an empty roster proves nothing"
    assert violations(data, agents) == []
    assert check_roster(result.roster.shifts, parse_agents(agents), china_rules(), tz=TZ) == []


def test_week_roster_covers_what_headcount_allows(week: tuple[RosterResult, str]) -> None:
    """With ample headcount the shortfall is at most 1 % of the required agent-intervals."""
    result, _ = week
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert result.shortfall <= 0.01 * result.required
    assert result.bound <= result.objective
    assert 0 <= result.gap < 1


def test_shifts_carry_offsets_meals_and_huddles(week: tuple[RosterResult, str]) -> None:
    """Shift times carry +08:00; 8 h shifts get a 60-minute unpaid meal; 08:30 starts get the team huddle."""
    data = roster_json(week[0])
    shifts = data["shifts"]
    assert isinstance(shifts, list)
    assert all(s["start"].endswith("+08:00") for s in shifts)
    for s in shifts:
        meals = [b for b in s["breaks"] if b["kind"] == "meal"]
        span_h = (dt.datetime.fromisoformat(s["end"]) - dt.datetime.fromisoformat(s["start"])).total_seconds() / 3600
        assert len(meals) == (1 if span_h >= 7 else 0)
        if s["start"][11:16] == "08:30":
            assert s["breaks"][0]["kind"] == "huddle"


def test_too_few_agents_is_explained_not_silent() -> None:
    """Five agents for a 12-agent peak: INFEASIBLE, a sentence naming the binding rule, and still a roster."""
    agents = agents_csv(5, mix=False)
    result = solve(requirements_csv(7, 12), agents, limit=5)
    assert result.status == "INFEASIBLE"
    assert result.shortfall > 0
    assert result.roster.shifts
    assert any("needs" in e and "at most" in e for e in result.explanations)
    assert violations(roster_json(result), agents) == []


def test_weekly_hours_rule_binds_when_agents_have_few_hours() -> None:
    """Agents with 8 weekly contract hours cannot be there every day: the weekly hours rule is named."""
    lines = ["agent,contract,skills,weekly_hours"] + [f"B{i},standard,,8" for i in range(10)]
    req = requirements_csv(7, 5, night=0)
    result = solve(req, "\n".join(lines) + "\n", limit=5)
    assert result.status == "INFEASIBLE"
    assert any("under the weekly hours rule" in e for e in result.explanations), result.explanations
    assert violations(roster_json(result), "\n".join(lines) + "\n") == []


def test_warm_start_reuses_last_week() -> None:
    """Solving next week hinted by this week's roster keeps every rule and reuses start times."""
    agents = agents_csv(24)
    first = solve(requirements_csv(7, 7), agents, limit=5)
    again = solve(requirements_csv(7, 7), agents, limit=5, previous=first.roster)
    assert violations(roster_json(again), agents) == []
    before = {(s.agent, s.start_at) for s in first.roster.shifts}
    after = {(s.agent, s.start_at) for s in again.roster.shifts}
    assert len(before & after) >= len(before) // 2


def test_intraday_rebuild_keeps_what_is_worked() -> None:
    """Two agents go home sick at 11:00: shifts already started stay; the rest of the day is rebuilt."""
    agents_text = agents_csv(30, mix=False)
    agents = parse_agents(agents_text)
    req = parse_requirements(requirements_csv(1, 10), tz=TZ, interval_min=30)
    rules = china_rules()
    base = solve_roster(build_problem(rules=rules, agents=agents, requirements=req, first_day=MONDAY,
                                      last_day=MONDAY, tz=TZ), SolveOptions(time_limit_s=4))
    now = dt.datetime.combine(MONDAY, dt.time(11), tzinfo=TZ)
    started = [s for s in base.roster.shifts if s.start_at < now]
    sick = {started[0].agent, started[1].agent}
    kept = [s for s in started if s.agent not in sick]
    cut = [s.__class__(s.agent, s.start_at, now, tuple(b for b in s.breaks if b.end_at <= now))
           for s in started if s.agent in sick]
    problem = build_problem(rules=rules, agents=agents, requirements=req, first_day=MONDAY, last_day=MONDAY,
                            tz=TZ, fixed=[*kept, *cut])
    rebuilt = solve_roster(problem, SolveOptions(time_limit_s=4, earliest_start_at=now))
    for s in [*kept, *cut]:
        assert s in rebuilt.roster.shifts
    new = [s for s in rebuilt.roster.shifts if s not in kept and s not in cut]
    assert all(s.start_at >= now for s in new)
    assert not any(s.agent in sick for s in new)


def test_bad_requirements_name_the_line() -> None:
    """Gaps, overlaps and negative numbers are refused naming line and field."""
    good = "interval_start,required\n2026-12-07T00:00,3\n2026-12-07T00:30,3\n"
    with pytest.raises(InvalidInput, match="line 3.*required"):
        parse_requirements("interval_start,required\n2026-12-07T00:00,3\n2026-12-07T00:30,-1\n", tz=TZ,
                           interval_min=30)
    with pytest.raises(InvalidInput, match="line 3.*gap"):
        parse_requirements("interval_start,required\n2026-12-07T00:00,3\n2026-12-07T01:30,3\n", tz=TZ,
                           interval_min=30)
    with pytest.raises(InvalidInput, match="line 4.*overlaps line 2"):
        parse_requirements(good + "2026-12-07T00:00,4\n", tz=TZ, interval_min=30)
    with pytest.raises(InvalidInput, match="line 2.*grid"):
        parse_requirements("interval_start,required\n2026-12-07T00:10,3\n", tz=TZ, interval_min=30)


def test_unknown_contract_names_the_line() -> None:
    """An agent with an unknown contract is refused naming the line and the field."""
    with pytest.raises(InvalidInput, match="line 3, field contract: unknown contract 'casual'"):
        parse_agents("agent,contract,skills\nA,standard,\nB,casual,\n")


def test_counts_without_the_relaxation_still_cover_the_week() -> None:
    """On a loaded machine the LP can run out of its share of the time and return nothing; the counts are then
    built greedily from nothing instead of left empty (which gave a 'FEASIBLE' roster of no shifts)."""
    from callops.scheduling.roster_solver import _counts_data, _round_counts

    rules = china_rules()
    problem = build_problem(rules=rules, agents=parse_agents(agents_csv(24)),
                            requirements=parse_requirements(requirements_csv(7, 6), tz=TZ, interval_min=30),
                            first_day=MONDAY, last_day=MONDAY + dt.timedelta(days=6), tz=TZ)
    data = _counts_data(problem, SolveOptions())
    counts = _round_counts(problem, data, {})  # what the LP returns when its time runs out
    assert counts and all(v > 0 for v in counts.values())
    covered = [0.0] * len(next(iter(data.need.values())))
    for key, n in counts.items():
        for i, m in data.cover[key]:
            covered[i] += n * m
    need = [sum(col[i] for col in data.need.values()) for i in range(len(covered))]
    assert sum(min(c, r) for c, r in zip(covered, need, strict=True)) >= 0.9 * sum(need)
