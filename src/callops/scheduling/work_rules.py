"""Working-time rules as data: China's labour law (劳动法) and company policy, each number named.

The rules a roster must keep, in plain frozen dataclasses. ``china_rules()`` is the default, taken
from the law as seed 003 quotes it:

- standard hours (标准工时制): at most 8 h a day and 40 h a week, at least one full rest day a week;
- comprehensive hours (综合计算工时制): hours totalled over a period (week, month, quarter, year) against
  8 h per working day of the China calendar in that period, instead of daily and weekly caps;
- flexible hours (不定时工作制): no daily or weekly cap; statutory holidays still pay 300 %;
- part-time (非全日制): at most 4 h a day and 24 h a week;
- overtime: at most 1 h a day normally, 3 h in special cases, 36 h a month; pay 150 % on working days,
  200 % on rest days without compensatory rest, 300 % on statutory holidays.

Minimum rest between shifts, maximum consecutive working days and night limits are company policy (the
law names no number); their defaults are marked as such. ``check_consistent`` refuses rules that
contradict each other or the law, naming the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from callops.errors import InvalidInput

__all__ = ["Activity", "BreakRule", "NightRules", "OvertimeRules", "PayRules", "PenaltyWeights", "RestRules",
           "ShiftGrid", "SystemRules", "WorkRules", "WorkSystem", "check_consistent", "china_rules", "parse_clock"]


class WorkSystem(StrEnum):
    """The working-time system of a contract (工时制度)."""

    STANDARD = "standard"
    COMPREHENSIVE = "comprehensive"
    FLEXIBLE = "flexible"
    PART_TIME = "part_time"


@dataclass(frozen=True, slots=True)
class SystemRules:
    """The caps of one working-time system; None means the system has no such cap."""

    max_daily_h: float | None
    max_weekly_h: float | None
    min_rest_days_per_week: int
    shift_lengths_h: tuple[float, ...]  # worked (paid) hours of the shift templates this system may get
    period: str | None = None  # comprehensive only: week, month, quarter or year


@dataclass(frozen=True, slots=True)
class OvertimeRules:
    max_daily_h: float = 1.0  # 劳动法 41: normally at most 1 h a day
    max_daily_special_h: float = 3.0  # special cases: at most 3 h a day
    max_monthly_h: float = 36.0  # at most 36 h a month
    planned_weekly_h: float = 0.0  # overtime the roster may plan per week (0: none is planned)


@dataclass(frozen=True, slots=True)
class PayRules:
    overtime_workday: float = 1.5  # 150 %
    rest_day: float = 2.0  # 200 %, rest day worked without compensatory rest
    holiday: float = 3.0  # 300 %, statutory holiday


@dataclass(frozen=True, slots=True)
class RestRules:
    min_between_shifts_h: float = 11.0  # company policy
    max_consecutive_days: int = 6  # company policy


@dataclass(frozen=True, slots=True)
class NightRules:
    start: dt.time = dt.time(22, 0)
    end: dt.time = dt.time(6, 0)
    min_overlap_h: float = 2.0  # a shift with at least this much work in the night window is a night shift
    max_per_week: int = 4  # company policy
    max_consecutive: int = 3  # company policy


@dataclass(frozen=True, slots=True)
class BreakRule:
    """A break every shift of at least ``min_shift_h`` worked hours gets, inside a window."""

    kind: str  # meal or rest
    length_min: int
    paid: bool
    min_shift_h: float
    after_start_min: int  # earliest start, minutes after the shift starts
    before_end_min: int  # it must end at least this long before the shift ends
    step_min: int = 30  # where it may start, on this grid from the shift start


@dataclass(frozen=True, slots=True)
class Activity:
    """An off-phone activity at the start of shifts starting at given times (seed 003: the 08:30 huddle)."""

    kind: str
    length_min: int
    starts: tuple[dt.time, ...]


@dataclass(frozen=True, slots=True)
class ShiftGrid:
    start_step_min: int = 30
    earliest_start: dt.time = dt.time(0, 0)
    latest_start: dt.time = dt.time(23, 30)


@dataclass(frozen=True, slots=True)
class PenaltyWeights:
    """Weights of the soft constraints, per minute (coverage) or per unit of spread (fairness)."""

    shortfall: float = 100.0  # per agent-minute below requirement
    overstaffing: float = 0.1  # per agent-minute above requirement
    preference: float = 60.0  # per shift on a day the agent asked off
    fairness_weekends: float = 30.0  # per shift of spread between the most and least weekend shifts
    fairness_nights: float = 30.0
    fairness_holidays: float = 30.0
    equal_hours: float = 1.0  # per hour of spread in worked hours beyond contract hours (equal overtime)
    stability: float = 5.0  # per shift unlike the previous roster's (same agent, weekday, start), when one is given


def _default_systems() -> dict[WorkSystem, SystemRules]:
    return {
        WorkSystem.STANDARD: SystemRules(8.0, 40.0, 1, (8.0,)),
        WorkSystem.COMPREHENSIVE: SystemRules(12.0, None, 1, (8.0, 10.0), period="month"),
        WorkSystem.FLEXIBLE: SystemRules(None, None, 1, (8.0,)),
        WorkSystem.PART_TIME: SystemRules(4.0, 24.0, 1, (4.0,)),
    }


def _default_breaks() -> tuple[BreakRule, ...]:
    return (BreakRule("meal", 60, False, 6.0, 180, 120),
            BreakRule("rest", 15, True, 4.0, 90, 60, step_min=15))


@dataclass(frozen=True, slots=True)
class WorkRules:
    country: str = "CN"
    interval_min: int = 30
    systems: Mapping[WorkSystem, SystemRules] = field(default_factory=_default_systems)
    overtime: OvertimeRules = OvertimeRules()
    pay: PayRules = PayRules()
    rest: RestRules = RestRules()
    night: NightRules = NightRules()
    breaks: tuple[BreakRule, ...] = field(default_factory=_default_breaks)
    activities: tuple[Activity, ...] = (Activity("huddle", 30, (dt.time(8, 30), dt.time(13, 0))),)
    grid: ShiftGrid = ShiftGrid()
    weights: PenaltyWeights = PenaltyWeights()

    def system(self, system: WorkSystem) -> SystemRules:
        return self.systems[system]

    def unpaid_break_min(self, worked_h: float) -> int:
        return sum(b.length_min for b in self.breaks if not b.paid and worked_h >= b.min_shift_h)

    def span_min(self, worked_h: float) -> int:
        """Minutes from the start to the end of a shift of ``worked_h`` paid hours (unpaid breaks added)."""
        return round(worked_h * 60) + self.unpaid_break_min(worked_h)


def china_rules() -> WorkRules:
    """The China default: every number as above, checked."""
    rules = WorkRules()
    check_consistent(rules)
    return rules


def parse_clock(text: str, field_name: str, *, file: str | None = None) -> dt.time:
    try:
        hh, mm = text.split(":")
        return dt.time(int(hh), int(mm))
    except ValueError as exc:
        raise InvalidInput(f"{text!r} is not a time of day (HH:MM)", file=file, field=field_name) from exc


def check_consistent(rules: WorkRules, *, file: str | None = None) -> None:
    """Refuse rules that contradict each other (or, for CN, the law), naming the field."""

    def fail(name: str, reason: str) -> None:
        raise InvalidInput(reason, file=file, field=name)

    if rules.interval_min not in (15, 30, 60):
        fail("interval_min", "must be 15, 30 or 60")
    if rules.grid.start_step_min <= 0 or rules.grid.start_step_min % 15:
        fail("grid.start_step_min", "must be a positive multiple of 15")
    if rules.grid.latest_start < rules.grid.earliest_start:
        fail("grid.latest_start", "is before grid.earliest_start")
    ot = rules.overtime
    if not 0 <= ot.max_daily_h <= ot.max_daily_special_h:
        fail("overtime.max_daily_h", f"{ot.max_daily_h} must be between 0 and overtime.max_daily_special_h "
             f"({ot.max_daily_special_h})")
    if ot.max_monthly_h < 0 or ot.planned_weekly_h < 0:
        fail("overtime.max_monthly_h", "overtime hours must not be negative")
    if ot.planned_weekly_h > ot.max_monthly_h:
        fail("overtime.planned_weekly_h", f"{ot.planned_weekly_h} h a week is more than the monthly cap "
             f"overtime.max_monthly_h ({ot.max_monthly_h} h)")
    for name, mult in (("pay.overtime_workday", rules.pay.overtime_workday), ("pay.rest_day", rules.pay.rest_day),
                       ("pay.holiday", rules.pay.holiday)):
        if mult < 1:
            fail(name, f"multiplier {mult} is below 1")
    if rules.rest.min_between_shifts_h < 0:
        fail("rest.min_between_shifts_h", "must not be negative")
    if rules.rest.max_consecutive_days < 1:
        fail("rest.max_consecutive_days", "must be at least 1")
    if rules.night.max_per_week < 0 or rules.night.max_consecutive < 0:
        fail("night.max_per_week", "night limits must not be negative")
    if WorkSystem.STANDARD not in rules.systems:
        fail("systems.standard", "the standard system must be defined")
    law = rules.country.upper() == "CN"
    for system, sr in rules.systems.items():
        where = f"systems.{system.value}"
        if not sr.shift_lengths_h:
            fail(f"{where}.shift_lengths_h", "needs at least one shift length")
        if not 0 <= sr.min_rest_days_per_week <= 6:
            fail(f"{where}.min_rest_days_per_week", "must be between 0 and 6")
        if law and sr.min_rest_days_per_week < 1:
            fail(f"{where}.min_rest_days_per_week", "the law (劳动法 38) gives at least one rest day a week")
        for length in sr.shift_lengths_h:
            if not 0 < length <= 24:
                fail(f"{where}.shift_lengths_h", f"{length} h is not a shift length")
            if (length * 60) % 15:
                fail(f"{where}.shift_lengths_h", f"{length} h is not a whole number of quarter hours")
            cap = sr.max_daily_h
            if cap is not None and length > cap:
                fail(f"{where}.shift_lengths_h", f"a {length:g} h shift is longer than {where}.max_daily_h ({cap:g} h)")
            span_h = rules.span_min(length) / 60
            if span_h + rules.rest.min_between_shifts_h > 24 and rules.rest.max_consecutive_days > 1:
                fail("rest.min_between_shifts_h",
                     f"{rules.rest.min_between_shifts_h:g} h of rest after a {span_h:g} h {system.value} shift "
                     f"leaves no room for a shift the next day (more than 24 h), but rest.max_consecutive_days is "
                     f"{rules.rest.max_consecutive_days}; shorten the shift or the rest")
            if sr.max_weekly_h is not None and length > sr.max_weekly_h:
                fail(f"{where}.max_weekly_h", f"{sr.max_weekly_h:g} h a week is less than one {length:g} h shift")
            for i, b in enumerate(rules.breaks):
                if length >= b.min_shift_h and b.after_start_min + b.length_min + b.before_end_min > span_h * 60:
                    fail(f"breaks[{i}]", f"the {b.kind} window does not fit in a {length:g} h shift")
        if sr.period is not None and sr.period not in ("week", "month", "quarter", "year"):
            fail(f"{where}.period", f"{sr.period!r} is not week, month, quarter or year")
        if system is WorkSystem.COMPREHENSIVE and sr.period is None:
            fail(f"{where}.period", "comprehensive hours need a period (week, month, quarter or year)")
        if law and system is WorkSystem.STANDARD:
            if sr.max_daily_h is None or sr.max_daily_h > 8:
                fail(f"{where}.max_daily_h", "the law (劳动法 36) allows at most 8 h a day under standard hours")
            if sr.max_weekly_h is None or sr.max_weekly_h > 40:
                fail(f"{where}.max_weekly_h", "the law allows at most 40 h a week under standard hours")
        if law and system is WorkSystem.PART_TIME:
            if sr.max_daily_h is None or sr.max_daily_h > 4:
                fail(f"{where}.max_daily_h", "part-time work (劳动合同法 68) is at most 4 h a day")
            if sr.max_weekly_h is None or sr.max_weekly_h > 24:
                fail(f"{where}.max_weekly_h", "part-time work (劳动合同法 68) is at most 24 h a week")
    if law and ot.max_daily_special_h > 3:
        fail("overtime.max_daily_special_h", "the law (劳动法 41) allows at most 3 h of overtime a day")
    if law and ot.max_monthly_h > 36:
        fail("overtime.max_monthly_h", "the law (劳动法 41) allows at most 36 h of overtime a month")
    for i, b in enumerate(rules.breaks):
        if b.length_min <= 0 or b.step_min <= 0 or b.after_start_min < 0 or b.before_end_min < 0:
            fail(f"breaks[{i}]", "lengths, steps and gaps must be positive")
        if b.kind not in ("meal", "rest"):
            fail(f"breaks[{i}].kind", f"{b.kind!r} is not meal or rest")
    for i, a in enumerate(rules.activities):
        if a.length_min <= 0:
            fail(f"activities[{i}].length_min", "must be positive")
