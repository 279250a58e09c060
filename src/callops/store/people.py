"""People records in the store: each person's position spells, linked to the agents directory; audited.

Saving a person's stints replaces their spells when they differ and writes one audit row
(``person.saved``, subject ``person:ID``) with the history before and after; an unchanged person is
left alone, so a re-import adds nothing. A person missing from the directory is added as an agent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import sqlalchemy as sa

from callops.people.history import build_stints
from callops.people.hr_csv import HistoryRow
from callops.people.records import ExitReason, Position, Spell, Stint
from callops.store.qa_reviews import list_audit, write_audit
from callops.store.schema import agents, person_spells, teams

__all__ = ["SaveReport", "save_people", "load_stints", "person_stints", "team_names", "person_audit",
           "stints_to_dicts", "import_history"]


@dataclass(frozen=True, slots=True)
class SaveReport:
    people: int
    changed: int
    unchanged: int
    spells: int
    agents_added: int


def team_names(conn: sa.Connection) -> set[str]:
    return set(conn.execute(sa.select(teams.c.name)).scalars())


def _spell_rows(person: str, stints: list[Stint]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for stint in stints:
        for i, spell in enumerate(stint.spells):
            last = i == len(stint.spells) - 1
            rows.append({"person": person, "start_on": spell.start_on, "end_on": spell.end_on, "team": spell.team,
                         "position": spell.position.value, "contract": spell.contract,
                         "exit_reason": stint.exit_reason.value if last and stint.exit_reason else None,
                         "destination": stint.destination if last else None})
    return rows


def stints_to_dicts(stints: list[Stint]) -> list[dict[str, Any]]:
    """The spells as plain rows (dates as ISO text), for audit details, JSON and forms."""
    return [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items() if k != "person"}
            for row in _spell_rows("", stints)]


def _stints_from_rows(person: str, rows: list[Any], leads: Mapping[str, str | None]) -> list[Stint]:
    stints: list[Stint] = []
    spells: list[Spell] = []
    for i, row in enumerate(rows):
        spells.append(Spell(start_on=row.start_on, end_on=row.end_on, team=row.team,
                            position=Position(row.position), contract=row.contract))
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        if nxt is None or row.end_on != nxt.start_on or row.exit_reason is not None:
            team = spells[-1].team
            stints.append(Stint(person=person, spells=tuple(spells),
                                exit_reason=ExitReason(row.exit_reason) if row.exit_reason else None,
                                destination=row.destination, lead=leads.get(team) if team else None))
            spells = []
    return stints


def _leads(conn: sa.Connection) -> dict[str, str | None]:
    return {r.name: r.lead for r in conn.execute(sa.select(teams.c.name, teams.c.lead))}


def load_stints(conn: sa.Connection, *, persons: Collection[str] | None = None,
                team: str | None = None) -> list[Stint]:
    """Every stored stint (of ``persons`` if given; of people who were ever in ``team`` if given)."""
    query = sa.select(person_spells).order_by(person_spells.c.person, person_spells.c.start_on)
    if persons is not None:
        query = query.where(person_spells.c.person.in_(list(persons)))
    if team is not None:
        members = sa.select(person_spells.c.person).where(person_spells.c.team == team)
        query = query.where(person_spells.c.person.in_(members))
    leads = _leads(conn)
    out: list[Stint] = []
    for person, rows in groupby(conn.execute(query), key=lambda r: r.person):
        out.extend(_stints_from_rows(person, list(rows), leads))
    return out


def person_stints(conn: sa.Connection, person: str) -> list[Stint]:
    return load_stints(conn, persons=[person])


def save_people(conn: sa.Connection, people: Mapping[str, list[Stint]], *, actor: str, now: dt.datetime,
                action: str = "person.saved") -> SaveReport:
    """Replace each named person's spells with ``people[person]`` where they differ; audited per person."""
    names = sorted(people)
    before: dict[str, list[dict[str, Any]]] = {}
    for stint_person, group in groupby(load_stints(conn, persons=names), key=lambda s: s.person):
        before[stint_person] = stints_to_dicts(list(group))
    known = {r.agent_id: r for r in conn.execute(sa.select(agents).where(agents.c.agent_id.in_(names)))}
    changed = spells = added = 0
    for person in names:
        stints = people[person]
        after = stints_to_dicts(stints)
        current = stints[-1].spells[-1] if stints else None
        employed = current is not None and stints[-1].exit_on is None
        team = current.team if current is not None else None
        agent = known.get(person)
        if agent is None:
            conn.execute(agents.insert().values(agent_id=person, name=person, team=team, active=employed))
            added += 1
        elif (agent.team, bool(agent.active)) != (team, employed):
            conn.execute(agents.update().where(agents.c.agent_id == person).values(team=team, active=employed))
        if before.get(person, []) == after:
            continue
        changed += 1
        conn.execute(person_spells.delete().where(person_spells.c.person == person))
        rows = _spell_rows(person, stints)
        if rows:
            conn.execute(person_spells.insert(), rows)
        spells += len(rows)
        write_audit(conn, at=now, actor=actor, action=action, subject=f"person:{person}",
                    details={"before": before.get(person, []), "after": after})
    return SaveReport(people=len(names), changed=changed, unchanged=len(names) - changed, spells=spells,
                      agents_added=added)


def person_audit(conn: sa.Connection, person: str) -> list[dict[str, Any]]:
    """The audit rows of one person's record, oldest first."""
    return [{"at": r.at.isoformat(), "actor": r.actor, "action": r.action, "details": r.details}
            for r in list_audit(conn, subject=f"person:{person}")]


def import_history(conn: sa.Connection, rows: list[HistoryRow], *, file: str, actor: str, now: dt.datetime,
                   column: dict[str, str] | None = None) -> SaveReport:
    """Validate history rows against the stored teams and save every person they name (one transaction)."""
    people = build_stints(rows, known_teams=team_names(conn), file=file, column=column)
    return save_people(conn, people, actor=actor, now=now, action="person.imported")
