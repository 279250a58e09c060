"""Shift swaps and time off: an agent asks, the colleague accepts (a swap), a lead or planner approves.

Every step checks the working-time rules on the roster as it would be after the change (``roster_check``, the
same checker as ``callops roster check``): a change that brings in a violation is refused naming the rule,
agent and day. Rights come from ``callops.permissions``: only the agent asks for their own shift, only the
colleague accepts, ``approve_shift_changes`` decides, and a team lead only for agents of the teams they lead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.errors import Conflict, InvalidInput, PermissionDenied
from callops.permissions import Permission, allowed, require
from callops.scheduling.roster_check import Violation
from callops.scheduling.roster_edits import introduced, swapped, without
from callops.scheduling.roster_model import RosterShift
from callops.services.roster_views import check_shifts, coverage, edge_shifts
from callops.services.team_scope import team_scope
from callops.store.roster_builds import load_inputs
from callops.store.roster_requests import (
    OPEN,
    RosterRequest,
    add_request,
    apply_swap,
    apply_time_off,
    get_request,
    list_requests,
    published_rosters,
    set_request_status,
)
from callops.store.rosters import StoredRoster, load_roster_id
from callops.store.users import User

__all__ = ["MAX_NOTE", "Decision", "accept_swap", "approver_scope", "ask", "decide", "request_json", "requests_for",
           "roster_by_id", "shortfall_change", "violation_json", "withdraw"]

MAX_NOTE = 500


def roster_by_id(conn: sa.Connection, roster_id: int) -> StoredRoster:
    """The saved roster version ``roster_id`` with its shifts (NotFound without one): the roster a published
    head names, as the schedule and team pages show it."""
    return load_roster_id(conn, roster_id)


@dataclass(frozen=True, slots=True)
class Decision:
    """What a step did: the request as it is now, and the violations that refused it (empty when it went on)."""

    request: RosterRequest
    violations: tuple[Violation, ...] = ()


def violation_json(v: Violation) -> dict[str, str]:
    return {"agent": v.agent, "rule": v.rule, "date": v.date.isoformat(), "detail": v.detail}


def _own_agent(user: User) -> str:
    if not user.agent_id:
        raise PermissionDenied(f"user {user.username} is not linked to an agent")
    return user.agent_id


def _current(conn: sa.Connection, roster_id: int) -> StoredRoster:
    """The roster, which must still be the newest published version of its name."""
    roster = load_roster_id(conn, roster_id)
    if not any(p.roster_id == roster_id for p in published_rosters(conn)):
        raise Conflict(f"roster {roster.name} version {roster.version} is not the published version any more")
    return roster


def _at(roster: StoredRoster, agent: str, start: dt.datetime, field: str) -> dt.datetime:
    for s in roster.shifts:
        if s.agent == agent and s.start_at == start:
            return s.start_at
    raise InvalidInput(f"{agent} has no shift starting {start.isoformat()} in roster {roster.name}", field=field)


def _changed(roster: StoredRoster, req: RosterRequest) -> list[RosterShift]:
    """The roster's shifts as the request would leave them; Conflict when a shift it names is gone."""
    try:
        if req.kind == "swap":
            assert req.other_agent is not None and req.other_start_at is not None, "a swap names both shifts"
            return swapped(roster.shifts, req.agent, req.start_at, req.other_agent, req.other_start_at)
        return without(roster.shifts, req.agent, req.start_at)
    except LookupError as exc:
        raise Conflict(f"{exc}: the roster changed since the request") from None


def shortfall_change(conn: sa.Connection, req: RosterRequest) -> tuple[float, float] | None:
    """The roster's shortfall (agent-intervals below the requirement) before and after the request's change, for
    the approver; None when it cannot be told (no inputs kept, or the roster changed)."""
    roster = load_roster_id(conn, req.roster_id)
    inputs = load_inputs(conn, roster.roster_id, roster.tz)
    if inputs is None:
        return None
    try:
        after = _changed(roster, req)
    except Conflict:
        return None
    return (sum(p.gap for p in coverage(roster, inputs, roster.shifts)),
            sum(p.gap for p in coverage(roster, inputs, after)))


def _breaks(conn: sa.Connection, roster: StoredRoster, req: RosterRequest) -> list[Violation]:
    """The violations the request's change would bring into the roster (none: it may go on)."""
    inputs = load_inputs(conn, roster.roster_id, roster.tz)
    if inputs is None:
        raise Conflict(f"roster {roster.name} version {roster.version} was saved without its agents' contracts, so "
                       "no change to it can be checked against the rules; rebuild it (web or roster solve --save)")
    after = _changed(roster, req)
    involved = set(req.agents)
    around = edge_shifts(conn, roster, involved)  # the weeks before and after, from the other published rosters
    before = [v for v in check_shifts(roster, inputs, roster.shifts, context=around) if v.agent in involved]
    return [v for v in introduced(before, check_shifts(roster, inputs, after, context=around))
            if v.agent in involved]


def _refuse(conn: sa.Connection, req: RosterRequest, violations: list[Violation], *, expected: tuple[str, ...],
            now: dt.datetime, by: str | None) -> Decision:
    outcome = {"violations": [violation_json(v) for v in violations]}
    done = set_request_status(conn, req.request_id, expected=expected, status="refused", now=now, by=by,
                              outcome=outcome)
    return Decision(done, tuple(violations))


