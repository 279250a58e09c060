"""Local search on the whole roster after the fill and trim passes (issue 11's 2 % gap target): moves that lower
the roster's cost without adding shortfall or breaking a hard rule.

The roster's cost is the solver's: pay-weighted paid minutes, shortfall and overstaffing per agent-minute, plus
the named penalties of :func:`roster_trim.roster_penalties` (days asked off worked, spreads of weekend, night and
holiday shifts and of worked hours in each group). A move is a few shifts taken out and a few put in; it is taken
when that cost falls, no interval ends up shorter than it was, and every agent it touches passes the product's
checker (``roster_check``, with their history and fixed shifts), as the fill pass does. (Taking a shift away breaks
no hard rule: they are all upper limits.)

:func:`swap_penalties` hands a shift that costs a penalty (a day its agent asked off; a night, weekend or
holiday shift of the one agent with the most of them in the group; a shift of the one agent with the most hours) to
another agent who does not work that day, or exchanges it for one of that agent's shifts on a day the first agent
is free. The shifts keep their times and breaks, so coverage and pay do not move; only agents with the same skills
trade, and only shifts that are one of the receiver's own templates.

:func:`drop_and_slide` takes a shift off even where that leaves a few intervals short, and covers the hole by
moving one or two other shifts near it: each keeps its agent and day and takes another of the agent's templates
starting up to ``SLIDE_H`` hours earlier or later, or of another length (a comprehensive agent's 8 h as 10 h), or
the same one with its breaks placed again; its meal and rest are placed against the rest of the roster, and it may
not leave short an interval it leaves. A hole that one or two such moves cannot close leaves the shift where it
is. Only single-skill requirements (as the other passes).

:func:`improve_roster` runs both in turn while either finds something. All are deterministic and stop at a
``time.perf_counter()`` deadline, keeping the moves made by then; shifts starting before ``earliest_start_at``
(an intraday rebuild) are neither moved nor taken off, and no shift is moved to before it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from callops.scheduling.roster_breaks import place_breaks_on, presence
from callops.scheduling.roster_check import check_roster
from callops.scheduling.roster_model import RosterAgent, RosterBreak, RosterShift
from callops.scheduling.roster_problem import RosterProblem, shift_is_night
from callops.scheduling.shift_templates import ShiftTemplate

__all__ = ["drop_and_slide", "improve_roster", "swap_penalties"]

EPS = 1e-6
SLIDE_H = 4  # a neighbour moves its start at most this many hours
MAX_HOLE = 4.0  # agent-intervals a dropped shift may leave short for the neighbours to cover
PARTIAL_TRIES = 4  # first moves that cover part of a hole, each tried with a second one
CHECKS_PER_SHIFT = 40  # rule checks spent on the cheapest candidates of one shift


# (weekend, night, holiday shifts, worked minutes, shifts on days asked off) of one agent
_Counts = tuple[int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class _Move:
    """Shifts taken out of the roster and shifts put in."""

    out: tuple[RosterShift, ...]
    into: tuple[RosterShift, ...]


class _State:
    """The roster being improved: each agent's own shifts, the coverage, and the named penalties per group."""

    def __init__(self, p: RosterProblem, shifts: Sequence[RosterShift], fixed: Sequence[RosterShift]) -> None:
        self.p = p
        self.agent: dict[str, RosterAgent] = {a.agent: a for g in p.groups for a in g.agents}
        self.group_of = {a.agent: gi for gi, g in enumerate(p.groups) for a in g.agents}
        self._facts: dict[tuple[dt.datetime, dt.datetime], tuple[dt.date, int, int, int]] = {}
        self._on: dict[tuple[dt.datetime, dt.datetime, tuple[RosterBreak, ...]], dict[int, float]] = {}
        self.own: dict[str, list[RosterShift]] = defaultdict(list)
        for s in shifts:
            self.own[s.agent].append(s)
        self.fixed: dict[str, list[RosterShift]] = defaultdict(list)
        for s in fixed:
            self.fixed[s.agent].append(s)
        self.penalty_fixed: dict[str, list[RosterShift]] = {a: list(d.values()) for a, d in p.fixed.items()}
        self.fixed_days = {(a, self.day(s)) for a, ss in self.penalty_fixed.items() for s in ss}
        self.counts = {a: self._count(a, self.own.get(a, [])) for a in self.agent}
        self.extremes: list[list[tuple[list[tuple[int, str]], list[tuple[int, str]]]]] = []
        self.asked_off: list[int] = []
        for gi in range(len(p.groups)):
            self.extremes.append([])
            self.asked_off.append(0)
            self._group_stats(gi)
        self.size = len(p.days) * p.per_day
        self.need = [float(p.required[p.skills[0]][i]) for i in range((len(p.days) + 1) * p.per_day)] \
            if len(p.skills) == 1 else []
        self.have = [0.0] * len(self.need)
        for s in [*shifts, *fixed]:
            self.add(self.on(s), 1.0)

    # -- the roster ------------------------------------------------------------------------------------------
    def shifts(self) -> list[RosterShift]:
        return [s for ss in self.own.values() for s in ss]

    def facts(self, s: RosterShift) -> tuple[dt.date, int, int, int]:
        """(day, weekend, night, holiday) of a shift's times."""
        key = (s.start_at, s.end_at)
        got = self._facts.get(key)
        if got is None:
            p = self.p
            day = s.start_at.astimezone(p.tz).date()
            got = (day, int(p.is_weekend(day)), int(shift_is_night(s, p.rules, p.tz)), int(p.is_holiday(day)))
            self._facts[key] = got
        return got

    def day(self, s: RosterShift) -> dt.date:
        return self.facts(s)[0]

    def on(self, s: RosterShift) -> dict[int, float]:
        """The shift's presence on the phones per interval (``roster_breaks.presence``), kept per times and breaks."""
        key = (s.start_at, s.end_at, s.breaks)
        got = self._on.get(key)
        if got is None:
            got = self._on[key] = dict(presence(self.p, s))
        return got

    def works_on(self, agent: str, day: dt.date) -> bool:
        return any(self.day(s) == day for s in [*self.own.get(agent, []), *self.fixed.get(agent, [])])

    def keeps_rules(self, agent: str, own: Sequence[RosterShift]) -> bool:
        p = self.p
        return not check_roster([*own, *self.fixed.get(agent, [])], [self.agent[agent]], p.rules, tz=p.tz,
                                week_start=p.week_start, last_day=p.days[-1], context=p.history.get(agent, ()))

    def apply(self, move: _Move) -> None:
        touched = {s.agent for s in [*move.out, *move.into]}
        for s in move.out:
            self.own[s.agent].remove(s)
            self.add(self.on(s), -1.0)
        for s in move.into:
            self.own[s.agent].append(s)
            self.add(self.on(s), 1.0)
        for a in touched:
            self.counts[a] = self._count(a, self.own[a])
        for gi in {self.group_of[a] for a in touched}:
            self._group_stats(gi)

    def add(self, on: dict[int, float], sign: float) -> None:
        for i, v in on.items():
            if 0 <= i < len(self.have):
                self.have[i] += sign * v

    # -- the named penalties -----------------------------------------------------------------------------------
    def _count(self, agent: str, own: Sequence[RosterShift]) -> _Counts:
        asked = self.agent[agent].prefer_off
        weekends = nights = holidays = minutes = off = 0
        for s in own:
            day, we, ni, ho = self.facts(s)
            weekends, nights, holidays, minutes = weekends + we, nights + ni, holidays + ho, minutes + s.worked_min
            off += day in asked and (agent, day) not in self.fixed_days
        for s in self.penalty_fixed.get(agent, []):
            _, we, ni, ho = self.facts(s)
            weekends, nights, holidays, minutes = weekends + we, nights + ni, holidays + ho, minutes + s.worked_min
        return weekends, nights, holidays, minutes, off

    def _group_stats(self, gi: int) -> None:
        """The three highest and lowest of each count in the group (enough to know a spread with two agents
        changed) and the shifts on days asked off."""
        members = [(self.counts[a.agent], a.agent) for a in self.p.groups[gi].agents]
        self.extremes[gi] = [(sorted(((-c[k], a) for c, a in members))[:3], sorted(((c[k], a) for c, a in members))[:3])
                             for k in range(4)]
        self.asked_off[gi] = sum(c[4] for c, _ in members)

    def _group_cost(self, gi: int, override: dict[str, _Counts]) -> float:
        w = self.p.rules.weights
        mine = {a: c for a, c in override.items() if self.group_of[a] == gi}
        weights = (w.fairness_weekends, w.fairness_nights, w.fairness_holidays, w.equal_hours / 60)
        total = w.preference * (self.asked_off[gi] + sum(c[4] - self.counts[a][4] for a, c in mine.items()))
        if len(self.p.groups[gi].agents) < 2:
            return total
        for k, weight in enumerate(weights):
            top, bottom = self.extremes[gi][k]
            hi = max([-v for v, a in top if a not in mine][:1] + [c[k] for c in mine.values()])
            lo = min([v for v, a in bottom if a not in mine][:1] + [c[k] for c in mine.values()])
            total += weight * (hi - lo)
        return total

    def penalty_change(self, own: dict[str, list[RosterShift]]) -> float:
        override = {a: self._count(a, ss) for a, ss in own.items()}
        groups = {self.group_of[a] for a in override}
        return sum(self._group_cost(gi, override) - self._group_cost(gi, {}) for gi in groups)

    def at_group_max(self, agent: str, k: int) -> bool:
        """The agent alone has the most of count ``k`` in its group (taking one off them narrows the spread)."""
        top, bottom = self.extremes[self.group_of[agent]][k]
        return top[0][1] == agent and (len(top) < 2 or top[1][0] > top[0][0]) and -top[0][0] > bottom[0][0]

    # -- coverage ----------------------------------------------------------------------------------------------
    def coverage_change(self, out: Sequence[dict[int, float]], into: Sequence[dict[int, float]]) -> float | None:
        """Shortfall and overstaffing cost after less before; None when some interval ends up shorter."""
        w, im = self.p.rules.weights, self.p.rules.interval_min
        delta: dict[int, float] = defaultdict(float)
        for on in out:
            for i, v in on.items():
                delta[i] -= v
        for on in into:
            for i, v in on.items():
                delta[i] += v
        total = 0.0
        for i, dv in delta.items():
            if not 0 <= i < self.size or abs(dv) < EPS:
                continue
            before, after = self.have[i], self.have[i] + dv
            short_before, short_after = max(0.0, self.need[i] - before), max(0.0, self.need[i] - after)
            if short_after > short_before + EPS:
                return None
            total += w.shortfall * im * (short_after - short_before)
            total += w.overstaffing * im * (max(0.0, after - self.need[i]) - max(0.0, before - self.need[i]))
        return total

    def paid(self, s: RosterShift) -> float:
        return s.worked_min * (self.p.rules.pay.holiday if self.facts(s)[3] else 1.0)


