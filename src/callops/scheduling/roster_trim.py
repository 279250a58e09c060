"""After breaks are placed: take off the shifts that only overstaff (issue 11's 2 % gap target), and the named
soft penalties counted on the roster as it finally is.

The rounds of counting and assigning, and the breaks placed after them, leave some shifts whose every
on-phone minute lies where more agents are on the phones than required. Dropping such a shift lowers the
stage-1 cost (its pay-weighted paid minutes and its overstaffing), adds no shortfall, and never breaks a hard
rule (they are all upper limits). A drop is taken only when the cost falls once the penalties it moves are
counted (the spread of worked hours in the agent's group, a day asked off no longer worked); shifts on weekends,
holidays and nights stay (their fairness spreads are left alone). Only single-skill requirements (shortfall per
skill needs the skill split of ``coverage_rows``).

:func:`roster_penalties` counts the assignment's named penalties (days asked off worked, spreads of weekend,
night and holiday shifts and of worked hours within each group) on a final roster, as CP-SAT's model defines
them, so the reported objective is that of the roster returned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from callops.scheduling.roster_breaks import presence
from callops.scheduling.roster_model import RosterShift
from callops.scheduling.roster_problem import RosterProblem, shift_is_night

__all__ = ["drop_overstaffing", "roster_penalties"]

PENALTIES = ("preferences", "fairness_weekends", "fairness_nights", "fairness_holidays", "equal_hours")


def _spread(values: Sequence[float]) -> float:
    return max(values) - min(values) if len(values) >= 2 else 0.0


def roster_penalties(p: RosterProblem, shifts: Sequence[RosterShift]) -> dict[str, float]:
    """The named soft penalties of ``shifts`` (the roster's own, not its fixed shifts) with their weights."""
    w = p.rules.weights
    fixed_days = {(a, s.start_at.astimezone(p.tz).date()) for a, by_day in p.fixed.items() for s in by_day.values()}
    by_agent: dict[str, list[RosterShift]] = defaultdict(list)
    for s in shifts:
        by_agent[s.agent].append(s)
    fixed_by_agent: dict[str, list[RosterShift]] = {a: list(d.values()) for a, d in p.fixed.items()}
    out = dict.fromkeys(PENALTIES, 0.0)
    for g in p.groups:
        weekends, nights, holidays, minutes = [], [], [], []
        for a in g.agents:
            mine = [*by_agent.get(a.agent, []), *fixed_by_agent.get(a.agent, [])]
            days = [s.start_at.astimezone(p.tz).date() for s in mine]
            out["preferences"] += w.preference * sum(
                1 for s in by_agent.get(a.agent, []) if (d := s.start_at.astimezone(p.tz).date()) in a.prefer_off
                and (a.agent, d) not in fixed_days)
            weekends.append(sum(1 for d in days if p.is_weekend(d)))
            nights.append(sum(1 for s in mine if shift_is_night(s, p.rules, p.tz)))
            holidays.append(sum(1 for d in days if p.is_holiday(d)))
            minutes.append(sum(s.worked_min for s in mine))
        out["fairness_weekends"] += w.fairness_weekends * _spread(weekends)
        out["fairness_nights"] += w.fairness_nights * _spread(nights)
        out["fairness_holidays"] += w.fairness_holidays * _spread(holidays)
        out["equal_hours"] += w.equal_hours / 60 * _spread(minutes)
    return out


def drop_overstaffing(p: RosterProblem, shifts: Sequence[RosterShift],
                      fixed: Sequence[RosterShift] = ()) -> list[RosterShift]:
    """``shifts`` less those that only overstaff where dropping lowers the cost (see the module); ``fixed``
    shifts count for coverage and hours but are kept."""
    if len(p.skills) != 1:
        return list(shifts)
    w = p.rules.weights
    im = p.rules.interval_min
    size = len(p.days) * p.per_day
    need = p.required[p.skills[0]]
    have = [0.0] * size
    pieces = {id(s): presence(p, s) for s in [*shifts, *fixed]}
    for s in [*shifts, *fixed]:
        for i, v in pieces[id(s)].items():
            if 0 <= i < size:
                have[i] += v
    group_of = {a.agent: gi for gi, g in enumerate(p.groups) for a in g.agents}
    agent_of = {a.agent: a for g in p.groups for a in g.agents}
    worked: dict[str, int] = defaultdict(int)
    for s in [*shifts, *fixed]:
        worked[s.agent] += s.worked_min

    def hours_spread(gi: int, agent: str, minus: int) -> float:
        values = [worked[a.agent] - (minus if a.agent == agent else 0) for a in p.groups[gi].agents]
        return _spread(values)

    order = sorted(shifts, key=lambda s: -min((have[i] - need[i] for i in pieces[id(s)] if 0 <= i < size),
                                              default=0.0))
    dropped: set[int] = set()
    for s in order:
        day = s.start_at.astimezone(p.tz).date()
        if (p.is_weekend(day) or p.is_holiday(day) or shift_is_night(s, p.rules, p.tz)
                or s.agent not in group_of):
            continue
        on = [(i, v) for i, v in pieces[id(s)].items() if 0 <= i < size]
        if any(have[i] - v < need[i] - 1e-9 for i, v in on):
            continue
        gi = group_of[s.agent]
        saved = s.worked_min + w.overstaffing * im * sum(v for _, v in on)
        saved += w.preference if day in agent_of[s.agent].prefer_off else 0.0
        saved -= w.equal_hours / 60 * (hours_spread(gi, s.agent, s.worked_min) - hours_spread(gi, s.agent, 0))
        if saved <= 0:
            continue
        for i, v in on:
            have[i] -= v
        worked[s.agent] -= s.worked_min
        dropped.add(id(s))
    return [s for s in shifts if id(s) not in dropped]