def ask(conn: sa.Connection, user: User, *, roster_id: int, kind: str, start_at: dt.datetime,
        other_agent: str | None, other_start_at: dt.datetime | None, note: str,
        now: dt.datetime) -> Decision:
    """The user's agent asks to swap one of their shifts with a colleague's, or for the day of one off.

    A change that would break a rule is not kept: the Decision names the violations and nothing is saved."""
    agent = _own_agent(user)
    if kind not in ("swap", "time_off"):
        raise InvalidInput("kind is swap or time_off", field="kind")
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"at most {MAX_NOTE} characters", field="note")
    roster = _current(conn, roster_id)
    start = _at(roster, agent, start_at, "start")
    other: str | None = None
    other_start: dt.datetime | None = None
    if kind == "swap":
        if not other_agent:
            raise InvalidInput("pick the colleague's shift to swap with", field="other_start")
        if other_agent == agent:
            raise InvalidInput("a swap is with another agent", field="other_agent")
        if other_start_at is None:
            raise InvalidInput("pick the colleague's shift to swap with", field="other_start")
        other, other_start = other_agent, _at(roster, other_agent, other_start_at, "other_start")
    pending = [r for r in list_requests(conn, agents=[agent], statuses=OPEN, roster_id=roster_id)
               if (r.agent, r.start_at) == (agent, start) or (r.other_agent, r.other_start_at) == (agent, start)]
    if pending:
        raise Conflict(f"request {pending[0].request_id} about this shift is still open")
    draft = RosterRequest(0, roster_id, kind, "draft", agent, start, other, other_start, note, now, user.username,
                          None, None, None, {})
    violations = _breaks(conn, roster, draft)
    if violations:
        return Decision(draft, tuple(violations))
    made = add_request(conn, roster_id=roster_id, kind=kind, agent=agent, start_at=start, other_agent=other,
                       other_start_at=other_start, note=note.strip(), now=now, by=user.username)
    return Decision(made)


def accept_swap(conn: sa.Connection, user: User, request_id: int, *, accept: bool, now: dt.datetime) -> Decision:
    """The colleague named in a swap accepts (then it waits for approval) or declines it."""
    req = get_request(conn, request_id)
    if req.kind != "swap" or req.other_agent != user.agent_id:
        raise PermissionDenied("only the colleague named in a swap answers it")
    if req.status != "asked":
        raise Conflict(f"request {request_id} is {req.status} already")
    if not accept:
        return Decision(set_request_status(conn, request_id, expected=("asked",), status="declined", now=now,
                                           by=user.username, answered=True))
    violations = _breaks(conn, _current(conn, req.roster_id), req)
    if violations:
        return _refuse(conn, req, violations, expected=("asked",), now=now, by=user.username)
    return Decision(set_request_status(conn, request_id, expected=("asked",), status="accepted", now=now,
                                       by=user.username, answered=True))


def approver_scope(conn: sa.Connection, user: User) -> frozenset[str] | None:
    """The agents whose requests ``user`` may decide: None for all; a team lead, their teams' agents."""
    require(user.role, Permission.APPROVE_SHIFT_CHANGES)
    return team_scope(conn, user)


def decide(conn: sa.Connection, user: User, request_id: int, *, approve: bool, now: dt.datetime,
           reason: str = "") -> Decision:
    """Approve (checked against every rule again, then applied and logged) or decline an accepted request."""
    scope = approver_scope(conn, user)
    req = get_request(conn, request_id)
    if scope is not None and not set(req.agents) <= scope:
        raise PermissionDenied(f"request {request_id} names an agent outside the teams {user.username} leads")
    if req.status != "accepted":
        raise Conflict(f"request {request_id} is {req.status}; only an accepted request is decided")
    if len(reason) > MAX_NOTE:
        raise InvalidInput(f"at most {MAX_NOTE} characters", field="reason")
    if not approve:
        return Decision(set_request_status(conn, request_id, expected=("accepted",), status="declined", now=now,
                                           by=user.username, outcome={"reason": reason.strip()}))
    roster = _current(conn, req.roster_id)
    violations = _breaks(conn, roster, req)
    if violations:
        return _refuse(conn, req, violations, expected=("accepted",), now=now, by=user.username)
    done = set_request_status(conn, request_id, expected=("accepted",), status="approved", now=now,
                              by=user.username)
    (apply_swap if req.kind == "swap" else apply_time_off)(conn, done, now=now, by=user.username)
    return Decision(done)


def withdraw(conn: sa.Connection, user: User, request_id: int, *, now: dt.datetime) -> RosterRequest:
    req = get_request(conn, request_id)
    if req.agent != user.agent_id:
        raise PermissionDenied("only the agent who asked withdraws a request")
    return set_request_status(conn, request_id, expected=OPEN, status="withdrawn", now=now, by=user.username)


def requests_for(conn: sa.Connection, user: User) -> dict[str, list[RosterRequest]]:
    """What the user sees: ``mine`` (asked by or of their agent) and ``to_decide`` (accepted ones in their scope)."""
    out: dict[str, list[RosterRequest]] = {"mine": [], "to_decide": []}
    if user.agent_id:
        out["mine"] = list_requests(conn, agents=[user.agent_id])
    if allowed(user.role, Permission.APPROVE_SHIFT_CHANGES):
        scope = approver_scope(conn, user)
        out["to_decide"] = [r for r in list_requests(conn, agents=scope, statuses=("accepted",))
                            if scope is None or set(r.agents) <= scope]
    return out


def request_json(r: RosterRequest) -> dict[str, Any]:
    return {"id": r.request_id, "roster_id": r.roster_id, "kind": r.kind, "status": r.status, "agent": r.agent,
            "start": r.start_at.isoformat(), "other_agent": r.other_agent,
            "other_start": None if r.other_start_at is None else r.other_start_at.isoformat(), "note": r.note,
            "created_at": r.created_at.isoformat(), "decided_by": r.decided_by, "outcome": r.outcome}