def improve_roster(p: RosterProblem, shifts: Sequence[RosterShift], fixed: Sequence[RosterShift] = (), *,
                   deadline_at: float, earliest_start_at: dt.datetime | None = None) -> list[RosterShift]:
    """Both passes, drop and slide first, again while either changes the roster and the deadline allows."""
    out = list(shifts)
    while time.perf_counter() < deadline_at:
        before = out
        out = drop_and_slide(p, out, fixed, deadline_at=deadline_at, earliest_start_at=earliest_start_at)
        out = swap_penalties(p, out, fixed, deadline_at=deadline_at, earliest_start_at=earliest_start_at)
        if sorted(out, key=_order) == sorted(before, key=_order):
            break
    return out


def _order(s: RosterShift) -> tuple[dt.datetime, str]:
    return s.start_at, s.agent


# -- penalty swaps ---------------------------------------------------------------------------------------------
def _templates(p: RosterProblem) -> dict[str, set[tuple[int, int, int]]]:
    """Per agent, the (start minute, span, worked minutes) of the templates of their system."""
    keys = {system: {(t.start_min, t.span_min, t.worked_min) for t in ts} for system, ts in p.templates.items()}
    return {a.agent: keys.get(a.system, set()) for g in p.groups for a in g.agents}


def _key(st: _State, s: RosterShift) -> tuple[int, int, int]:
    local = s.start_at.astimezone(st.p.tz)
    return local.hour * 60 + local.minute, round((s.end_at - s.start_at).total_seconds() / 60), s.worked_min


