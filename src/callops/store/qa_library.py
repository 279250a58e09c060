"""The best-call library (anonymous nominations, votes, the supervisor's pick), QA-duty rotation, site settings.

Nominators are stored so one person nominates a call once; the functions that list the library never
return them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.errors import Conflict, NotFound
from callops.store.engine import new_id
from callops.store.schema import qa_duty, qa_nominations, qa_votes, site_settings

__all__ = ["LibraryEntry", "Duty", "nominate", "vote", "pick", "library", "grant_duty", "list_duty", "on_duty",
           "get_setting", "set_setting"]


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """One nominated call: the reasons given (without who gave them), votes and the supervisor's pick."""

    call_pk: int
    nominations: int
    reasons: tuple[str, ...]
    votes: int
    picked: bool
    picked_at: dt.datetime | None
    first_nomination_id: int


@dataclass(frozen=True, slots=True)
class Duty:
    duty_id: int
    username: str
    start_at: dt.datetime
    end_at: dt.datetime
    granted_by: str


def nominate(conn: sa.Connection, call_pk: int, *, nominator: str, reason: str, at: dt.datetime) -> int:
    exists = conn.execute(sa.select(qa_nominations.c.id).where(qa_nominations.c.call_id == call_pk,
                                                               qa_nominations.c.nominator == nominator)).first()
    if exists is not None:
        raise Conflict("you nominated this call already")
    return new_id(conn.execute(qa_nominations.insert().values(call_id=call_pk, nominator=nominator, reason=reason,
                                                               created_at=at)))


def _first_nomination(conn: sa.Connection, call_pk: int) -> int:
    found = conn.execute(sa.select(sa.func.min(qa_nominations.c.id)).where(qa_nominations.c.call_id == call_pk))
    first = found.scalar_one()
    if first is None:
        raise NotFound(f"call {call_pk} is not nominated")
    return int(first)


def vote(conn: sa.Connection, call_pk: int, *, voter: str, at: dt.datetime) -> None:
    """One vote per person per nominated call (kept on its first nomination)."""
    nomination = _first_nomination(conn, call_pk)
    exists = conn.execute(sa.select(qa_votes.c.voter).where(qa_votes.c.nomination_id == nomination,
                                                            qa_votes.c.voter == voter)).first()
    if exists is not None:
        raise Conflict("you voted for this call already")
    conn.execute(qa_votes.insert().values(nomination_id=nomination, voter=voter, created_at=at))


def pick(conn: sa.Connection, call_pk: int, *, by: str, at: dt.datetime) -> None:
    _first_nomination(conn, call_pk)
    conn.execute(qa_nominations.update().where(qa_nominations.c.call_id == call_pk)
                 .values(picked_by=by, picked_at=at))


def library(conn: sa.Connection, *, picked_only: bool = False) -> list[LibraryEntry]:
    """Nominated calls, picked first, then by votes; nominators are not part of the answer."""
    rows = conn.execute(sa.select(qa_nominations.c.id, qa_nominations.c.call_id, qa_nominations.c.reason,
                                  qa_nominations.c.picked_at).order_by(qa_nominations.c.id))
    grouped: dict[int, list[Any]] = {}
    for r in rows:
        grouped.setdefault(int(r.call_id), []).append(r)
    counted = conn.execute(sa.select(qa_votes.c.nomination_id, sa.func.count()).group_by(qa_votes.c.nomination_id))
    votes = {int(r[0]): int(r[1]) for r in counted}
    out = []
    for call_pk, noms in grouped.items():
        first = int(noms[0].id)
        picked_at = noms[0].picked_at
        if picked_only and picked_at is None:
            continue
        out.append(LibraryEntry(call_pk, len(noms), tuple(n.reason for n in noms), int(votes.get(first, 0)),
                                picked_at is not None, picked_at, first))
    return sorted(out, key=lambda e: (not e.picked, -e.votes, -e.nominations, e.call_pk))


def grant_duty(conn: sa.Connection, username: str, *, start_at: dt.datetime, end_at: dt.datetime,
               granted_by: str) -> Duty:
    result = conn.execute(qa_duty.insert().values(username=username, start_at=start_at, end_at=end_at,
                                                  granted_by=granted_by))
    return Duty(new_id(result), username, start_at, end_at, granted_by)


def list_duty(conn: sa.Connection) -> list[Duty]:
    rows = conn.execute(sa.select(qa_duty).order_by(qa_duty.c.start_at.desc(), qa_duty.c.id))
    return [Duty(int(r.id), r.username, r.start_at, r.end_at, r.granted_by) for r in rows]


def on_duty(conn: sa.Connection, at: dt.datetime) -> set[str]:
    """Users holding QA duty at ``at``."""
    rows = conn.execute(sa.select(qa_duty.c.username).where(qa_duty.c.start_at <= at, qa_duty.c.end_at > at))
    return set(rows.scalars())


def get_setting(conn: sa.Connection, key: str, default: Any = None) -> Any:
    row = conn.execute(sa.select(site_settings.c.value).where(site_settings.c.key == key)).first()
    return default if row is None else row.value


def set_setting(conn: sa.Connection, key: str, value: Any) -> None:
    done = conn.execute(site_settings.update().where(site_settings.c.key == key).values(value=value))
    if done.rowcount == 0:
        conn.execute(site_settings.insert().values(key=key, value=value))
