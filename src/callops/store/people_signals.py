"""The early-warning signals of each stint, read from what callops already stores, and the warning report.

Window: the 90 days before the stint's exit date, or before the day after ``as_of`` while it lasts,
as local days of the site's zone. Real data only (``scenario IS NULL``). What each signal means is
in ``callops.people.warning``. ``adherence_drop`` counts adherence as the roster KPI does
(``callops.scheduling.adherence``: the newest published rosters' shifts against the agent's real states).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.people.load import RECOVERY_DUE_S
from callops.people.records import Stint
from callops.people.warning import TrainingRow, fit_warning_model, rank_agents
from callops.records import AgentState, IssueCategory, Outcome
from callops.scheduling.adherence import StateSpan, adherence, total
from callops.scheduling.roster_model import RosterShift
from callops.store.people import load_stints
from callops.store.rosters import published_shifts
from callops.store.schema import agent_intervals, calls, qa_appeals, qa_evaluations

__all__ = ["WINDOW_DAYS", "RECENT_DAYS", "RECOVERY_DUE_S", "MAX_STINTS", "adherence_drop", "stint_signals",
           "warning_report"]

WINDOW_DAYS = 90
RECENT_DAYS = 30  # adherence_drop: the window's last 30 days against the days before them
MAX_STINTS = 5000
_AWAY = (AgentState.AWAY.value, AgentState.BREAK.value)
_ANSWERED = (Outcome.ANSWERED.value, Outcome.TRANSFERRED.value)


def _ms(column: Any) -> Any:
    return sa.type_coerce(column, sa.BigInteger)


def _window(stint: Stint, as_of: dt.date, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime, dt.date]:
    end_day = stint.exit_on if stint.exit_on is not None and stint.exit_on <= as_of else as_of + dt.timedelta(days=1)
    start_day = max(end_day - dt.timedelta(days=WINDOW_DAYS), stint.hire_on)
    local = (dt.datetime.combine(start_day, dt.time(), tz), dt.datetime.combine(end_day, dt.time(), tz))
    return local[0].astimezone(dt.UTC), local[1].astimezone(dt.UTC), end_day


def adherence_drop(shifts: Sequence[RosterShift], states: Sequence[StateSpan], *, start_at: dt.datetime,
                   cut_at: dt.datetime, end_at: dt.datetime) -> float | None:
    """Adherence over [start_at, cut_at) minus adherence over [cut_at, end_at): positive when it fell. None unless
    both parts have scheduled time."""
    early = total(adherence(shifts, states, start_at=start_at, end_at=cut_at)[0]).adherence
    late = total(adherence(shifts, states, start_at=cut_at, end_at=end_at)[0]).adherence
    return None if early is None or late is None else early - late


def _agent_states(conn: sa.Connection, person: str, start: dt.datetime, end: dt.datetime) -> list[StateSpan]:
    ai = agent_intervals
    rows = conn.execute(
        sa.select(ai.c.state, ai.c.start_at, ai.c.end_at)
        .where(ai.c.agent == person, ai.c.scenario.is_(None), ai.c.start_at < end, ai.c.end_at > start)
        .order_by(ai.c.start_at))
    return [StateSpan(person, str(r.state), r.start_at, r.end_at) for r in rows]


def stint_signals(conn: sa.Connection, stint: Stint, *, as_of: dt.date, tz: zoneinfo.ZoneInfo,
                  shifts: Mapping[str, Sequence[RosterShift]] | None = None) -> dict[str, float | None]:
    """The seven signals of one stint over its window (None where the data has nothing to say). ``shifts``: the
    published shifts by agent (read here when not given; the warning report reads them once for every stint)."""
    start, end, end_day = _window(stint, as_of, tz)
    person = stint.person
    ai = agent_intervals
    states: dict[str, Any] = {str(state): total for state, total in conn.execute(
        sa.select(ai.c.state, sa.func.sum(_ms(ai.c.end_at) - _ms(ai.c.start_at)))
        .where(ai.c.agent == person, ai.c.scenario.is_(None), ai.c.start_at >= start, ai.c.start_at < end)
        .group_by(ai.c.state))}
    logged_ms = sum(float(v or 0) for s, v in states.items() if s != AgentState.LOGGED_OUT.value)
    away_ms = sum(float(states.get(s) or 0) for s in _AWAY)
    answered, complaints = conn.execute(
        sa.select(sa.func.count(), sa.func.count().filter(calls.c.issue_category == IssueCategory.COMPLAINT.value))
        .where(calls.c.agent == person, calls.c.scenario.is_(None), calls.c.outcome.in_(_ANSWERED),
               calls.c.started_at >= start, calls.c.started_at < end)).one()
    recovery_s = float(states.get(AgentState.RECOVERY.value) or 0) / 1000
    due_s = int(complaints) * RECOVERY_DUE_S
    latest: dict[str, tuple[int, dt.datetime, float]] = {}
    for key, version, at, score in conn.execute(
            sa.select(qa_evaluations.c.evaluation_key, qa_evaluations.c.version, qa_evaluations.c.created_at,
                      qa_evaluations.c.score)
            .where(qa_evaluations.c.agent == person, qa_evaluations.c.created_at >= start,
                   qa_evaluations.c.created_at < end)):
        if key not in latest or version > latest[key][0]:
            latest[key] = (int(version), at, float(score))
    appeals = conn.execute(sa.select(qa_appeals.c.state).where(
        qa_appeals.c.agent == person, qa_appeals.c.decided_at >= start, qa_appeals.c.decided_at < end)).scalars()
    tenure = (end_day - stint.hire_on).days
    if shifts is None:
        shifts = _shifts_by_agent(published_shifts(conn, start, end))
    mine = [sh for sh in shifts.get(person, ()) if sh.end_at > start and sh.start_at < end]
    cut = max(start, dt.datetime.combine(end_day - dt.timedelta(days=RECENT_DAYS), dt.time(), tz).astimezone(dt.UTC))
    drop = (adherence_drop(mine, _agent_states(conn, person, start, end), start_at=start, cut_at=cut, end_at=end)
            if mine else None)
    return {
        "away_share": away_ms / logged_ms if logged_ms > 0 else None,
        "qa_trend": _slope_per_30_days([(at, score) for _, at, score in latest.values()]),
        "appeals_lost": float(sum(1 for state in appeals if (state or {}).get("decision") == "rejected")),
        "distressing_share": int(complaints) / int(answered) if answered else None,
        "recovery_gap": max(0.0, 1 - recovery_s / due_s) if due_s > 0 else 0.0,
        "stuck_12_18": 1.0 if 365 <= tenure <= 547 and not stint.moved else 0.0,
        "adherence_drop": drop,
    }


def _shifts_by_agent(shifts: Sequence[RosterShift]) -> dict[str, list[RosterShift]]:
    out: dict[str, list[RosterShift]] = defaultdict(list)
    for sh in shifts:
        out[sh.agent].append(sh)
    return out


def _slope_per_30_days(points: Sequence[tuple[dt.datetime, float]]) -> float | None:
    """Least-squares slope of score over time, in points per 30 days; None under three evaluations."""
    if len(points) < 3:
        return None
    first = min(at for at, _ in points)
    xs = [(at - first).total_seconds() / 86_400 / 30 for at, _ in points]
    ys = [score for _, score in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return None if sxx == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def warning_report(conn: sa.Connection, *, as_of: dt.date, tz: zoneinfo.ZoneInfo,
                   teams: set[str] | None = None) -> dict[str, Any]:
    """Fit on every stint up to ``as_of``; list the agents employed that day (of ``teams`` if given) by risk."""
    stints = [s for s in load_stints(conn) if s.hire_on <= as_of]
    if len(stints) > MAX_STINTS:
        raise InvalidInput(f"more than {MAX_STINTS} stints; the warning model reads at most that many", field="as_of")
    shifts: dict[str, list[RosterShift]] = {}
    if stints:  # every published shift of the stints' windows, read once
        windows = [_window(s, as_of, tz) for s in stints]
        shifts = _shifts_by_agent(published_shifts(conn, min(w[0] for w in windows), max(w[1] for w in windows)))
    values = {(s.person, s.hire_on): stint_signals(conn, s, as_of=as_of, tz=tz, shifts=shifts) for s in stints}
    rows = [TrainingRow(s.person, values[(s.person, s.hire_on)], float(s.tenure_days(as_of)),
                        s.exit_on is not None and s.exit_on <= as_of) for s in stints]
    model = fit_warning_model(rows)
    current = {s.person: s for s in stints if s.employed_on(as_of)}
    if teams is not None:
        current = {p: s for p, s in current.items() if (spell := s.spell_on(as_of)) and spell.team in teams}
    ranked = rank_agents(model, {p: values[(s.person, s.hire_on)] for p, s in current.items()})
    agents = []
    for warning in ranked:
        stint = current[warning.person]
        spell = stint.spell_on(as_of)
        agents.append({**warning.as_dict(), "team": spell.team if spell else None, "lead": stint.lead,
                       "tenure_days": stint.tenure_days(as_of)})
    return {"as_of": as_of.isoformat(), "window_days": WINDOW_DAYS, "model": model.as_dict(), "agents": agents}