def _as(s: RosterShift, agent: str) -> RosterShift:
    return RosterShift(agent, s.start_at, s.end_at, s.breaks)


def _costs_penalty(st: _State, s: RosterShift) -> bool:
    """A day asked off, or a weekend, night or holiday shift or any shift of the one agent with the most of them
    (or of hours) in the group: handing it away may lower the named penalties."""
    day, weekend, night, holiday = st.facts(s)
    return (((s.agent, day) not in st.fixed_days and day in st.agent[s.agent].prefer_off)
            or any(flag and st.at_group_max(s.agent, k) for k, flag in enumerate((weekend, night, holiday)))
            or st.at_group_max(s.agent, 3))


def swap_penalties(p: RosterProblem, shifts: Sequence[RosterShift], fixed: Sequence[RosterShift] = (), *,
                   deadline_at: float, earliest_start_at: dt.datetime | None = None) -> list[RosterShift]:
    """``shifts`` with penalty-costing shifts handed over or exchanged where the named penalties fall (see the
    module); ``fixed`` shifts count for the rules and are neither moved nor returned."""
    st = _State(p, shifts, fixed)
    templates = _templates(p)
    movable = set(st.agent)

    def free(s: RosterShift) -> bool:
        return s.agent in movable and (earliest_start_at is None or s.start_at >= earliest_start_at)

    improved = True
    while improved and time.perf_counter() < deadline_at:
        improved = False
        sources = sorted((s for s in st.shifts() if free(s) and _costs_penalty(st, s)),
                         key=lambda s: (s.start_at, s.agent))
        for s in sources:
            if time.perf_counter() >= deadline_at:
                break
            if s not in st.own[s.agent]:
                continue
            move = _best_swap(st, s, templates, movable, free, deadline_at)
            if move is not None:
                st.apply(move)
                improved = True
    return st.shifts()


