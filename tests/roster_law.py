"""An independent check of rosters against the China working-time rules, written apart from the solver.

It reads a roster as the CLI writes it (JSON: agent, start, end, breaks) and the agents CSV, and knows
the rules' numbers itself (the China default of docs/rosters.md); it imports nothing of the solver or its
checker. Weeks are 7-day blocks from the roster's first day; comprehensive hours are checked per month
against 8 h per working day of the China calendar within the roster.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from typing import Any

import chinese_calendar
import holidays

DAILY = {"standard": 8.0, "part_time": 4.0, "comprehensive": 12.0, "flexible": 99.0}
WEEKLY = {"standard": 40.0, "part_time": 24.0}
MIN_REST_H = 11.0
MAX_CONSECUTIVE = 6
NIGHT_MAX_WEEK = 4
NIGHT_MAX_RUN = 3


def _night_minutes(start: dt.datetime, end: dt.datetime) -> float:
    total = 0.0
    day = start.date() - dt.timedelta(days=1)
    while day <= end.date():
        lo = dt.datetime.combine(day, dt.time(22), tzinfo=start.tzinfo)
        hi = lo + dt.timedelta(hours=8)
        total += max(0.0, (min(hi, end) - max(lo, start)).total_seconds() / 60)
        day += dt.timedelta(days=1)
    return total


def _workday(day: dt.date) -> bool:
    """A working day of the China calendar (chinese_calendar; the holidays package past its years)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        table = holidays.country_holidays("CN", years=day.year)
        return day in getattr(table, "weekend_workdays", set()) or (day.weekday() < 5 and day not in table)


def violations(roster: dict[str, Any], agents_csv: str) -> list[tuple[str, str, str]]:
    agents = {r["agent"]: r for r in csv.DictReader(io.StringIO(agents_csv))}
    first = dt.date.fromisoformat(roster["from"])
    last = dt.date.fromisoformat(roster["to"])
    shifts: dict[str, list[tuple[dt.datetime, dt.datetime, float, bool]]] = defaultdict(list)
    found: list[tuple[str, str, str]] = []
    for s in roster["shifts"]:
        start, end = dt.datetime.fromisoformat(s["start"]), dt.datetime.fromisoformat(s["end"])
        unpaid = sum((dt.datetime.fromisoformat(b["end"]) - dt.datetime.fromisoformat(b["start"])).total_seconds()
                     for b in s["breaks"] if b["kind"] == "meal") / 3600
        worked = (end - start).total_seconds() / 3600 - unpaid
        for b in s["breaks"]:
            bs, be = dt.datetime.fromisoformat(b["start"]), dt.datetime.fromisoformat(b["end"])
            if bs < start or be > end:
                found.append((s["agent"], "break_outside_shift", s["start"]))
        if worked >= 6 and not any(b["kind"] == "meal" for b in s["breaks"]):
            found.append((s["agent"], "meal_missing", s["start"]))
        shifts[s["agent"]].append((start, end, worked, _night_minutes(start, end) >= 120))
    for name, mine in shifts.items():
        contract = agents[name]["contract"]
        unavailable = {d for d in agents[name].get("unavailable", "").split(";") if d}
        mine.sort()
        days = [s[0].date() for s in mine]
        if len(set(days)) != len(days):
            found.append((name, "two_shifts_one_day", str(days)))
        for start, _, worked, _ in mine:
            if not first <= start.date() <= last:
                found.append((name, "outside_roster", start.isoformat()))
            if start.date().isoformat() in unavailable:
                found.append((name, "unavailable", start.isoformat()))
            if worked > DAILY[contract] + 1e-9:
                found.append((name, "daily_hours", start.isoformat()))
        for (_, a_end, _, _), (b_start, _, _, _) in zip(mine, mine[1:], strict=False):
            if (b_start - a_end).total_seconds() / 3600 < MIN_REST_H - 1e-9:
                found.append((name, "rest_between_shifts", b_start.isoformat()))
        weeks: dict[int, list[tuple[dt.datetime, dt.datetime, float, bool]]] = defaultdict(list)
        for s in mine:
            weeks[(s[0].date() - first).days // 7].append(s)
        for w, ws in weeks.items():
            if contract in WEEKLY and sum(s[2] for s in ws) > WEEKLY[contract] + 1e-9:
                found.append((name, "weekly_hours", f"week {w}"))
            full = first + dt.timedelta(days=7 * w + 6) <= last
            if full and len(ws) > 6:
                found.append((name, "rest_day", f"week {w}"))
            if sum(1 for s in ws if s[3]) > NIGHT_MAX_WEEK:
                found.append((name, "nights_per_week", f"week {w}"))
        worked_days = sorted(set(days))
        run = night_run = 0
        for i, d in enumerate(worked_days):
            consecutive = i > 0 and (d - worked_days[i - 1]).days == 1
            run = run + 1 if consecutive else 1
            night = any(s[3] for s in mine if s[0].date() == d)
            night_run = (night_run + 1 if consecutive else 1) if night else 0
            if run > MAX_CONSECUTIVE:
                found.append((name, "consecutive_days", d.isoformat()))
            if night_run > NIGHT_MAX_RUN:
                found.append((name, "consecutive_nights", d.isoformat()))
        if contract == "comprehensive":
            months: dict[tuple[int, int], float] = defaultdict(float)
            d = first
            while d <= last:
                if _workday(d):
                    months[(d.year, d.month)] += 8
                d += dt.timedelta(days=1)
            for s in mine:
                months[(s[0].year, s[0].month)] -= s[2]
            for key, left in months.items():
                if left < -1e-9:
                    found.append((name, "comprehensive_month_hours", f"{key}"))
    return found
