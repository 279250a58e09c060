"""After the rounds: add shifts where the roster is still short, for agents who can still take one (issue 11's
2 % gap target).

The counting stage counts shifts per group; some of them no agent can take under the individual rules (11 h
of rest, days in a row, nights, period hours), so intervals stay short, and each agent-interval short costs
``weights.shortfall`` per agent-minute (3,000 with the defaults, six times an 8-hour shift's pay). This pass
works from the other side: for the (day, shift template) pairs that cover a short interval, best cost change
first, it looks for an agent of a group with that template who does not work that day and for whom the shift
keeps every hard rule (``roster_check`` on the agent's shifts with their history and fixed shifts), and adds
it, its meal and rest breaks placed against the coverage of the rest of the roster. A shift is added only when
the stage-1 cost falls (shortfall covered against its pay-weighted minutes and the overstaffing it brings) by
more than the named penalties it adds (the spreads of the agent's group, :func:`roster_trim.roster_penalties`).
Days an agent asked off are left alone. Only single-skill requirements (as the drop pass). Bounded by a
deadline: what was added when it runs out stays.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from callops.scheduling.roster_breaks import place_breaks_on, presence
from callops.scheduling.roster_check import check_roster
from callops.scheduling.roster_model import RosterAgent, RosterBreak, RosterShift
from callops.scheduling.roster_problem import AgentGroup, RosterProblem
from callops.scheduling.roster_trim import roster_penalties
from callops.scheduling.shift_templates import ShiftTemplate
from callops.scheduling.work_rules import WorkSystem

__all__ = ["fill_shortfall"]


@dataclass(frozen=True, slots=True)
class _Candidate:
    gain: float  # stage-1 cost saved (positive: worth adding)
    system: WorkSystem
    day: int
    shift_start: dt.datetime
    template: ShiftTemplate
    shift: RosterShift  # for nobody yet, breaks placed against the coverage

    @property
    def key(self) -> tuple[WorkSystem, int, int, int]:
        return self.system, self.day, self.template.start_min, self.template.span_min


def fill_shortfall(p: RosterProblem, shifts: Sequence[RosterShift], fixed: Sequence[RosterShift] = (), *,
                   deadline_at: float, earliest_start_at: dt.datetime | None = None) -> list[RosterShift]:
    """``shifts`` with shifts added where coverage is short (see the module); ``fixed`` count for coverage and
    for the rules but are neither moved nor returned. ``deadline_at``: a ``time.perf_counter()`` value."""
    if len(p.skills) != 1:
        return list(shifts)
    size = len(p.days) * p.per_day
    need = p.required[p.skills[0]]
    have = [0.0] * ((len(p.days) + 1) * p.per_day)
    need_all = [float(need[i]) for i in range(len(have))]  # for placing breaks
    out = list(shifts)
    for s in [*out, *fixed]:
        for i, v in presence(p, s).items():
            if 0 <= i < len(have):
                have[i] += v
    by_agent: dict[str, list[RosterShift]] = defaultdict(list)
    for s in [*out, *fixed]:
        by_agent[s.agent].append(s)
    worked_on = {(s.agent, s.start_at.astimezone(p.tz).date()) for s in [*out, *fixed]}
    short = [i for i in range(size) if need[i] - have[i] > 1e-9]
    cands = {c.key: c for c in _candidates(p, have, need_all, short, earliest_start_at, deadline_at)}
    # adding a shift only lowers the others' gains (less short, more over) and only where it overlaps them, and
    # leaves fewer agents free: so the candidates are counted once and only those overlapping an added shift again
    while cands and time.perf_counter() < deadline_at:
        cand = min(cands.values(), key=lambda c: (-c.gain, c.shift_start, c.template.span_min, c.system.value))
        shift = _take(p, cand, by_agent, worked_on, deadline_at)
        del cands[cand.key]
        if shift is None:
            continue
        out.append(shift)
        by_agent[shift.agent].append(shift)
        worked_on.add((shift.agent, shift.start_at.astimezone(p.tz).date()))
        for i, v in presence(p, shift).items():
            if 0 <= i < len(have):
                have[i] += v
        for key, c in list(cands.items()):
            if time.perf_counter() >= deadline_at:
                return out
            if c.shift.start_at < shift.end_at and shift.start_at < c.shift.end_at:
                again = _shift(p, "", c.shift_start, c.template, have, need_all)
                gain = _gain(p, again, have, need_all, p.days[c.day])
                if gain > 0:
                    cands[key] = dataclasses.replace(c, gain=gain, shift=again)
                else:
                    del cands[key]
    return out


def _shift(p: RosterProblem, agent: str, start: dt.datetime, t: ShiftTemplate, have: Sequence[float],
           need: Sequence[float]) -> RosterShift:
    """The template's shift for ``agent`` from ``start``: its fixed off-phone time, then breaks placed."""
    offs = tuple(RosterBreak(start + dt.timedelta(minutes=o.offset_min),
                             start + dt.timedelta(minutes=o.offset_min + o.length_min), o.kind, o.paid)
                 for o in t.off)
    shift = RosterShift(agent, start, start + dt.timedelta(minutes=t.span_min), offs)
    return place_breaks_on(p, [shift], need, list(have))[0]