def _best_swap(st: _State, s: RosterShift, templates: dict[str, set[tuple[int, int, int]]], movable: set[str],
               free: Callable[[RosterShift], bool], deadline_at: float) -> _Move | None:
    a = st.agent[s.agent]
    day = st.day(s)
    key = _key(st, s)
    mine_without = [x for x in st.own[a.agent] if x is not s]
    cands: list[tuple[float, str, _Move, dict[str, list[RosterShift]]]] = []
    for b in sorted(movable - {a.agent}):
        if time.perf_counter() >= deadline_at:
            return None
        other = st.agent[b]
        if other.skills != a.skills or day in other.unavailable or st.works_on(b, day):
            continue
        theirs = st.own.get(b, [])
        if key in templates[b]:
            own = {a.agent: mine_without, b: [*theirs, _as(s, b)]}
            change = st.penalty_change(own)
            if change < -EPS:
                cands.append((change, b, _Move((s,), (own[b][-1],)), own))
        for t in theirs:
            e = st.day(t)
            if (not free(t) or _key(st, t) not in templates[a.agent] or key not in templates[b]
                    or e in a.unavailable or st.works_on(a.agent, e)):
                continue
            mine, yours = _as(t, a.agent), _as(s, b)
            own = {a.agent: [*mine_without, mine], b: [*(x for x in theirs if x is not t), yours]}
            change = st.penalty_change(own)
            if change < -EPS:
                cands.append((change, b, _Move((s, t), (mine, yours)), own))
    cands.sort(key=lambda c: (c[0], c[1], c[2].into[0].start_at))
    for _, _, move, own in cands[:CHECKS_PER_SHIFT]:
        if time.perf_counter() >= deadline_at:
            return None
        if all(st.keeps_rules(agent, ss) for agent, ss in own.items()):
            return move
    return None


# -- drop and slide ---------------------------------------------------------------------------------------------
def drop_and_slide(p: RosterProblem, shifts: Sequence[RosterShift], fixed: Sequence[RosterShift] = (), *,
                   deadline_at: float, earliest_start_at: dt.datetime | None = None) -> list[RosterShift]:
    """``shifts`` with shifts dropped where one or two neighbours moved on the grid cover the hole and the cost
    falls (see the module); ``fixed`` shifts count for coverage and the rules and are neither moved nor returned."""
    if len(p.skills) != 1:
        return list(shifts)
    st = _State(p, shifts, fixed)

    def free(s: RosterShift) -> bool:
        return earliest_start_at is None or s.start_at >= earliest_start_at

    def hole(s: RosterShift) -> float:
        return sum(max(0.0, st.need[i] - (st.have[i] - v)) for i, v in st.on(s).items() if 0 <= i < st.size)

    order = sorted((s for s in st.shifts() if free(s)), key=lambda s: (hole(s), s.start_at, s.agent))
    for s in order:
        if time.perf_counter() >= deadline_at:
            break
        if s not in st.own[s.agent] or hole(s) > MAX_HOLE:
            continue
        move = _best_drop(st, s, free, deadline_at)
        if move is not None:
            st.apply(move)
    return st.shifts()


