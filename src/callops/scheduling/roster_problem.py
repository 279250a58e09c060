"""A roster problem laid out for the solver and the checker: days, weeks, periods, calendar, agent groups,
requirements on an interval grid, and per-agent caps.

Weeks are 7-day blocks from ``week_start`` (the roster's first day unless given); the rest-day rule
applies to each full block. Comprehensive periods are calendar weeks (Mon-Sun), months, quarters or
years, and their standard hours are 8 h per working day of the China calendar (holidays off, 调休
weekends on) inside the roster.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from callops.errors import InvalidInput
from callops.forecast.calendar import HolidayCalendar, holiday_calendar
from callops.scheduling.roster_model import ANY_SKILL, Requirement, RosterAgent, RosterShift
from callops.scheduling.shift_templates import ShiftTemplate, night_overlap_min, templates_for
from callops.scheduling.work_rules import WorkRules, WorkSystem

__all__ = ["AgentGroup", "RosterProblem", "build_problem", "period_key"]

MAX_DAYS = 62


def period_key(day: dt.date, period: str) -> tuple[int, int]:
    if period == "week":
        iso = day.isocalendar()
        return iso.year, iso.week
    if period == "month":
        return day.year, day.month
    if period == "quarter":
        return day.year, (day.month - 1) // 3
    return day.year, 0


@dataclass(frozen=True, slots=True)
class AgentGroup:
    """Agents who are interchangeable for coverage: same system, contract hours and skills."""

    key: str
    system: WorkSystem
    skills: frozenset[str]
    agents: tuple[RosterAgent, ...]


@dataclass(slots=True)
class RosterProblem:
    rules: WorkRules
    tz: zoneinfo.ZoneInfo
    days: list[dt.date]
    week_start: dt.date
    calendar: HolidayCalendar
    agents: list[RosterAgent]
    groups: list[AgentGroup]
    skills: list[str]
    per_day: int  # intervals per day
    required: dict[str, list[int]]  # skill -> per interval, over the roster days and one day after
    templates: dict[WorkSystem, list[ShiftTemplate]]
    history: dict[str, list[RosterShift]] = field(default_factory=dict)
    fixed: dict[str, dict[int, RosterShift]] = field(default_factory=dict)

    # -- time -------------------------------------------------------------------------------------------
    def day_index(self, day: dt.date) -> int:
        return (day - self.days[0]).days

    def week_of(self, day: dt.date) -> int:
        return (day - self.week_start).days // 7

    def week_days(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for d, day in enumerate(self.days):
            out[self.week_of(day)].append(d)
        return dict(out)

    def full_week(self, week: int) -> bool:
        first = self.week_start + dt.timedelta(days=7 * week)
        return all(first + dt.timedelta(days=k) in set(self.days) for k in range(7))

    def local(self, day: dt.date, minute: int) -> dt.datetime:
        base = dt.datetime.combine(day, dt.time(0), tzinfo=self.tz)
        return (base.astimezone(dt.UTC) + dt.timedelta(minutes=minute)).astimezone(self.tz)

    def is_weekend(self, day: dt.date) -> bool:
        return day.weekday() >= 5 and not self.calendar.is_working_weekend(day)

    def is_holiday(self, day: dt.date) -> bool:
        return self.calendar.is_holiday(day)

    def is_working_day(self, day: dt.date) -> bool:
        return not self.is_holiday(day) and (day.weekday() < 5 or self.calendar.is_working_weekend(day))

    # -- caps ---------------------------------------------------------------------------------------------
    def weekly_cap_min(self, agent: RosterAgent) -> int | None:
        sr = self.rules.system(agent.system)
        cap = sr.max_weekly_h
        if agent.weekly_hours is not None and agent.system in (WorkSystem.STANDARD, WorkSystem.PART_TIME):
            cap = agent.weekly_hours if cap is None else min(cap, agent.weekly_hours)
        if cap is None:
            return None
        extra = self.rules.overtime.planned_weekly_h if agent.system is WorkSystem.STANDARD else 0.0
        return round((cap + extra) * 60)

    def period_caps_min(self, agent: RosterAgent) -> dict[tuple[int, int], tuple[list[int], int]]:
        """Comprehensive hours: per period, the roster days in it and the minutes allowed there."""
        sr = self.rules.system(agent.system)
        if agent.system is not WorkSystem.COMPREHENSIVE or sr.period is None:
            return {}
        share = 1.0 if agent.weekly_hours is None else agent.weekly_hours / 40.0
        out: dict[tuple[int, int], list[int]] = defaultdict(list)
        for d, day in enumerate(self.days):
            out[period_key(day, sr.period)].append(d)
        caps: dict[tuple[int, int], tuple[list[int], int]] = {}
        ot = self.rules.overtime
        for key, ds in out.items():
            standard = sum(480 for d in ds if self.is_working_day(self.days[d])) * share
            allowance = min(ot.planned_weekly_h * len(ds) / 7, ot.max_monthly_h) * 60
            caps[key] = (ds, round(standard + allowance))
        return caps

    def max_work_days(self, week: int) -> int:
        return 7


def _required_grid(reqs: Sequence[Requirement], days: list[dt.date], per_day: int,
                   interval_min: int) -> tuple[list[str], dict[str, list[int]]]:
    skills = sorted({r.skill for r in reqs})
    if ANY_SKILL in skills and len(skills) > 1:
        raise InvalidInput("requirements mix rows with and without a skill", field="skill")
    size = (len(days) + 1) * per_day
    grid = {k: [0] * size for k in skills}
    first = days[0]
    for r in reqs:
        local = r.start_at
        d = (local.date() - first).days
        if not 0 <= d < len(days):
            continue
        grid[r.skill][d * per_day + (local.hour * 60 + local.minute) // interval_min] = r.required
    return skills, grid


def build_problem(*, rules: WorkRules, agents: Sequence[RosterAgent], requirements: Sequence[Requirement],
                  first_day: dt.date, last_day: dt.date, tz: zoneinfo.ZoneInfo, week_start: dt.date | None = None,
                  history: Sequence[RosterShift] = (), fixed: Sequence[RosterShift] = ()) -> RosterProblem:
    if last_day < first_day:
        raise InvalidInput("the last day is before the first", field="to")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise InvalidInput(f"a roster covers at most {MAX_DAYS} days", field="to")
    if not agents:
        raise InvalidInput("no agents to roster", field="agents")
    days = [first_day + dt.timedelta(days=k) for k in range((last_day - first_day).days + 1)]
    per_day = 1440 // rules.interval_min
    local_reqs = [Requirement(r.start_at.astimezone(tz), r.required, r.skill) for r in requirements]
    skills, grid = _required_grid(local_reqs, days, per_day, rules.interval_min)
    for r in local_reqs:
        if r.skill != ANY_SKILL and r.required > 0 and not any(a.can_serve(r.skill) for a in agents):
            raise InvalidInput(f"no agent has skill {r.skill!r}, needed at {r.start_at.isoformat()}", field="skill")
    groups: dict[tuple[WorkSystem, float | None, frozenset[str]], list[RosterAgent]] = defaultdict(list)
    for a in agents:
        if a.system not in rules.systems:
            raise InvalidInput(f"agent {a.agent}: the rules define no {a.system.value} system", field="contract")
        groups[(a.system, a.weekly_hours, a.skills)].append(a)
    group_list = [AgentGroup(f"{s.value}/{'' if w is None else f'{w:g}h'}/{'+'.join(sorted(k)) or 'all'}", s, k,
                             tuple(members))
                  for (s, w, k), members in sorted(groups.items(), key=lambda kv: (kv[0][0].value, kv[0][1] or 0,
                                                                                  sorted(kv[0][2])))]
    calendar = holiday_calendar(rules.country, first_day - dt.timedelta(days=7), last_day + dt.timedelta(days=7))
    templates = {s: templates_for(rules.system(s), rules) for s in {a.system for a in agents}}
    hist: dict[str, list[RosterShift]] = defaultdict(list)
    for s in history:
        hist[s.agent].append(s)
    fix: dict[str, dict[int, RosterShift]] = defaultdict(dict)
    for s in fixed:
        d = (s.start_at.astimezone(tz).date() - first_day).days
        if 0 <= d < len(days):
            fix[s.agent][d] = s
    return RosterProblem(rules=rules, tz=tz, days=days, week_start=week_start or first_day, calendar=calendar,
                         agents=list(agents), groups=group_list, skills=skills, per_day=per_day, required=grid,
                         templates=templates, history=dict(hist), fixed=dict(fix))


def shift_is_night(shift: RosterShift, rules: WorkRules, tz: zoneinfo.ZoneInfo) -> bool:
    local = shift.start_at.astimezone(tz)
    span = round((shift.end_at - shift.start_at).total_seconds() / 60)
    return night_overlap_min(local.hour * 60 + local.minute, span, rules) >= rules.night.min_overlap_h * 60