def _gain(p: RosterProblem, shift: RosterShift, have: Sequence[float], need: Sequence[float], day: dt.date) -> float:
    w = p.rules.weights
    im = p.rules.interval_min
    size = len(p.days) * p.per_day
    covered = over = 0.0
    for i, v in presence(p, shift).items():
        if not 0 <= i < size:
            continue
        gap = max(0.0, need[i] - have[i])
        covered += min(gap, v)
        over += max(0.0, v - gap)
    paid = shift.worked_min * (p.rules.pay.holiday if p.is_holiday(day) else 1.0)
    return w.shortfall * im * covered - paid - w.overstaffing * im * over


def _candidates(p: RosterProblem, have: Sequence[float], need: Sequence[float], short: Sequence[int],
                earliest_start_at: dt.datetime | None, deadline_at: float) -> list[_Candidate]:
    """(system, day, template) covering a short interval, with a positive gain (those counted by the deadline)."""
    im = p.rules.interval_min
    short_set = set(short)
    out: list[_Candidate] = []
    for system in sorted({g.system for g in p.groups}, key=lambda s: s.value):
        for t in p.templates.get(system, []):
            first = t.start_min // im
            length = -(-t.span_min // im)
            for d, day in enumerate(p.days):
                if time.perf_counter() >= deadline_at:
                    return out
                lo = d * p.per_day + first
                if not any(i in short_set for i in range(lo, lo + length)):
                    continue
                start = p.local(day, t.start_min)
                if earliest_start_at is not None and start < earliest_start_at:
                    continue
                shift = _shift(p, "", start, t, have, need)
                gain = _gain(p, shift, have, need, day)
                if gain > 0:
                    out.append(_Candidate(gain, system, d, start, t, shift))
    return out


def _take(p: RosterProblem, cand: _Candidate, by_agent: dict[str, list[RosterShift]],
          worked_on: set[tuple[str, dt.date]], deadline_at: float) -> RosterShift | None:
    """The candidate's shift for the first agent (fewest worked minutes first) who can take it under every
    hard rule and whose group's penalties do not eat the gain; None if nobody can."""
    day = p.days[cand.day]
    pool: list[tuple[int, str, AgentGroup, RosterAgent]] = []
    for g in p.groups:
        if g.system is not cand.system:
            continue
        for a in g.agents:
            if (a.agent, day) in worked_on or day in a.unavailable or day in a.prefer_off:
                continue
            if cand.day in p.fixed.get(a.agent, {}):
                continue
            pool.append((sum(s.worked_min for s in by_agent.get(a.agent, [])), a.agent, g, a))
    pool.sort(key=lambda x: (x[0], x[1]))
    before: dict[str, float] = {}  # the penalties of each group as it is (only the agent's group moves)
    for _, _, g, a in pool:
        if time.perf_counter() >= deadline_at:
            return None
        shift = dataclasses.replace(cand.shift, agent=a.agent)
        mine = [*by_agent.get(a.agent, []), shift]
        if check_roster(mine, [a], p.rules, tz=p.tz, week_start=p.week_start, last_day=p.days[-1],
                        context=p.history.get(a.agent, ())):
            continue
        alone = dataclasses.replace(p, groups=[g])
        group_shifts = [s for b in g.agents for s in by_agent.get(b.agent, []) if b.agent not in p.fixed
                        or s not in p.fixed[b.agent].values()]
        if g.key not in before:
            before[g.key] = sum(roster_penalties(alone, group_shifts).values())
        if sum(roster_penalties(alone, [*group_shifts, shift]).values()) - before[g.key] >= cand.gain:
            continue
        return shift
    return None
