"""Agents' shift swaps and time-off requests on a published roster, and the changes they make to it.

A request moves through ``asked`` (a swap waits for the colleague) → ``accepted`` → ``approved``, or ends
``declined`` (colleague or approver said no), ``refused`` (the working-time rules forbid it; ``outcome``
names the rule) or ``withdrawn``. A time-off request starts ``accepted`` (no colleague). Approving applies the
change to the roster's shifts in place and writes it to ``roster_changes`` (who, when, what). Each status
change is conditional on the status it leaves, so two people deciding at once cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.errors import Conflict, NotFound
from callops.store.engine import new_id
from callops.store.schema import roster_changes, roster_requests, roster_shifts, rosters

__all__ = ["MAX_LISTED", "OPEN", "PublishedRoster", "RosterRequest", "add_request", "apply_swap", "apply_time_off",
           "get_request", "list_requests", "published_rosters", "set_request_status"]

OPEN = ("asked", "accepted")
MAX_LISTED = 500


@dataclass(frozen=True, slots=True)
class RosterRequest:
    request_id: int
    roster_id: int
    kind: str  # swap or time_off
    status: str
    agent: str
    start_at: dt.datetime
    other_agent: str | None
    other_start_at: dt.datetime | None
    note: str
    created_at: dt.datetime
    created_by: str | None
    answered_at: dt.datetime | None
    decided_at: dt.datetime | None
    decided_by: str | None
    outcome: dict[str, Any]

    @property
    def agents(self) -> tuple[str, ...]:
        return (self.agent,) if self.other_agent is None else (self.agent, self.other_agent)


@dataclass(frozen=True, slots=True)
class PublishedRoster:
    roster_id: int
    name: str
    version: int
    first_day: dt.date
    last_day: dt.date
    tz: str


def published_rosters(conn: sa.Connection, *, covering: tuple[dt.date, dt.date] | None = None) -> list[PublishedRoster]:
    """The newest published version of every roster (those overlapping ``covering``, when given), newest first."""
    newest = (sa.select(rosters.c.name, sa.func.max(rosters.c.version).label("version"))
              .where(rosters.c.published_at.is_not(None)).group_by(rosters.c.name).subquery())
    query = sa.select(rosters).join(newest, sa.and_(newest.c.name == rosters.c.name,
                                                    newest.c.version == rosters.c.version))
    if covering is not None:
        query = query.where(rosters.c.first_day <= covering[1].isoformat(),
                            rosters.c.last_day >= covering[0].isoformat())
    rows = conn.execute(query.order_by(rosters.c.first_day.desc(), rosters.c.name)).all()
    return [PublishedRoster(r.id, r.name, r.version, dt.date.fromisoformat(r.first_day),
                            dt.date.fromisoformat(r.last_day), r.tz) for r in rows]


def _request(r: Any) -> RosterRequest:
    return RosterRequest(r.id, r.roster_id, r.kind, r.status, r.agent, r.start_at, r.other_agent, r.other_start_at,
                         r.note, r.created_at, r.created_by, r.answered_at, r.decided_at, r.decided_by,
                         dict(r.outcome))


def add_request(conn: sa.Connection, *, roster_id: int, kind: str, agent: str, start_at: dt.datetime,
                other_agent: str | None, other_start_at: dt.datetime | None, note: str, now: dt.datetime,
                by: str | None) -> RosterRequest:
    status = "asked" if kind == "swap" else "accepted"
    request_id = new_id(conn.execute(roster_requests.insert().values(
        roster_id=roster_id, kind=kind, status=status, agent=agent, start_at=start_at, other_agent=other_agent,
        other_start_at=other_start_at, note=note, created_at=now, created_by=by, outcome={})))
    return get_request(conn, request_id)


def get_request(conn: sa.Connection, request_id: int) -> RosterRequest:
    row = conn.execute(sa.select(roster_requests).where(roster_requests.c.id == request_id)).first()
    if row is None:
        raise NotFound(f"no roster request {request_id}")
    return _request(row)


def list_requests(conn: sa.Connection, *, agents: Collection[str] | None = None, statuses: Collection[str] = (),
                  roster_id: int | None = None) -> list[RosterRequest]:
    """Requests naming one of ``agents`` (None: everyone's), newest first, at most ``MAX_LISTED``."""
    query = sa.select(roster_requests)
    if agents is not None:
        names = list(agents)
        query = query.where(sa.or_(roster_requests.c.agent.in_(names), roster_requests.c.other_agent.in_(names)))
    if statuses:
        query = query.where(roster_requests.c.status.in_(list(statuses)))
    if roster_id is not None:
        query = query.where(roster_requests.c.roster_id == roster_id)
    return [_request(r) for r in conn.execute(query.order_by(roster_requests.c.id.desc()).limit(MAX_LISTED))]


def set_request_status(conn: sa.Connection, request_id: int, *, expected: Collection[str], status: str,
                       now: dt.datetime, by: str | None, answered: bool = False,
                       outcome: dict[str, Any] | None = None) -> RosterRequest:
    """Move the request from one of ``expected`` to ``status``; Conflict when someone moved it first."""
    values: dict[str, Any] = {"status": status}
    if answered:
        values["answered_at"] = now
    else:
        values.update(decided_at=now, decided_by=by)
    if outcome is not None:
        values["outcome"] = outcome
    result = conn.execute(roster_requests.update().where(roster_requests.c.id == request_id,
                                                         roster_requests.c.status.in_(list(expected))).values(**values))
    if not result.rowcount:
        current = get_request(conn, request_id)
        raise Conflict(f"request {request_id} is {current.status} already")
    return get_request(conn, request_id)


def _shift_row(conn: sa.Connection, roster_id: int, agent: str, start_at: dt.datetime) -> Any:
    row = conn.execute(sa.select(roster_shifts).where(
        roster_shifts.c.roster_id == roster_id, roster_shifts.c.agent == agent,
        roster_shifts.c.start_at == start_at)).first()
    if row is None:
        raise Conflict(f"{agent} no longer has the shift starting {start_at.isoformat()}: the roster changed")
    return row


def apply_swap(conn: sa.Connection, request: RosterRequest, *, now: dt.datetime, by: str | None) -> None:
    """Give the asker's shift to the colleague and the colleague's to the asker; logged as ``swap``."""
    assert request.other_agent is not None and request.other_start_at is not None, "a swap names both shifts"
    mine = _shift_row(conn, request.roster_id, request.agent, request.start_at)
    theirs = _shift_row(conn, request.roster_id, request.other_agent, request.other_start_at)
    for row in (mine, theirs):
        conn.execute(roster_shifts.delete().where(roster_shifts.c.roster_id == request.roster_id,
                                                  roster_shifts.c.agent == row.agent,
                                                  roster_shifts.c.start_at == row.start_at))
    conn.execute(roster_shifts.insert(), [
        {"roster_id": request.roster_id, "agent": new_agent, "start_at": row.start_at, "end_at": row.end_at,
         "breaks": row.breaks} for row, new_agent in ((mine, request.other_agent), (theirs, request.agent))])
    conn.execute(roster_changes.insert().values(roster_id=request.roster_id, at=now, by=by, action="swap", detail={
        "request": request.request_id, "agent": request.agent, "start": request.start_at.isoformat(),
        "end": mine.end_at.isoformat(), "other_agent": request.other_agent,
        "other_start": request.other_start_at.isoformat(), "other_end": theirs.end_at.isoformat()}))


def apply_time_off(conn: sa.Connection, request: RosterRequest, *, now: dt.datetime, by: str | None) -> None:
    """Take the asker's shift off the roster; logged as ``time_off`` with the shift removed."""
    row = _shift_row(conn, request.roster_id, request.agent, request.start_at)
    conn.execute(roster_shifts.delete().where(roster_shifts.c.roster_id == request.roster_id,
                                              roster_shifts.c.agent == request.agent,
                                              roster_shifts.c.start_at == request.start_at))
    conn.execute(roster_changes.insert().values(roster_id=request.roster_id, at=now, by=by, action="time_off", detail={
        "request": request.request_id, "agent": request.agent, "start": request.start_at.isoformat(),
        "end": row.end_at.isoformat(), "breaks": row.breaks}))
