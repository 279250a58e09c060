"""Saved rosters, versioned by name like staffing plans; publishing a version makes it the one kept to.

Every save and publish is written to ``roster_changes`` (who, when, what). Adherence reads the shifts of
the newest published version of each roster that overlap a period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.errors import Conflict, NotFound
from callops.scheduling.adherence import StateSpan
from callops.scheduling.roster_model import RosterBreak, RosterShift
from callops.store.engine import new_id
from callops.store.schema import agent_intervals, roster_changes, roster_shifts, rosters

__all__ = ["StoredRoster", "list_rosters", "load_roster", "load_roster_id", "publish_roster", "published_shifts",
           "roster_history", "save_roster", "state_spans", "neighbour_shifts"]

MAX_SHIFTS = 200_000


@dataclass(frozen=True, slots=True)
class StoredRoster:
    roster_id: int
    name: str
    version: int
    created_at: dt.datetime
    created_by: str | None
    first_day: dt.date
    last_day: dt.date
    tz: str
    summary: dict[str, Any]
    published_at: dt.datetime | None
    published_by: str | None
    shifts: tuple[RosterShift, ...]


def _ms(t: dt.datetime) -> int:
    return round(t.timestamp() * 1000)


def _at(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def save_roster(conn: sa.Connection, name: str, shifts: list[RosterShift], *, first_day: dt.date, last_day: dt.date,
                tz: str, summary: dict[str, Any], now: dt.datetime, by: str | None) -> StoredRoster:
    """Store the shifts as the next version of ``name``; returns it."""
    if len(shifts) > MAX_SHIFTS:
        raise Conflict(f"a roster holds at most {MAX_SHIFTS} shifts")
    latest = conn.execute(sa.select(sa.func.max(rosters.c.version)).where(rosters.c.name == name)).scalar_one()
    version = (latest or 0) + 1
    roster_id = new_id(conn.execute(rosters.insert().values(
        name=name, version=version, created_at=now, created_by=by, first_day=first_day.isoformat(),
        last_day=last_day.isoformat(), tz=tz, summary=summary)))
    if shifts:
        conn.execute(roster_shifts.insert(), [{
            "roster_id": roster_id, "agent": s.agent, "start_at": s.start_at, "end_at": s.end_at,
            "breaks": [{"start_at_ms": _ms(b.start_at), "end_at_ms": _ms(b.end_at), "kind": b.kind, "paid": b.paid}
                       for b in s.breaks]} for s in shifts])
    conn.execute(roster_changes.insert().values(roster_id=roster_id, at=now, by=by, action="save",
                                                detail={"version": version, "shifts": len(shifts)}))
    return load_roster(conn, name, version)


def _shifts(conn: sa.Connection, roster_id: int, tz: str) -> tuple[RosterShift, ...]:
    import zoneinfo

    zone = zoneinfo.ZoneInfo(tz)
    rows = conn.execute(sa.select(roster_shifts).where(roster_shifts.c.roster_id == roster_id)
                        .order_by(roster_shifts.c.start_at, roster_shifts.c.agent))
    return tuple(RosterShift(r.agent, r.start_at.astimezone(zone), r.end_at.astimezone(zone), tuple(
        RosterBreak(_at(b["start_at_ms"]).astimezone(zone), _at(b["end_at_ms"]).astimezone(zone), b["kind"],
                    bool(b["paid"])) for b in r.breaks)) for r in rows)


def _stored(conn: sa.Connection, head: Any) -> StoredRoster:
    return StoredRoster(head.id, head.name, head.version, head.created_at, head.created_by,
                        dt.date.fromisoformat(head.first_day), dt.date.fromisoformat(head.last_day), head.tz,
                        dict(head.summary), head.published_at, head.published_by, _shifts(conn, head.id, head.tz))


def load_roster(conn: sa.Connection, name: str, version: int | None = None) -> StoredRoster:
    """The roster ``name`` at ``version`` (default: the newest)."""
    query = sa.select(rosters).where(rosters.c.name == name)
    query = query.where(rosters.c.version == version) if version else query.order_by(rosters.c.version.desc())
    head = conn.execute(query.limit(1)).first()
    if head is None:
        raise NotFound(f"no roster {name!r}" + (f" version {version}" if version else ""))
    return _stored(conn, head)


def publish_roster(conn: sa.Connection, name: str, version: int, *, now: dt.datetime, by: str | None) -> StoredRoster:
    """Publish ``version`` of ``name``: from now on it is the version adherence is measured against."""
    roster = load_roster(conn, name, version)
    conn.execute(rosters.update().where(rosters.c.id == roster.roster_id).values(published_at=now, published_by=by))
    conn.execute(roster_changes.insert().values(roster_id=roster.roster_id, at=now, by=by, action="publish",
                                                detail={"version": version}))
    return load_roster(conn, name, version)


def list_rosters(conn: sa.Connection) -> list[tuple[str, int, dt.datetime, dt.datetime | None]]:
    """(name, version, created_at, published_at) of every saved roster, newest first."""
    query = sa.select(rosters.c.name, rosters.c.version, rosters.c.created_at, rosters.c.published_at).order_by(
        rosters.c.created_at.desc(), rosters.c.version.desc())
    return [(r.name, r.version, r.created_at, r.published_at) for r in conn.execute(query)]


def roster_history(conn: sa.Connection, name: str) -> list[tuple[int, dt.datetime, str | None, str, dict[str, Any]]]:
    """(version, at, by, action, detail) of every change to the roster ``name``, oldest first."""
    query = (sa.select(rosters.c.version, roster_changes.c.at, roster_changes.c.by, roster_changes.c.action,
                       roster_changes.c.detail)
             .join(rosters, rosters.c.id == roster_changes.c.roster_id).where(rosters.c.name == name)
             .order_by(roster_changes.c.at, roster_changes.c.id))
    return [(r.version, r.at, r.by, r.action, dict(r.detail)) for r in conn.execute(query)]


def published_shifts(conn: sa.Connection, start_at: dt.datetime, end_at: dt.datetime) -> list[RosterShift]:
    """Shifts overlapping [start_at, end_at) of the newest published version of every roster."""
    newest = (sa.select(rosters.c.name, sa.func.max(rosters.c.version).label("version"))
              .where(rosters.c.published_at.is_not(None)).group_by(rosters.c.name).subquery())
    heads = conn.execute(sa.select(rosters.c.id, rosters.c.tz).join(
        newest, sa.and_(newest.c.name == rosters.c.name, newest.c.version == rosters.c.version))).all()
    out: list[RosterShift] = []
    for head in heads:
        out.extend(s for s in _shifts(conn, head.id, head.tz) if s.end_at > start_at and s.start_at < end_at)
    return out


def neighbour_shifts(conn: sa.Connection, agents: Collection[str], start_at: dt.datetime, end_at: dt.datetime, *,
                     other_than: str | None) -> list[RosterShift]:
    """Shifts of ``agents`` starting in [start_at, end_at) in the newest published version of every roster but
    ``other_than`` (None: every roster): what that roster is checked against across its edges."""
    if not agents:
        return []
    newest = (sa.select(rosters.c.name, sa.func.max(rosters.c.version).label("version"))
              .where(rosters.c.published_at.is_not(None),
                     sa.true() if other_than is None else rosters.c.name != other_than)
              .group_by(rosters.c.name).subquery())
    heads = (sa.select(rosters.c.id, rosters.c.tz)
             .join(newest, sa.and_(newest.c.name == rosters.c.name, newest.c.version == rosters.c.version))
             .subquery())
    rows = conn.execute(
        sa.select(roster_shifts, heads.c.tz).join(heads, heads.c.id == roster_shifts.c.roster_id)
        .where(roster_shifts.c.agent.in_(sorted(agents)), roster_shifts.c.start_at >= start_at,
               roster_shifts.c.start_at < end_at)
        .order_by(roster_shifts.c.start_at, roster_shifts.c.agent))
    import zoneinfo

    out: list[RosterShift] = []
    for r in rows:
        zone = zoneinfo.ZoneInfo(r.tz)
        out.append(RosterShift(r.agent, r.start_at.astimezone(zone), r.end_at.astimezone(zone), tuple(
            RosterBreak(_at(b["start_at_ms"]).astimezone(zone), _at(b["end_at_ms"]).astimezone(zone), b["kind"],
                        bool(b["paid"])) for b in r.breaks)))
    return out


def state_spans(conn: sa.Connection, start_at: dt.datetime, end_at: dt.datetime) -> list[StateSpan]:
    """Real agent state intervals (no simulated scenario) overlapping [start_at, end_at)."""
    query = (sa.select(agent_intervals.c.agent, agent_intervals.c.state, agent_intervals.c.start_at,
                       agent_intervals.c.end_at)
             .where(agent_intervals.c.scenario.is_(None), agent_intervals.c.start_at < end_at,
                    agent_intervals.c.end_at > start_at - dt.timedelta(days=1))
             .order_by(agent_intervals.c.agent, agent_intervals.c.start_at))
    return [StateSpan(r.agent, r.state, r.start_at, r.end_at) for r in conn.execute(query) if r.end_at > start_at]


def load_roster_id(conn: sa.Connection, roster_id: int) -> StoredRoster:
    """The saved roster version with id ``roster_id``."""
    head = conn.execute(sa.select(rosters).where(rosters.c.id == roster_id)).first()
    if head is None:
        raise NotFound(f"no roster with id {roster_id}")
    return _stored(conn, head)
