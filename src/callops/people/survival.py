"""Kaplan–Meier survival of tenure (lifelines), per group, with 95 % confidence bands.

Each stint hired on or before ``as_of`` is one subject: its duration is tenure in days, to the
exit date when that is on or before ``as_of`` (an event), else to ``as_of`` (censored). Points are
the step function at each event time t: ``survival`` = S(t) just after the exits at t, ``lo``/``hi``
lifelines' exponential Greenwood band (log(-log) scale, 95 %), ``at_risk`` = subjects whose
duration is t or more (so those censored at t are still at risk at t, the usual convention for
ties between exits and censoring). Stints released on purpose (transferred out) count as exits:
the center lost the agent either way; ``--by moved`` shows seed 001's point, that people given
a move stay.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from callops.people.records import Spell, Stint

__all__ = ["SurvivalBy", "SurvivalPoint", "SurvivalCurve", "survival_curves", "MIN_SUBJECTS"]

MIN_SUBJECTS = 1


class SurvivalBy(StrEnum):
    TEAM = "team"
    COHORT = "cohort"  # hire month
    MOVED = "moved"  # promoted or moved team during the stint, or not
    CONTRACT = "contract"


@dataclass(frozen=True, slots=True)
class SurvivalPoint:
    t: int
    survival: float
    lo: float | None
    hi: float | None
    at_risk: int


@dataclass(frozen=True, slots=True)
class SurvivalCurve:
    group: str
    subjects: int
    events: int
    median_days: float | None
    points: tuple[SurvivalPoint, ...]

    def as_dict(self) -> dict[str, object]:
        return {"group": self.group, "subjects": self.subjects, "events": self.events,
                "median_days": self.median_days,
                "points": [{"t": p.t, "survival": p.survival, "lo": p.lo, "hi": p.hi, "at_risk": p.at_risk}
                           for p in self.points]}


def _grouping(by: SurvivalBy | None, as_of: dt.date) -> Callable[[Stint], str]:
    def last_spell(stint: Stint) -> Spell:
        end = stint.exit_on if stint.exit_on is not None and stint.exit_on <= as_of else as_of + dt.timedelta(days=1)
        return stint.last_spell_before(end)

    if by is None:
        return lambda stint: "all"
    if by is SurvivalBy.TEAM:
        return lambda stint: last_spell(stint).team or "(no team)"
    if by is SurvivalBy.CONTRACT:
        return lambda stint: last_spell(stint).contract or "(no contract)"
    if by is SurvivalBy.MOVED:
        return lambda stint: "moved" if stint.moved else "not moved"
    return lambda stint: f"{stint.hire_on.year:04d}-{stint.hire_on.month:02d}"


def _round(value: float) -> float | None:
    """Six decimals; None where lifelines has no value (a band where survival reached 0)."""
    return round(float(value), 6) if math.isfinite(value) else None


def survival_curves(stints: Sequence[Stint], *, as_of: dt.date, by: SurvivalBy | None = None) -> list[SurvivalCurve]:
    """One Kaplan–Meier curve per group, groups sorted by name."""
    from lifelines import KaplanMeierFitter  # imported here: loading lifelines takes a second

    group_of = _grouping(by, as_of)
    data: dict[str, tuple[list[int], list[bool]]] = {}
    for stint in stints:
        if stint.hire_on > as_of:
            continue
        durations, events = data.setdefault(group_of(stint), ([], []))
        durations.append(stint.tenure_days(as_of))
        events.append(stint.exit_on is not None and stint.exit_on <= as_of)
    curves: list[SurvivalCurve] = []
    for group in sorted(data):
        durations, events = data[group]
        fitter = KaplanMeierFitter(alpha=0.05).fit(durations, event_observed=events)
        table = fitter.event_table
        band = fitter.confidence_interval_survival_function_
        surv = fitter.survival_function_
        points: list[SurvivalPoint] = []
        for t in table.index:
            if int(table.loc[t, "observed"]) == 0:
                continue
            points.append(SurvivalPoint(t=int(t), survival=round(float(surv.iloc[:, 0].loc[t]), 6),
                                        lo=_round(band.iloc[:, 0].loc[t]), hi=_round(band.iloc[:, 1].loc[t]),
                                        at_risk=int(table.loc[t, "at_risk"])))
        median = float(fitter.median_survival_time_)
        curves.append(SurvivalCurve(group=group, subjects=len(durations), events=sum(events),
                                    median_days=median if math.isfinite(median) else None,
                                    points=tuple(points)))
    return curves
