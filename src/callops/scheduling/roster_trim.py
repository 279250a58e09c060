"""After breaks are placed: take off the shifts that only overstaff (issue 11's 2 % gap target), and the named
soft penalties counted on the roster as it finally is.

The rounds of counting and assigning, and the breaks placed after them, leave some shifts whose every
on-phone minute lies where more agents are on the phones than required. Dropping such a shift lowers the
stage-1 cost (its pay-weighted paid minutes and its overstaffing), adds no shortfall, and never breaks a hard
rule (they are all upper limits). A drop is taken only when the cost falls once the penalties it moves are
counted (the spread of worked hours in the agent's group, a day asked off no longer worked); shifts on weekends,
holidays and nights stay (their fairness spreads are left alone). Only single-skill requirements (shortfall per
skill needs the skill split of ``coverage_rows``).

:func:`shorten_overstaffing` does the same for the ends of a shift: a shift is replaced by a shorter one of its
agent's templates lying inside it (a 10-hour comprehensive shift by an 8-hour one, starting with it or ending
with it) when the hours cut only overstaff. A shift inside the old one keeps every hard rule too (fewer hours,
more rest, no more night time).

:func:`roster_penalties` counts the assignment's named penalties (days asked off worked, spreads of weekend,
night and holiday shifts and of worked hours within each group) on a final roster, as CP-SAT's model defines
them, so the reported objective is that of the roster returned.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Sequence

from callops.scheduling.roster_breaks import place_breaks_on, presence
from callops.scheduling.roster_model import RosterBreak, RosterShift
from callops.scheduling.roster_problem import RosterProblem, shift_is_night

__all__ = ["drop_overstaffing", "roster_penalties", "shorten_overstaffing"]

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


def shorten_overstaffing(p: RosterProblem, shifts: Sequence[RosterShift], fixed: Sequence[RosterShift] = (), *,
                         deadline_at: float | None = None) -> list[RosterShift]:
    """``shifts`` with each replaced by the cheapest shorter template inside it where the cost falls (see the
    module): pay-weighted minutes saved against shortfall and overstaffing, and the group's penalties moved.
    ``deadline_at`` (a ``time.perf_counter()`` value): the shifts not reached by then stay as they are."""
    if len(p.skills) != 1:
        return list(shifts)
    w = p.rules.weights
    im = p.rules.interval_min
    size = len(p.days) * p.per_day
    need = [float(v) for v in p.required[p.skills[0]]]
    have = [0.0] * len(need)
    for s in [*shifts, *fixed]:
        for i, v in presence(p, s).items():
            if 0 <= i < len(have):
                have[i] += v
    system_of = {a.agent: (gi, g.system) for gi, g in enumerate(p.groups) for a in g.agents}
    out = list(shifts)

    def cost(on: dict[int, float], sign: float) -> float:
        """Shortfall and overstaffing change of adding (sign 1) or taking off (-1) presence ``on``."""
        total = 0.0
        for i, v in on.items():
            if 0 <= i < size:
                before, after = have[i], have[i] + sign * v
                total += w.shortfall * im * (max(0.0, need[i] - after) - max(0.0, need[i] - before))
                total += w.overstaffing * im * (max(0.0, after - need[i]) - max(0.0, before - need[i]))
        return total

    for n, s in enumerate(out):
        if s.agent not in system_of or (deadline_at is not None and time.perf_counter() >= deadline_at):
            continue
        gi, system = system_of[s.agent]
        day = s.start_at.astimezone(p.tz).date()
        rate = p.rules.pay.holiday if p.is_holiday(day) else 1.0
        old_on = presence(p, s)
        removed = cost(old_on, -1.0) - s.worked_min * rate
        for i, v in old_on.items():
            if 0 <= i < len(have):
                have[i] -= v
        best: tuple[float, RosterShift] | None = None
        for t in p.templates.get(system, []):
            start = p.local(day, t.start_min)
            end = start + dt.timedelta(minutes=t.span_min)
            if t.span_min >= round((s.end_at - s.start_at).total_seconds() / 60) or start < s.start_at \
                    or end > s.end_at:
                continue
            offs = tuple(RosterBreak(start + dt.timedelta(minutes=o.offset_min),
                                     start + dt.timedelta(minutes=o.offset_min + o.length_min), o.kind, o.paid)
                         for o in t.off)
            short = place_breaks_on(p, [RosterShift(s.agent, start, end, offs)], need, list(have))[0]
            change = removed + cost(presence(p, short), 1.0) + short.worked_min * rate
            if change < -1e-9 and (best is None or change < best[0]):
                best = (change, short)
        if best is not None:
            group = dataclasses.replace(p, groups=[p.groups[gi]])
            mine = {a.agent for a in p.groups[gi].agents}
            old = [x for x in out if x.agent in mine]
            new = [best[1] if x is s else x for x in old]
            moved = sum(roster_penalties(group, new).values()) - sum(roster_penalties(group, old).values())
            if best[0] + moved < -1e-9:
                out[n] = best[1]
        for i, v in presence(p, out[n]).items():
            if 0 <= i < len(have):
                have[i] += v
    return out
