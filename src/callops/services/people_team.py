"""Whose people data a user may follow: managers (view_pii) everyone's, a team lead their own teams' agents
(by their people records, else the directory's team), an agent their own coaching; nobody else.

    warning_teams(conn, user)            # None (every team), a lead's teams, else PermissionDenied
    team_load / team_activities          # emotional load per week; huddle slots in the published rosters
    coaching_visible / record_coaching   # sessions one may read; recording one (a lead for their agents)
    nesting_visible / set_nesting / remove_nesting_for

The people pages and /api/people share these rules (they lived in the API's route module before).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import sqlalchemy as sa

from callops.errors import NotFound, PermissionDenied
from callops.people.activity_slots import activity_slots
from callops.people.nesting import NestingPlan
from callops.permissions import Permission, allowed
from callops.records import Role
from callops.services.people_records import (
    CoachingKind,
    add_coaching,
    all_stints,
    coaching_sessions,
    emotional_load,
    nesting_plans,
    remove_nesting_plan,
    save_nesting_plan,
)
from callops.store.directory import get_agent, list_agents, list_teams
from callops.store.rosters import published_shifts
from callops.store.users import User

__all__ = ["warning_teams", "team_members", "team_load", "team_activities", "coaching_visible",
           "record_coaching", "nesting_visible", "set_nesting", "remove_nesting_for"]


def warning_teams(conn: sa.Connection, user: User) -> set[str] | None:
    """Whose warnings ``user`` may see: every team (None) with view_pii, a lead's own teams, else nobody (403)."""
    if allowed(user.role, Permission.VIEW_PII):
        return None
    if user.role is Role.TEAM_LEAD:
        mine = {t.name for t in list_teams(conn) if t.lead == user.username}
        if mine:
            return mine
    raise PermissionDenied("the early-warning list is for managers and the agents' own team leads")


def team_members(conn: sa.Connection, teams: set[str] | None, *, first: dt.date, last: dt.date) -> list[str]:
    """People employed at some point in [first, last] whose team on their last day in it is one of ``teams``."""
    out = set()
    for stint in all_stints(conn):
        if stint.hire_on > last or (stint.exit_on is not None and stint.exit_on <= first):
            continue
        day = last if stint.exit_on is None or stint.exit_on > last else stint.exit_on - dt.timedelta(days=1)
        spell = stint.spell_on(day)
        if teams is None or (spell is not None and spell.team in teams):
            out.add(stint.person)
    return sorted(out)


def team_load(conn: sa.Connection, user: User, *, first: dt.date, last: dt.date,
              tz: zoneinfo.ZoneInfo) -> list[dict[str, object]]:
    """Emotional load of the people this user may follow (as warning_teams), per agent and week."""
    teams = warning_teams(conn, user)
    return [w.as_dict() for w in emotional_load(conn, team_members(conn, teams, first=first, last=last),
                                                first=first, last=last, tz=tz)]


def team_activities(conn: sa.Connection, user: User, *, first: dt.date, days: int,
                    tz: zoneinfo.ZoneInfo) -> list[dict[str, object]]:
    """The team activity slots (seed 003's huddle) in the published rosters of the people this user may follow
    (as warning_teams; a lead's: by their people records or the directory's team), from ``first`` for ``days``."""
    teams = warning_teams(conn, user)
    start = dt.datetime.combine(first, dt.time(), tz)
    end = start + dt.timedelta(days=days)
    shifts = published_shifts(conn, start.astimezone(dt.UTC), end.astimezone(dt.UTC))
    people = None
    if teams is not None:
        last = first + dt.timedelta(days=days - 1)
        people = set(team_members(conn, teams, first=first, last=last))
        people |= {a.agent_id for team in teams for a in list_agents(conn, team=team)}
    return [s.as_dict() for s in activity_slots(shifts, people, tz=tz)]


def coaching_visible(conn: sa.Connection, user: User) -> list[dict[str, object]]:
    """Sessions this user may read: every one (view_pii), a lead's teams' and their own sessions, an agent's own."""
    if allowed(user.role, Permission.VIEW_PII):
        return [s.as_dict() for s in coaching_sessions(conn)]
    if user.role is Role.TEAM_LEAD:
        teams = {t.name for t in list_teams(conn) if t.lead == user.username}
        members = set(team_members(conn, teams, first=dt.date.min, last=dt.date.max)) if teams else set()
        return [s.as_dict() for s in coaching_sessions(conn) if s.agent in members or s.lead == user.username]
    if user.agent_id is not None:
        return [s.as_dict() for s in coaching_sessions(conn, agent=user.agent_id)]
    raise PermissionDenied("coaching sessions are for managers, the agents' leads and the agents themselves")


def record_coaching(conn: sa.Connection, user: User, *, agent: str, held_on: dt.date, kind: CoachingKind,
                    topic: str, call_ids: tuple[int, ...] = (), evaluation_keys: tuple[str, ...] = (),
                    actions: str = "", follow_up_on: dt.date | None = None, now: dt.datetime) -> int:
    """A manager for anyone, a lead for the agents of their teams; the lead of the session is the user."""
    teams = warning_teams(conn, user)
    if teams is not None and agent not in team_members(conn, teams, first=held_on, last=held_on):
        raise PermissionDenied(f"{agent} is not in a team you lead on {held_on}")
    return add_coaching(conn, agent=agent, lead=user.username, held_on=held_on, kind=kind, topic=topic,
                        call_ids=call_ids, evaluation_keys=evaluation_keys, actions=actions,
                        follow_up_on=follow_up_on, actor=user.username, now=now)


def _may_follow(conn: sa.Connection, teams: set[str] | None, person: str, day: dt.date) -> bool:
    """Whether ``person`` is in ``teams`` on ``day`` (by their people record, else the directory's team)."""
    if teams is None:
        return True
    if person in team_members(conn, teams, first=day, last=day):
        return True
    try:
        return get_agent(conn, person).team in teams
    except NotFound:
        return False


def nesting_visible(conn: sa.Connection, user: User) -> list[NestingPlan]:
    """Nesting plans this user may read: every one (view_pii), a lead's teams' agents'; else 403."""
    teams = warning_teams(conn, user)
    plans = nesting_plans(conn)
    if teams is None:
        return plans
    return [p for p in plans if _may_follow(conn, teams, p.person, p.starts_on)]


def set_nesting(conn: sa.Connection, user: User, plan: NestingPlan, *, now: dt.datetime) -> bool:
    """A manager for anyone, a lead for the agents of their teams; audited as nesting.set."""
    if not _may_follow(conn, warning_teams(conn, user), plan.person, plan.starts_on):
        raise PermissionDenied(f"{plan.person} is not in a team you lead on {plan.starts_on}")
    return save_nesting_plan(conn, plan, actor=user.username, now=now)


def remove_nesting_for(conn: sa.Connection, user: User, person: str, starts_on: dt.date, *,
                       now: dt.datetime) -> None:
    """Remove a plan (a manager anyone's, a lead their teams' agents'); audited as nesting.removed."""
    if not _may_follow(conn, warning_teams(conn, user), person, starts_on):
        raise PermissionDenied(f"{person} is not in a team you lead on {starts_on}")
    remove_nesting_plan(conn, person, starts_on, actor=user.username, now=now)
