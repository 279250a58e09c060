"""Adherence (遵时率) and conformance: what agents did against the published roster.

Per agent and period, from the roster's shifts and the agent state intervals:

- ``scheduled_s``: seconds on shift (breaks included) inside the period;
- ``in_adherence_s``: seconds of it where the state matches the scheduled activity: on the phones
  (ready, ringing, on call, hold, after-call work, recovery, outbound) while scheduled to work, and away
  from the phones (break, away, training, logged out) during a scheduled break or the team activity;
- ``adherence`` = in_adherence_s / scheduled_s;
- ``conformance`` = worked_s / scheduled_s, where worked_s is the time logged in (any state but logged
  out) inside the period, on shift or not;
- exceptions: stretches out of adherence of at least ``min_exception_s``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from callops.scheduling.roster_model import RosterShift

__all__ = ["AdherenceException", "AdherenceRow", "StateSpan", "adherence", "adherence_by_bucket", "total"]

PHONE_STATES = frozenset({"ready", "ringing", "on_call", "hold", "after_call_work", "recovery", "outbound"})


@dataclass(frozen=True, slots=True)
class StateSpan:
    agent: str
    state: str
    start_at: dt.datetime
    end_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AdherenceRow:
    agent: str | None  # None: all agents together
    scheduled_s: float
    in_adherence_s: float
    worked_s: float

    @property
    def adherence(self) -> float | None:
        return None if self.scheduled_s == 0 else self.in_adherence_s / self.scheduled_s

    @property
    def conformance(self) -> float | None:
        return None if self.scheduled_s == 0 else self.worked_s / self.scheduled_s


@dataclass(frozen=True, slots=True)
class AdherenceException:
    agent: str
    start_at: dt.datetime
    end_at: dt.datetime
    scheduled: str  # phones or break
    actual: str  # the state, or "none" when no state was recorded


def _clip(a: dt.datetime, b: dt.datetime, lo: dt.datetime, hi: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return max(a, lo), min(b, hi)


def _pieces(shift: RosterShift) -> list[tuple[dt.datetime, dt.datetime, str]]:
    """The shift cut into (start, end, phones|break)."""
    out: list[tuple[dt.datetime, dt.datetime, str]] = []
    t = shift.start_at
    for b in sorted(shift.breaks, key=lambda b: b.start_at):
        if b.start_at > t:
            out.append((t, b.start_at, "phones"))
        out.append((b.start_at, b.end_at, "break"))
        t = max(t, b.end_at)
    if t < shift.end_at:
        out.append((t, shift.end_at, "phones"))
    return out


def adherence(shifts: Iterable[RosterShift], states: Iterable[StateSpan], *, start_at: dt.datetime,
              end_at: dt.datetime, min_exception_s: float = 300.0
              ) -> tuple[list[AdherenceRow], list[AdherenceException]]:
    """Rows per agent (sorted) and the exceptions, over [start_at, end_at)."""
    by_agent_states: dict[str, list[StateSpan]] = defaultdict(list)
    for s in states:
        if s.end_at > start_at and s.start_at < end_at:
            by_agent_states[s.agent].append(s)
    by_agent_shifts: dict[str, list[RosterShift]] = defaultdict(list)
    for sh in shifts:
        if sh.end_at > start_at and sh.start_at < end_at:
            by_agent_shifts[sh.agent].append(sh)
    rows: list[AdherenceRow] = []
    exceptions: list[AdherenceException] = []
    for agent in sorted(by_agent_shifts.keys() | by_agent_states.keys()):
        spans = sorted(by_agent_states.get(agent, []), key=lambda s: s.start_at)
        worked = 0.0
        for s in spans:
            a, b = _clip(s.start_at, s.end_at, start_at, end_at)
            if s.state != "logged_out" and b > a:
                worked += (b - a).total_seconds()
        scheduled = 0.0
        matched = 0.0
        for sh in by_agent_shifts.get(agent, []):
            for p_start, p_end, activity in _pieces(sh):
                a, b = _clip(p_start, p_end, start_at, end_at)
                if b <= a:
                    continue
                scheduled += (b - a).total_seconds()
                t = a
                for s in spans:
                    x, y = _clip(s.start_at, s.end_at, a, b)
                    if y <= x:
                        continue
                    if x > t:  # no state recorded: off the phones
                        if activity == "break":
                            matched += (x - t).total_seconds()
                        else:
                            _exception(exceptions, agent, t, x, activity, "none", min_exception_s)
                    ok = (s.state in PHONE_STATES) == (activity == "phones")
                    if ok:
                        matched += (y - x).total_seconds()
                    else:
                        _exception(exceptions, agent, x, y, activity, s.state, min_exception_s)
                    t = max(t, y)
                if t < b:
                    matched += 0.0 if activity == "phones" else (b - t).total_seconds()  # no state: off the phones
                    if activity == "phones":
                        _exception(exceptions, agent, t, b, activity, "none", min_exception_s)
        rows.append(AdherenceRow(agent, scheduled, matched, worked))
    return rows, exceptions


def _exception(out: list[AdherenceException], agent: str, a: dt.datetime, b: dt.datetime, scheduled: str,
               actual: str, min_s: float) -> None:
    if (b - a).total_seconds() >= min_s:
        out.append(AdherenceException(agent, a, b, scheduled, actual))


def total(rows: Sequence[AdherenceRow]) -> AdherenceRow:
    return AdherenceRow(None, sum(r.scheduled_s for r in rows), sum(r.in_adherence_s for r in rows),
                        sum(r.worked_s for r in rows))


def adherence_by_bucket(shifts: Iterable[RosterShift], states: Iterable[StateSpan],
                        bounds: Sequence[dt.datetime]) -> dict[int, list[AdherenceRow]]:
    """Rows per agent for each bucket ``i`` = [bounds[i], bounds[i + 1]) (``bounds`` ascending), counted as
    :func:`adherence` counts one period, so the buckets of a period add up to it. Buckets without anything
    scheduled or worked, and agents with neither in a bucket, are left out."""
    if len(bounds) < 2:
        return {}
    last = len(bounds) - 1
    shifts_in: dict[int, list[RosterShift]] = defaultdict(list)
    states_in: dict[int, list[StateSpan]] = defaultdict(list)

    def spanned(start_at: dt.datetime, end_at: dt.datetime) -> range:
        first = max(0, bisect.bisect_right(bounds, start_at) - 1)
        stop = min(last, bisect.bisect_left(bounds, end_at))
        return range(first, stop)

    for shift in shifts:
        for i in spanned(shift.start_at, shift.end_at):
            shifts_in[i].append(shift)
    for span in states:
        for i in spanned(span.start_at, span.end_at):
            states_in[i].append(span)
    out: dict[int, list[AdherenceRow]] = {}
    for i in sorted(shifts_in.keys() | states_in.keys()):
        rows, _ = adherence(shifts_in.get(i, ()), states_in.get(i, ()), start_at=bounds[i], end_at=bounds[i + 1],
                            min_exception_s=math.inf)
        kept = [r for r in rows if r.scheduled_s > 0 or r.worked_s > 0]
        if kept:
            out[i] = kept
    return out
