"""Check a roster against every hard rule, agent by agent: each violation names agent, rule and date."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from callops.scheduling.roster_model import RosterAgent, RosterShift
from callops.scheduling.roster_problem import period_key, shift_is_night
from callops.scheduling.work_rules import WorkRules, WorkSystem

__all__ = ["Violation", "check_roster"]


@dataclass(frozen=True, slots=True)
class Violation:
    agent: str
    rule: str
    date: dt.date
    detail: str


def check_roster(shifts: Sequence[RosterShift], agents: Sequence[RosterAgent], rules: WorkRules, *,
                 tz: zoneinfo.ZoneInfo, week_start: dt.date | None = None,
                 last_day: dt.date | None = None, context: Sequence[RosterShift] = ()) -> list[Violation]:
    """Every hard rule per agent. Weeks are 7-day blocks from ``week_start`` (the roster's first day);
    comprehensive periods count the working days from there to ``last_day`` (default: the last shift's).

    ``context``: the same agents' shifts of the days before and after the roster (other published rosters),
    checked together with ``shifts``: rest between the last shift before and the first one of the roster, days
    and nights in a row, and the 7-day blocks and periods (extended both ways from ``week_start``) that reach
    across the roster's edges. Context shifts of agents not in ``agents`` are left out."""
    from callops.forecast.calendar import holiday_calendar

    by_agent: dict[str, list[RosterShift]] = defaultdict(list)
    known = {a.agent: a for a in agents}
    for s in [*shifts, *(c for c in context if c.agent in known)]:
        by_agent[s.agent].append(s)
    out: list[Violation] = []
    if not shifts:
        return out
    days = sorted({s.start_at.astimezone(tz).date() for mine in by_agent.values() for s in mine})
    days = [min(days[0], week_start or days[0]), max(days[-1], last_day or days[-1])]
    first = week_start or days[0]
    cal = holiday_calendar(rules.country, days[0], days[-1])
    for name, mine in sorted(by_agent.items()):
        mine.sort(key=lambda s: s.start_at)
        agent = known.get(name)
        if agent is None:
            out.append(Violation(name, "unknown_agent", mine[0].start_at.astimezone(tz).date(),
                                 "not in the agents file"))
            continue
        sr = rules.system(agent.system)
        per_day: dict[dt.date, list[RosterShift]] = defaultdict(list)
        for s in mine:
            per_day[s.start_at.astimezone(tz).date()].append(s)
        for day, ss in per_day.items():
            if len(ss) > 1:
                out.append(Violation(name, "one_shift_a_day", day, f"{len(ss)} shifts"))
            if day in agent.unavailable:
                out.append(Violation(name, "availability", day, "shift on a day the agent is unavailable"))
            worked = sum(s.worked_min for s in ss)
            if sr.max_daily_h is not None and worked > sr.max_daily_h * 60:
                out.append(Violation(name, "max_daily_hours", day, f"{worked / 60:g} h > {sr.max_daily_h:g} h"))
        for a, b in zip(mine, mine[1:], strict=False):
            rest_h = (b.start_at - a.end_at).total_seconds() / 3600
            if rest_h < rules.rest.min_between_shifts_h:
                out.append(Violation(name, "min_rest_between_shifts", b.start_at.astimezone(tz).date(),
                                     f"{rest_h:g} h < {rules.rest.min_between_shifts_h:g} h"))
        weeks: dict[int, list[dt.date]] = defaultdict(list)
        for day in per_day:
            weeks[(day - first).days // 7].append(day)
        cap = sr.max_weekly_h
        if agent.weekly_hours is not None and agent.system in (WorkSystem.STANDARD, WorkSystem.PART_TIME):
            cap = agent.weekly_hours if cap is None else min(cap, agent.weekly_hours)
        if cap is not None and agent.system is WorkSystem.STANDARD:
            cap += rules.overtime.planned_weekly_h
        for w, wd in weeks.items():
            hours = sum(s.worked_min for d in wd for s in per_day[d]) / 60
            start = first + dt.timedelta(days=7 * w)
            if cap is not None and hours > cap + 1e-9:
                out.append(Violation(name, "max_weekly_hours", start, f"{hours:g} h > {cap:g} h"))
            if len(wd) > 7 - sr.min_rest_days_per_week:
                out.append(Violation(name, "rest_days_per_week", start, f"{len(wd)} days worked"))
            nights = sum(1 for d in wd for s in per_day[d] if shift_is_night(s, rules, tz))
            if nights > rules.night.max_per_week:
                out.append(Violation(name, "max_nights_per_week", start, f"{nights} nights"))
        run = 0
        night_run = 0
        prev: dt.date | None = None
        for day in sorted(per_day):
            run = run + 1 if prev is not None and (day - prev).days == 1 else 1
            is_night = any(shift_is_night(s, rules, tz) for s in per_day[day])
            night_run = (night_run + 1 if prev is not None and (day - prev).days == 1 else 1) if is_night else 0
            if run > rules.rest.max_consecutive_days:
                out.append(Violation(name, "max_consecutive_days", day, f"day {run} in a row"))
            if night_run > rules.night.max_consecutive:
                out.append(Violation(name, "max_consecutive_nights", day, f"night {night_run} in a row"))
            prev = day
        if agent.system is WorkSystem.COMPREHENSIVE and sr.period is not None:
            share = 1.0 if agent.weekly_hours is None else agent.weekly_hours / 40
            roster_days = [days[0] + dt.timedelta(days=k) for k in range((days[-1] - days[0]).days + 1)]
            periods: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
            for d in roster_days:
                periods[period_key(d, sr.period)].append(d)
            for pd in periods.values():
                standard = sum(480 for d in pd if not cal.is_holiday(d)
                               and (d.weekday() < 5 or cal.is_working_weekend(d))) * share
                allowance = min(rules.overtime.planned_weekly_h * len(pd) / 7, rules.overtime.max_monthly_h) * 60
                worked = sum(s.worked_min for d in pd for s in per_day.get(d, []))
                if worked > standard + allowance + 1e-6:
                    out.append(Violation(name, "comprehensive_period_hours", pd[0],
                                         f"{worked / 60:g} h > {(standard + allowance) / 60:g} h"))
    return out
