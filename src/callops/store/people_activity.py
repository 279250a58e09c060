"""What the people views read from calls, agent states and QA: ramp totals per week of tenure, weekly load.

Real data only (``scenario IS NULL``); weeks are local to the zone given (the site's).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.people.load import LoadWeek, longest_streak
from callops.people.ramp import MAX_WEEKS, WeekTotals
from callops.people.records import Stint
from callops.records import AgentState, IssueCategory, Outcome
from callops.store.schema import agent_intervals, calls, qa_evaluations
from callops.store.types import from_millis, to_millis

__all__ = ["ramp_totals", "ramp_handle_by_week", "load_weeks", "MAX_LOAD_DAYS", "MAX_LOAD_PEOPLE"]

MAX_LOAD_DAYS = 92
MAX_LOAD_PEOPLE = 500
_WEEK_MS = 7 * 86_400_000
_JOIN_CHUNK = 100  # stints per query
_ANSWERED = (Outcome.ANSWERED.value, Outcome.TRANSFERRED.value)


def _ms(column: Any) -> Any:
    return sa.type_coerce(column, sa.BigInteger)


def _midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC)


def ramp_totals(conn: sa.Connection, stints: Sequence[Stint], *, tz: zoneinfo.ZoneInfo,
                weeks: int = 13) -> list[WeekTotals]:
    """Each stint's calls (answered), handle time, resolved flags and QA scores per week of tenure (1..weeks)."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(f"weeks must be 1-{MAX_WEEKS}", field="weeks")
    out: list[WeekTotals] = []
    for stint in stints:
        start = _midnight(stint.hire_on, tz)
        end = _midnight(stint.hire_on + dt.timedelta(weeks=weeks), tz)
        if stint.exit_on is not None:
            end = min(end, _midnight(stint.exit_on, tz))
        start_ms = sa.literal(to_millis(start), sa.BigInteger)
        week = ((_ms(calls.c.started_at) - start_ms) // sa.literal(_WEEK_MS, sa.BigInteger)).label("week")
        handle = calls.c.talk_s + calls.c.hold_s + calls.c.acw_s
        rows = conn.execute(
            sa.select(week, sa.func.count(), sa.func.sum(handle),
                      sa.func.count().filter(calls.c.issue_resolved.is_(True)),
                      sa.func.count().filter(calls.c.issue_resolved.is_not(None)))
            .where(calls.c.agent == stint.person, calls.c.scenario.is_(None), calls.c.outcome.in_(_ANSWERED),
                   calls.c.started_at >= start, calls.c.started_at < end)
            .group_by(week))
        sums: dict[int, list[float]] = {int(w): [int(n), float(h or 0), int(r), int(k), 0, 0.0]
                                        for w, n, h, r, k in rows}
        latest: dict[str, tuple[int, dt.datetime, float]] = {}
        for key, version, at, score in conn.execute(
                sa.select(qa_evaluations.c.evaluation_key, qa_evaluations.c.version, qa_evaluations.c.created_at,
                          qa_evaluations.c.score)
                .where(qa_evaluations.c.agent == stint.person, qa_evaluations.c.created_at >= start,
                       qa_evaluations.c.created_at < end)):
            if key not in latest or version > latest[key][0]:
                latest[key] = (int(version), at, float(score))
        for _, at, score in latest.values():
            slot = sums.setdefault(int((at - start) / dt.timedelta(weeks=1)), [0, 0.0, 0, 0, 0, 0.0])
            slot[4] += 1
            slot[5] += score
        cohort = f"{stint.hire_on.year:04d}-{stint.hire_on.month:02d}"
        out += [WeekTotals(person=stint.person, cohort=cohort, week=w + 1, calls=int(s[0]), handle_s=s[1],
                           resolved=int(s[2]), resolved_known=int(s[3]), qa_scores=int(s[4]), qa_total=s[5])
                for w, s in sorted(sums.items())]
    return out


def ramp_handle_by_week(conn: sa.Connection, stints: Sequence[Stint], *, tz: zoneinfo.ZoneInfo,
                        weeks: int) -> list[tuple[int, int, float]]:
    """(week of tenure, answered calls, handle seconds) pooled over ``stints``, weeks 1..``weeks``: one query per
    100 stints (by the (agent, started_at) index), each call's week from its agent's hire instant (what the
    measured ramp table needs; no QA or FCR)."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(f"weeks must be 1-{MAX_WEEKS}", field="weeks")
    rows = []
    for stint in stints:
        start = _midnight(stint.hire_on, tz)
        end = _midnight(stint.hire_on + dt.timedelta(weeks=weeks), tz)
        if stint.exit_on is not None:
            end = min(end, _midnight(stint.exit_on, tz))
        if end > start:
            rows.append((stint.person, to_millis(start), to_millis(end)))
    pooled: dict[int, list[float]] = {}
    for first in range(0, len(rows), _JOIN_CHUNK):
        chunk = {p: (a, b) for p, a, b in rows[first:first + _JOIN_CHUNK]}
        handle = calls.c.talk_s + calls.c.hold_s + calls.c.acw_s
        query = (sa.select(calls.c.agent, _ms(calls.c.started_at), handle)
                 .where(calls.c.agent.in_(sorted(chunk)), calls.c.scenario.is_(None), calls.c.outcome.in_(_ANSWERED),
                        calls.c.started_at >= from_millis(min(a for a, _ in chunk.values())),
                        calls.c.started_at < from_millis(max(b for _, b in chunk.values()))))
        for agent, started_ms, handle_s in conn.execute(query):
            lo, hi = chunk[agent]
            if lo <= started_ms < hi:
                slot = pooled.setdefault((started_ms - lo) // _WEEK_MS + 1, [0, 0.0])
                slot[0] += 1
                slot[1] += float(handle_s or 0)
    return [(w, int(n), h) for w, (n, h) in sorted(pooled.items())]


def load_weeks(conn: sa.Connection, persons: Sequence[str], *, date_from: dt.date, date_to: dt.date,
               tz: zoneinfo.ZoneInfo) -> list[LoadWeek]:
    """Per person and local week (Monday first) between the dates: distressing calls, streaks, recovery taken."""
    if date_to < date_from:
        raise InvalidInput(f"--to {date_to} is before --from {date_from}", field="to")
    if (date_to - date_from).days + 1 > MAX_LOAD_DAYS:
        raise InvalidInput(f"at most {MAX_LOAD_DAYS} days at a time", field="to")
    if len(persons) > MAX_LOAD_PEOPLE:
        raise InvalidInput(f"at most {MAX_LOAD_PEOPLE} people at a time", field="team")
    start, end = _midnight(date_from, tz), _midnight(date_to + dt.timedelta(days=1), tz)

    def monday(at: dt.datetime) -> str:
        day = at.astimezone(tz).date()
        return (day - dt.timedelta(days=day.weekday())).isoformat()

    out: list[LoadWeek] = []
    for person in persons:
        flags: dict[str, list[bool]] = {}
        for at, category in conn.execute(
                sa.select(calls.c.started_at, calls.c.issue_category)
                .where(calls.c.agent == person, calls.c.scenario.is_(None), calls.c.outcome.in_(_ANSWERED),
                       calls.c.started_at >= start, calls.c.started_at < end)
                .order_by(calls.c.started_at)):
            flags.setdefault(monday(at), []).append(category == IssueCategory.COMPLAINT.value)
        recovery: dict[str, float] = {}
        for begin, finish in conn.execute(
                sa.select(agent_intervals.c.start_at, agent_intervals.c.end_at)
                .where(agent_intervals.c.agent == person, agent_intervals.c.scenario.is_(None),
                       agent_intervals.c.state == AgentState.RECOVERY.value,
                       agent_intervals.c.start_at >= start, agent_intervals.c.start_at < end)):
            recovery[monday(begin)] = recovery.get(monday(begin), 0.0) + (finish - begin).total_seconds()
        for week in sorted(set(flags) | set(recovery)):
            taken = flags.get(week, [])
            out.append(LoadWeek(person=person, week_start=week, answered=len(taken), distressing=sum(taken),
                                longest_streak=longest_streak(taken), recovery_taken_s=recovery.get(week, 0.0)))
    return out
