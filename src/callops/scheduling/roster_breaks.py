"""Breaks placed where coverage dips least, and the coverage a roster gives.

Shifts are taken in start order; each break (meal first, as the rules list them) goes to the allowed
start (its window, on its step) where the surplus of agents over the requirement is largest across
the break, and the coverage is updated before the next. Coverage per skill: agents who serve one
skill count there; agents with several go, interval by interval, to the skill with the largest
remaining gap (a greedy allocation).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from callops.scheduling.roster_model import RosterBreak, RosterShift

if TYPE_CHECKING:
    from callops.scheduling.roster_problem import RosterProblem
    from callops.scheduling.roster_solver import CoverageRow

__all__ = ["coverage_rows", "place_breaks", "place_breaks_on", "presence"]

_STEP = dt.timedelta(minutes=15)


def _index(p: RosterProblem, t: dt.datetime) -> int:
    local = t.astimezone(p.tz)
    return (local.date() - p.days[0]).days * p.per_day + (local.hour * 60 + local.minute) // p.rules.interval_min


def presence(p: RosterProblem, shift: RosterShift) -> dict[int, float]:
    """Agents (fractions of an interval) a shift puts on the phones, by interval index."""
    out: dict[int, float] = defaultdict(float)
    t = shift.start_at
    share = 15 / p.rules.interval_min
    while t < shift.end_at:
        if not any(b.start_at <= t < b.end_at for b in shift.breaks):
            out[_index(p, t)] += share
        t += _STEP
    return out


def place_breaks(p: RosterProblem, shifts: Sequence[RosterShift], *,
                 base: Sequence[float] | None = None) -> list[RosterShift]:
    """``shifts`` with their meal and rest breaks placed (a break of a kind a shift has already stays). ``base``:
    agents on the phones per interval from other shifts (e.g. the rest of the roster), counted with these."""
    size = (len(p.days) + 1) * p.per_day
    need = [sum(p.required[k][i] for k in p.skills) for i in range(size)]
    have = [0.0] * size if base is None else [base[i] if i < len(base) else 0.0 for i in range(size)]
    return place_breaks_on(p, shifts, need, have)


def place_breaks_on(p: RosterProblem, shifts: Sequence[RosterShift], need: Sequence[float],
                    have: list[float]) -> list[RosterShift]:
    """:func:`place_breaks` with the requirement (all skills) and the coverage of other shifts per interval given
    (``have`` is updated); for callers that place many shifts one at a time."""
    size = min(len(need), len(have))
    for s in shifts:
        for i, v in presence(p, s).items():
            if 0 <= i < size:
                have[i] += v
    rests = list(p.rules.breaks)
    lengths = {p.rules.span_min(h): h for sr in p.rules.systems.values() for h in sr.shift_lengths_h}
    out: list[RosterShift] = []
    share = 15 / p.rules.interval_min
    for s in sorted(shifts, key=lambda s: (s.start_at, s.agent)):
        breaks = list(s.breaks)
        span = round((s.end_at - s.start_at).total_seconds() / 60)
        worked_h = lengths.get(span, s.worked_min / 60)
        for rule in rests:
            if worked_h < rule.min_shift_h or any(b.kind == rule.kind for b in breaks):
                continue
            best: tuple[float, dt.datetime] | None = None
            for off in range(rule.after_start_min, span - rule.before_end_min - rule.length_min + 1, rule.step_min):
                start = s.start_at + dt.timedelta(minutes=off)
                end = start + dt.timedelta(minutes=rule.length_min)
                if any(b.start_at < end and start < b.end_at for b in breaks):  # never two at once
                    continue
                idx = [_index(p, start + _STEP * k) for k in range(rule.length_min // 15)]
                score = min((have[i] - need[i]) if 0 <= i < size else 0.0 for i in idx) if idx else 0.0
                if best is None or score > best[0]:
                    best = (score, start)
            if best is None:
                continue
            start = best[1]
            end = start + dt.timedelta(minutes=rule.length_min)
            breaks.append(RosterBreak(start, end, rule.kind, rule.paid))
            t = start
            while t < end:
                i = _index(p, t)
                if 0 <= i < size:
                    have[i] -= share
                t += _STEP
        out.append(RosterShift(s.agent, s.start_at, s.end_at, tuple(sorted(breaks, key=lambda b: b.start_at))))
    return out


def coverage_rows(p: RosterProblem, shifts: Sequence[RosterShift]) -> list[CoverageRow]:
    from callops.scheduling.roster_solver import CoverageRow

    size = len(p.days) * p.per_day
    agents = {a.agent: a for a in p.agents}
    per_interval: dict[int, list[tuple[list[str], float]]] = defaultdict(list)
    for s in shifts:
        agent = agents.get(s.agent)
        serves = [k for k in p.skills if agent is None or agent.can_serve(k)]
        for i, v in presence(p, s).items():
            if 0 <= i < size:
                per_interval[i].append((serves, v))
    rows: list[CoverageRow] = []
    for i in range(size):
        got = {k: 0.0 for k in p.skills}
        entries = sorted(per_interval.get(i, []), key=lambda e: len(e[0]))
        for serves, v in entries:
            if not serves:
                continue
            target = max(serves, key=lambda k: (p.required[k][i] - got[k], -p.skills.index(k)))
            got[target] += v
        d, j = divmod(i, p.per_day)
        start = p.local(p.days[d], j * p.rules.interval_min)
        for k in p.skills:
            rows.append(CoverageRow(start, k, p.required[k][i], round(got[k], 4)))
    return rows
