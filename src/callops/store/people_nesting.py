"""Nesting plans (``callops.people.nesting``): stored, listed, removed; every change audited (``nesting.set``,
``nesting.removed`` on subject ``person:ID``), and the skills the router uses on a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import sqlalchemy as sa

from callops.errors import InvalidInput, NotFound
from callops.people.nesting import NestingPlan, check_no_overlap, check_plan, nesting_skills
from callops.store.qa_reviews import write_audit
from callops.store.schema import agents, nesting_plans

__all__ = ["save_nesting", "remove_nesting", "list_nesting", "routing_skills", "MAX_LISTED"]

MAX_LISTED = 2000


def _plan(row: sa.Row[tuple[object, ...]]) -> NestingPlan:
    m = row._mapping
    return NestingPlan(
        person=str(m["person"]),
        starts_on=m["starts_on"],
        ends_on=m["ends_on"],
        skills={str(k): int(v) for k, v in dict(m["skills"]).items()},
        buddy=m["buddy"],
        note=str(m["note"]),
    )


def list_nesting(
    conn: sa.Connection, *, person: str | None = None, on: dt.date | None = None, people: set[str] | None = None
) -> list[NestingPlan]:
    """Plans by person and start (of ``person``, of ``people``, or active ``on`` a day), at most ``MAX_LISTED``."""
    n = nesting_plans.c
    query = sa.select(nesting_plans).order_by(n.person, n.starts_on).limit(MAX_LISTED)
    if person is not None:
        query = query.where(n.person == person)
    if people is not None:
        query = query.where(n.person.in_(sorted(people)) if people else sa.false())
    if on is not None:
        query = query.where(n.starts_on <= on, n.ends_on > on)
    return [_plan(r) for r in conn.execute(query)]


def _known_agent(conn: sa.Connection, agent: str, field: str) -> None:
    if conn.execute(sa.select(agents.c.agent_id).where(agents.c.agent_id == agent)).first() is None:
        raise InvalidInput(f"no agent {agent!r} in the directory", field=field)


def save_nesting(conn: sa.Connection, plan: NestingPlan, *, actor: str, now: dt.datetime) -> bool:
    """Create or replace the person's plan starting ``plan.starts_on``; False when it was already so (nothing
    written). The person and the buddy must be agents; plans of a person must not overlap."""
    check_plan(plan)
    _known_agent(conn, plan.person, "person")
    if plan.buddy is not None:
        _known_agent(conn, plan.buddy, "buddy")
    existing = list_nesting(conn, person=plan.person)
    before = next((p for p in existing if p.starts_on == plan.starts_on), None)
    if before is not None and before.as_dict() == plan.as_dict():
        return False
    check_no_overlap([*(p for p in existing if p.starts_on != plan.starts_on), plan])
    n = nesting_plans.c
    conn.execute(nesting_plans.delete().where(n.person == plan.person, n.starts_on == plan.starts_on))
    conn.execute(
        nesting_plans.insert().values(
            person=plan.person,
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            skills=dict(plan.skills),
            buddy=plan.buddy,
            note=plan.note,
            created_by=actor,
            created_at=now,
        )
    )
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="nesting.set",
        subject=f"person:{plan.person}",
        details={"before": before.as_dict() if before else None, "after": plan.as_dict()},
    )
    return True


def remove_nesting(conn: sa.Connection, person: str, starts_on: dt.date, *, actor: str, now: dt.datetime) -> None:
    """Remove the person's plan starting ``starts_on`` (NotFound when there is none)."""
    before = next((p for p in list_nesting(conn, person=person) if p.starts_on == starts_on), None)
    if before is None:
        raise NotFound(f"{person} has no nesting starting {starts_on}")
    n = nesting_plans.c
    conn.execute(nesting_plans.delete().where(n.person == person, n.starts_on == starts_on))
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="nesting.removed",
        subject=f"person:{person}",
        details={"before": before.as_dict(), "after": None},
    )


def routing_skills(
    conn: sa.Connection, skills: Mapping[str, Mapping[str, int]], *, on: dt.date
) -> dict[str, dict[str, int]]:
    """Per agent of ``skills`` (the directory's), the skills routing uses ``on`` a day: a nesting plan's while
    one is active, else their own."""
    active: dict[str, list[NestingPlan]] = {}
    for plan in list_nesting(conn, on=on):
        active.setdefault(plan.person, []).append(plan)
    return {agent: nesting_skills(own, active.get(agent, ()), on) for agent, own in skills.items()}
