"""Hours and overtime pay of a roster, per agent and week, under each working-time system.

Rules (China default multipliers from ``WorkRules.pay``):

- statutory holidays: every hour worked on one is holiday work at 300 %, whatever the system;
- standard hours: hours past the daily cap are overtime on a working day (150 %); days worked past
  five in a week are rest days worked (200 %, no compensatory rest is assumed); weekly hours still past
  the weekly cap after that are overtime at 150 %;
- comprehensive hours: hours in the period past 8 h per working day of the China calendar are overtime
  at 150 % (reported in the week they fall in, once the period's standard hours are used up);
- flexible and part-time: only holiday work is paid extra.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from callops.forecast.calendar import holiday_calendar
from callops.scheduling.roster_model import RosterAgent, RosterShift
from callops.scheduling.roster_problem import period_key
from callops.scheduling.work_rules import WorkRules, WorkSystem

__all__ = ["PayRow", "pay_report"]


@dataclass(frozen=True, slots=True)
class PayRow:
    agent: str
    system: str
    week_start: dt.date
    worked_h: float
    regular_h: float
    overtime_workday_h: float  # 150 %
    rest_day_h: float  # 200 %
    holiday_h: float  # 300 %
    paid_equivalent_h: float  # hours × multipliers: what the week costs in regular hours


def pay_report(shifts: Sequence[RosterShift], agents: Sequence[RosterAgent], rules: WorkRules, *,
               tz: zoneinfo.ZoneInfo, week_start: dt.date, last_day: dt.date | None = None) -> list[PayRow]:
    """Rows per agent and 7-day week from ``week_start``; comprehensive periods count the working days from
    ``week_start`` to ``last_day`` (default: the last shift's day)."""
    if not shifts:
        return []
    days = sorted({s.start_at.astimezone(tz).date() for s in shifts})
    days = [min(days[0], week_start), max(days[-1], last_day or days[-1])]
    cal = holiday_calendar(rules.country, min(days[0], week_start), days[-1])
    known = {a.agent: a for a in agents}
    per_agent: dict[str, list[RosterShift]] = defaultdict(list)
    for s in shifts:
        per_agent[s.agent].append(s)
    out: list[PayRow] = []
    pay = rules.pay
    for name in sorted(per_agent):
        agent = known.get(name)
        system = agent.system if agent is not None else WorkSystem.STANDARD
        sr = rules.system(system)
        hours_by_day: dict[dt.date, float] = defaultdict(float)
        for s in per_agent[name]:
            hours_by_day[s.start_at.astimezone(tz).date()] += s.worked_min / 60
        period_left: dict[tuple[int, int], float] = {}
        if system is WorkSystem.COMPREHENSIVE and sr.period is not None:
            d = days[0]
            while d <= days[-1]:
                key = period_key(d, sr.period)
                working = not cal.is_holiday(d) and (d.weekday() < 5 or cal.is_working_weekend(d))
                period_left[key] = period_left.get(key, 0.0) + (8.0 if working else 0.0)
                d += dt.timedelta(days=1)
        weeks: dict[int, list[dt.date]] = defaultdict(list)
        for d in hours_by_day:
            weeks[(d - week_start).days // 7].append(d)
        for w in sorted(weeks):
            wd = sorted(weeks[w])
            worked = sum(hours_by_day[d] for d in wd)
            holiday = sum(hours_by_day[d] for d in wd if cal.is_holiday(d))
            regular = ot = rest = 0.0
            normal_days = [d for d in wd if not cal.is_holiday(d)]
            if system is WorkSystem.STANDARD:
                cap_day = sr.max_daily_h or 24.0
                for i, d in enumerate(normal_days):
                    h = hours_by_day[d]
                    if i >= 5:
                        rest += h
                        continue
                    regular += min(h, cap_day)
                    ot += max(0.0, h - cap_day)
                cap_week = sr.max_weekly_h or 168.0
                if regular > cap_week:
                    ot += regular - cap_week
                    regular = cap_week
            elif system is WorkSystem.COMPREHENSIVE and sr.period is not None:
                for d in normal_days:
                    key = period_key(d, sr.period)
                    h = hours_by_day[d]
                    use = min(h, period_left.get(key, 0.0))
                    period_left[key] = period_left.get(key, 0.0) - use
                    regular += use
                    ot += h - use
            else:
                regular = worked - holiday
            equivalent = regular + ot * pay.overtime_workday + rest * pay.rest_day + holiday * pay.holiday
            out.append(PayRow(name, system.value, week_start + dt.timedelta(days=7 * w), round(worked, 2),
                              round(regular, 2), round(ot, 2), round(rest, 2), round(float(holiday), 2),
                              round(equivalent, 2)))
    return out
