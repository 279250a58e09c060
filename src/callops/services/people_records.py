"""People records as the CLI, the pages and the API read and change them: one module between the edges and the
people tables (``store.people``, ``people_activity``, ``people_coaching``, ``people_nesting``, ``people_signals``).

    all_stints(conn)                              # every stored stint (hire to exit, with its spells)
    read_person(conn, person)                     # one person's stints, spells as rows, audit
    save_person(conn, person, rows, actor=, now=) # replace one person's spells (the record page's form)
    import_people(conn, rows, file=, actor=, now=)  # an HR file, all people at once
    hire_ramp(conn, hires, tz=, weeks=)           # ramp curves of hire cohorts
    early_warning(conn, as_of=, tz=, teams=)      # the warning model and agents by risk
    emotional_load(conn, persons, first=, last=, tz=)
    coaching_sessions / add_coaching, nesting_plans / save_nesting_plan / remove_nesting_plan

Who may read or change whose records is ``callops.services.people_team``'s work; the CLI acts for the site.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.people import HistoryRow, Stint, build_stints
from callops.people.load import LoadWeek
from callops.people.nesting import NestingPlan
from callops.people.ramp import RampPoint, ramp_curves
from callops.store.directory import list_teams
from callops.store.people import (
    SaveReport,
    import_history,
    load_stints,
    person_audit,
    person_stints,
    save_people,
    stints_to_dicts,
    team_names,
)
from callops.store.people_activity import load_weeks, ramp_totals
from callops.store.people_coaching import CoachingKind, CoachingSession, add_session, list_sessions
from callops.store.people_nesting import list_nesting, remove_nesting, save_nesting
from callops.store.people_signals import warning_report

__all__ = ["CoachingKind", "CoachingSession", "LoadWeek", "PersonRecord", "SaveReport", "add_coaching",
           "coaching_sessions", "early_warning", "emotional_load", "hire_ramp", "import_people", "nesting_plans",
           "read_person", "remove_nesting_plan", "save_nesting_plan", "save_person", "all_stints", "team_choices"]


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One person's stints, their spells as plain rows (dates as ISO text) and the audit of changes."""

    person: str
    stints: list[Stint]
    spells: list[dict[str, Any]]
    audit: list[dict[str, Any]]


def all_stints(conn: sa.Connection, *, persons: Collection[str] | None = None) -> list[Stint]:
    """Every stored stint (of ``persons`` if given), by person and hire day."""
    return load_stints(conn, persons=persons)


def read_person(conn: sa.Connection, person: str, *, with_audit: bool = True) -> PersonRecord:
    """The person's record (empty lists when there is none)."""
    found = person_stints(conn, person)
    return PersonRecord(person=person, stints=found, spells=stints_to_dicts(found),
                        audit=person_audit(conn, person) if with_audit else [])


def team_choices(conn: sa.Connection) -> list[str]:
    """The directory's team names, for a form's choices."""
    return [t.name for t in list_teams(conn)]


def save_person(conn: sa.Connection, person: str, rows: list[HistoryRow], *, actor: str, now: dt.datetime,
                file: str = "form", column: dict[str, str] | None = None) -> SaveReport:
    """Replace ``person``'s spells with ``rows`` (validated against the stored teams); audited as person.edited."""
    built = build_stints(rows, known_teams=team_names(conn), file=file, column=column).get(person, [])
    return save_people(conn, {person: built}, actor=actor, now=now, action="person.edited")


def import_people(conn: sa.Connection, rows: list[HistoryRow], *, file: str, actor: str, now: dt.datetime,
                  column: dict[str, str] | None = None) -> SaveReport:
    """Validate an HR file's rows against the stored teams and save every person they name."""
    return import_history(conn, rows, file=file, actor=actor, now=now, column=column)


def hire_ramp(conn: sa.Connection, hires: Sequence[Stint], *, tz: zoneinfo.ZoneInfo,
              weeks: int = 13) -> list[RampPoint]:
    """The ramp curves (per hire-month cohort and week of tenure) of ``hires``."""
    return ramp_curves(ramp_totals(conn, hires, tz=tz, weeks=weeks))


def early_warning(conn: sa.Connection, *, as_of: dt.date, tz: zoneinfo.ZoneInfo,
                  teams: set[str] | None = None) -> dict[str, Any]:
    """The early-warning model fitted up to ``as_of`` and the agents employed that day (of ``teams``) by risk."""
    return warning_report(conn, as_of=as_of, tz=tz, teams=teams)


def emotional_load(conn: sa.Connection, persons: Sequence[str], *, first: dt.date, last: dt.date,
                   tz: zoneinfo.ZoneInfo) -> list[LoadWeek]:
    """Per person and local week between the days: distressing calls, streaks, recovery taken."""
    return load_weeks(conn, persons, date_from=first, date_to=last, tz=tz)


def coaching_sessions(conn: sa.Connection, *, agent: str | None = None,
                      lead: str | None = None) -> list[CoachingSession]:
    """Coaching sessions newest first (of one agent, or held by one lead)."""
    return list_sessions(conn, agent=agent, lead=lead)


def add_coaching(conn: sa.Connection, *, agent: str, lead: str, held_on: dt.date, kind: CoachingKind, topic: str,
                 call_ids: tuple[int, ...] = (), evaluation_keys: tuple[str, ...] = (), actions: str = "",
                 follow_up_on: dt.date | None = None, actor: str, now: dt.datetime) -> int:
    """Record a coaching session (the agent, linked calls and evaluations must exist); its id."""
    return add_session(conn, agent=agent, lead=lead, held_on=held_on, kind=kind, topic=topic, call_ids=call_ids,
                       evaluation_keys=evaluation_keys, actions=actions, follow_up_on=follow_up_on, actor=actor,
                       now=now)


def nesting_plans(conn: sa.Connection, *, person: str | None = None, on: dt.date | None = None) -> list[NestingPlan]:
    """Nesting plans (of one person; lasting on one day)."""
    return list_nesting(conn, person=person, on=on)


def save_nesting_plan(conn: sa.Connection, plan: NestingPlan, *, actor: str, now: dt.datetime) -> bool:
    """Create or replace a plan (audited); False when it was already so."""
    return save_nesting(conn, plan, actor=actor, now=now)


def remove_nesting_plan(conn: sa.Connection, person: str, starts_on: dt.date, *, actor: str,
                        now: dt.datetime) -> None:
    """Remove the person's plan starting ``starts_on`` (``NotFound`` when there is none; audited)."""
    remove_nesting(conn, person, starts_on, actor=actor, now=now)