@dataclass(frozen=True, slots=True)
class _Variant:
    old: RosterShift
    old_on: dict[int, float]
    new: RosterShift
    on: dict[int, float]
    paid: float  # pay-weighted minutes after less before


def _best_drop(st: _State, s: RosterShift, free: Callable[[RosterShift], bool], deadline_at: float) -> _Move | None:
    p = st.p
    dropped_on = st.on(s)
    saved = -st.paid(s)
    plain = _judge(st, s, [], saved)
    if plain is not None:
        return plain
    st.add(dropped_on, -1.0)  # the coverage without the dropped shift, while its neighbours are tried
    try:
        holes = {i: st.need[i] - st.have[i] for i in dropped_on if 0 <= i < st.size and st.need[i] - st.have[i] > EPS}
        if not holes:  # nothing short without it, and dropping it alone does not pay
            return None
        lo, hi = min(holes), max(holes) + 1
        first = p.local(p.days[lo // p.per_day], (lo % p.per_day) * p.rules.interval_min)
        last = p.local(p.days[(hi - 1) // p.per_day], ((hi - 1) % p.per_day + 1) * p.rules.interval_min)
        reach = dt.timedelta(hours=SLIDE_H)
        neighbours = sorted((n for ns in st.own.values() for n in ns
                             if n is not s and free(n) and n.start_at - reach < last and n.end_at + reach > first
                             and any(st.on(n).get(i, 0.0) < 1.0 - EPS for i in holes)),
                            key=lambda n: (n.start_at, n.agent))
        slides = _slides(st, neighbours, holes, -saved, free)
        for _, _, n, t in (x for x in slides if x[0] < EPS):
            if time.perf_counter() >= deadline_at:
                return None
            v = _variant(st, n, t)
            if _left(st, holes, [v]) < EPS:
                move = _judge(st, s, [v], saved, dropped=True)
                if move is not None:
                    return move
        whole = sum(holes.values())
        for _, _, n, t in [x for x in slides if EPS <= x[0] < whole - EPS][:PARTIAL_TRIES]:
            v = _variant(st, n, t)
            st.add(v.old_on, -1.0)
            st.add(v.on, 1.0)
            try:
                rest = {i: st.need[i] - st.have[i] for i in holes if st.need[i] - st.have[i] > EPS}
                others = [m for m in neighbours if m.agent != n.agent]
                for left, _, n2, t2 in _slides(st, others, rest, -saved - v.paid, free):
                    if left >= EPS or time.perf_counter() >= deadline_at:
                        break
                    v2 = _variant(st, n2, t2)
                    if _left(st, rest, [v2]) < EPS:
                        st.add(v.on, -1.0)
                        st.add(v.old_on, 1.0)
                        try:
                            move = _judge(st, s, [v, v2], saved, dropped=True)
                        finally:
                            st.add(v.old_on, -1.0)
                            st.add(v.on, 1.0)
                        if move is not None:
                            return move
            finally:
                st.add(v.on, -1.0)
                st.add(v.old_on, 1.0)
    finally:
        st.add(dropped_on, 1.0)
    return None


def _slides(st: _State, neighbours: Sequence[RosterShift], holes: dict[int, float], budget: float,
            free: Callable[[RosterShift], bool]) -> list[tuple[float, float, RosterShift, ShiftTemplate]]:
    """Each neighbour moved to each template of its agent's system on its day within ``SLIDE_H`` of its start (the
    same one too: its breaks placed again) that puts it on the phones in ``holes`` (interval: agents short), pays
    less than ``budget`` more, leaves no interval short where it no longer is and starts where ``free`` allows:
    (the hole left were it on the phones all its span but the fixed activity, pay change, neighbour, template),
    least hole left first."""
    p = st.p
    whole = sum(holes.values())
    out: list[tuple[float, float, RosterShift, ShiftTemplate]] = []
    for n in neighbours:
        day = st.day(n)
        start_min = _key(st, n)[0]
        old_on = st.on(n)
        rate = p.rules.pay.holiday if st.facts(n)[3] else 1.0
        paid_now = st.paid(n)
        d0 = p.day_index(day) * p.per_day
        # the intervals it must still cover: those short without it
        needed = [i for i, v in old_on.items() if 0 <= i < st.size and st.have[i] - v < st.need[i] - EPS]
        lo, hi = (min(needed), max(needed)) if needed else (None, None)
        wanted = [i for i in holes if old_on.get(i, 0.0) < 1.0 - EPS]
        for t in p.templates.get(st.agent[n.agent].system, []):
            if abs(t.start_min - start_min) > SLIDE_H * 60:
                continue
            paid = t.worked_min * rate - paid_now
            if paid >= budget - EPS:
                continue
            first, last = d0 + t.start_min // p.rules.interval_min, d0 + -(-t.end_min // p.rules.interval_min)
            if lo is not None and hi is not None and not first <= lo <= hi < last:
                continue  # it would leave short where it no longer is
            if not any(first <= i < last for i in wanted):
                continue
            moved = _bare(st, n.agent, p.local(day, t.start_min), t)
            if not free(moved):  # intraday: no shift moves to before the rebuild's start
                continue
            bare = st.on(moved)
            left = sum(max(0.0, h - bare.get(i, 0.0) + old_on.get(i, 0.0)) for i, h in holes.items())
            if left < whole - EPS:
                out.append((left, paid, n, t))
    out.sort(key=lambda x: (x[0], x[1], x[2].start_at, x[2].agent, x[3].start_min, x[3].span_min))
    return out


def _variant(st: _State, n: RosterShift, t: ShiftTemplate) -> _Variant:
    """``n`` moved to template ``t`` on its day, its breaks placed against the coverage without it."""
    old_on = st.on(n)
    st.add(old_on, -1.0)
    try:
        bare = _bare(st, n.agent, st.p.local(st.day(n), t.start_min), t)
        new = place_breaks_on(st.p, [bare], st.need, list(st.have))[0]
    finally:
        st.add(old_on, 1.0)
    return _Variant(n, old_on, new, st.on(new), st.paid(new) - st.paid(n))


def _bare(st: _State, agent: str, start: dt.datetime, t: ShiftTemplate) -> RosterShift:
    """The template's shift from ``start`` with its fixed off-phone time only (no meal or rest placed yet)."""
    offs = tuple(RosterBreak(start + dt.timedelta(minutes=o.offset_min),
                             start + dt.timedelta(minutes=o.offset_min + o.length_min), o.kind, o.paid)
                 for o in t.off)
    return RosterShift(agent, start, start + dt.timedelta(minutes=t.span_min), offs)


def _left(st: _State, holes: dict[int, float], variants: Sequence[_Variant]) -> float:
    """Shortfall left in ``holes`` (against the coverage as it stands) with the variants' neighbours moved."""
    total = 0.0
    for i in holes:
        h = st.have[i] + sum(v.on.get(i, 0.0) - v.old_on.get(i, 0.0) for v in variants)
        total += max(0.0, st.need[i] - h)
    return total


def _judge(st: _State, s: RosterShift, variants: Sequence[_Variant], saved: float, *,
           dropped: bool = False) -> _Move | None:
    """The move dropping ``s`` and moving the variants' neighbours, if it adds no shortfall, lowers the cost and
    keeps every rule for the agents it touches. ``dropped``: ``st``'s coverage has ``s`` taken out just now."""
    if dropped:
        st.add(st.on(s), 1.0)
    try:
        out = [s, *(v.old for v in variants)]
        into = [v.new for v in variants]
        cover = st.coverage_change([st.on(s), *(v.old_on for v in variants)], [v.on for v in variants])
        if cover is None:
            return None
        own: dict[str, list[RosterShift]] = {}
        for a in {x.agent for x in [*out, *into]}:
            own[a] = [*(x for x in st.own[a] if x not in out), *(x for x in into if x.agent == a)]
        change = saved + sum(v.paid for v in variants) + cover + st.penalty_change(own)
        if change >= -EPS:
            return None
        if not all(st.keeps_rules(a, ss) for a, ss in own.items() if any(x.agent == a for x in into)):
            return None
        return _Move(tuple(out), tuple(into))
    finally:
        if dropped:
            st.add(st.on(s), -1.0)
