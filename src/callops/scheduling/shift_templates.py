"""Shift templates: start on a grid, a worked length, the team activity (seed 003's huddle) at the start
of shifts starting at its times, and the windows of its breaks.

Templates are per day, in minutes from the day's local midnight; a shift may run past midnight (night
shifts). Breaks (meal, rest) are not fixed in a template: while solving, each counts as spread evenly
over its window; after solving they are placed where coverage dips least (``roster_breaks``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from callops.scheduling.work_rules import SystemRules, WorkRules

__all__ = ["BreakWindow", "OffPhone", "ShiftTemplate", "night_overlap_min", "templates_for"]


@dataclass(frozen=True, slots=True)
class OffPhone:
    offset_min: int  # from the shift start
    length_min: int
    kind: str
    paid: bool


@dataclass(frozen=True, slots=True)
class BreakWindow:
    """Where a break may fall (minutes from the shift start); the solver counts it spread evenly over it."""

    first_min: int
    last_min: int  # the break ends by here
    length_min: int


@dataclass(frozen=True, slots=True)
class ShiftTemplate:
    start_min: int  # minutes after the day's local midnight
    worked_min: int
    span_min: int
    off: tuple[OffPhone, ...]  # fixed off-phone time (the team activity)
    night: bool
    break_windows: tuple[BreakWindow, ...] = ()  # breaks placed after solving, somewhere in these windows

    @property
    def end_min(self) -> int:
        return self.start_min + self.span_min


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def night_overlap_min(start_min: int, span_min: int, rules: WorkRules) -> int:
    """Minutes of [start, start+span) (from a day's midnight) inside the night window of any day."""
    ns, ne = _minutes(rules.night.start), _minutes(rules.night.end)
    total = 0
    for day in (-1, 0, 1, 2):
        base = day * 1440
        if ne <= ns:  # window crosses midnight: ns of this day to ne of the next
            lo, hi = base + ns, base + 1440 + ne
        else:
            lo, hi = base + ns, base + ne
        total += max(0, min(hi, start_min + span_min) - max(lo, start_min))
    return total


def templates_for(system_rules: SystemRules, rules: WorkRules) -> list[ShiftTemplate]:
    """Every template a system allows: each start on the grid, each length, each place of the meal."""
    out: list[ShiftTemplate] = []
    grid = rules.grid
    first, last = _minutes(grid.earliest_start), _minutes(grid.latest_start)
    activity_at = {(_minutes(t)): a for a in rules.activities for t in a.starts}
    for start in range(first, last + 1, grid.start_step_min):
        for length_h in system_rules.shift_lengths_h:
            worked = round(length_h * 60)
            span = rules.span_min(length_h)
            fixed: tuple[OffPhone, ...] = ()
            activity = activity_at.get(start)
            if activity is not None and activity.length_min < worked:
                fixed = (OffPhone(0, activity.length_min, activity.kind, True),)
            windows = tuple(BreakWindow(r.after_start_min, span - r.before_end_min, r.length_min)
                            for r in rules.breaks if length_h >= r.min_shift_h)
            night = night_overlap_min(start, span, rules) >= rules.night.min_overlap_h * 60
            out.append(ShiftTemplate(start, worked, span, fixed, night, windows))
    return out
