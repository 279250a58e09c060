"""API: the people JSON of the CLI (attrition, survival, tenure, exits) and one person's record (view_pii); the
warning list, emotional load, coaching and nesting plans (managers; leads for their teams)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from callops.errors import InvalidInput, NotFound, PermissionDenied
from callops.people import attrition, survival_curves
from callops.people.activity_slots import activity_slots
from callops.people.nesting import NestingPlan
from callops.people.ramp import MAX_WEEKS, ramp_curves
from callops.people.tenure import exits_by_reason, released_destinations, tenure_distribution
from callops.permissions import Permission, allowed
from callops.records import Role
from callops.store.directory import get_agent, list_agents, list_teams
from callops.store.people import load_stints, person_audit, person_stints, stints_to_dicts
from callops.store.people_activity import load_weeks, ramp_totals
from callops.store.people_coaching import CoachingKind, add_session, list_sessions
from callops.store.people_nesting import list_nesting, remove_nesting, save_nesting
from callops.store.people_signals import warning_report
from callops.store.rosters import published_shifts
from callops.store.users import User
from callops.web.deps import ConnDep, CurrentUser, NowDep, SettingsDep, ViewerDep, require
from callops.web.filters import parse_date
from callops.web.routes.people_query import people_query

router = APIRouter(prefix="/api/people", tags=["people"])

PiiUser = Annotated[User, require(Permission.VIEW_PII)]
_Text = Annotated[str | None, Query(max_length=20)]


@router.get("/attrition")
def api_attrition(request: Request, conn: ConnDep, user: PiiUser, viewer: ViewerDep, now: NowDep,
                  to: _Text = None, grain: _Text = None, by: _Text = None) -> list[dict[str, object]]:
    """Rows as `callops people attrition --format json` (query: from, to, grain, by)."""
    query = people_query(today=now.astimezone(viewer.tz).date(), date_from=request.query_params.get("from"),
                         date_to=to, grain=grain, by=by, survival_by=None, as_of=None)
    rows = attrition(load_stints(conn), date_from=query.date_from, date_to=query.date_to, grain=query.grain,
                     by=query.by)
    return [r.as_dict(group_key=query.by.value if query.by else None) for r in rows]


@router.get("/survival")
def api_survival(request: Request, conn: ConnDep, user: PiiUser, viewer: ViewerDep, now: NowDep,
                 by: _Text = None, as_of: _Text = None) -> list[dict[str, object]]:
    """Curves as `callops people survival --format json` (query: by, as_of)."""
    query = people_query(today=now.astimezone(viewer.tz).date(), date_from=None, date_to=as_of, grain=None,
                         by=None, survival_by=by, as_of=as_of)
    return [c.as_dict() for c in survival_curves(load_stints(conn), as_of=query.as_of, by=query.survival_by)]


@router.get("/tenure")
def api_tenure(request: Request, conn: ConnDep, user: PiiUser, viewer: ViewerDep, now: NowDep,
               as_of: _Text = None) -> list[dict[str, object]]:
    query = people_query(today=now.astimezone(viewer.tz).date(), date_from=None, date_to=as_of, grain=None,
                         by=None, survival_by=None, as_of=as_of)
    return [b.as_dict() for b in tenure_distribution(load_stints(conn), as_of=query.as_of)]


@router.get("/exits")
def api_exits(request: Request, conn: ConnDep, user: PiiUser, viewer: ViewerDep, now: NowDep,
              to: _Text = None) -> dict[str, Any]:
    query = people_query(today=now.astimezone(viewer.tz).date(), date_from=request.query_params.get("from"),
                         date_to=to, grain=None, by=None, survival_by=None, as_of=None)
    stints = load_stints(conn)
    return {"reasons": [r.as_dict() for r in exits_by_reason(stints, date_from=query.date_from,
                                                             date_to=query.date_to)],
            "destinations": released_destinations(stints, date_from=query.date_from, date_to=query.date_to)}


def warning_teams(conn: ConnDep, user: User) -> set[str] | None:
    """Whose warnings ``user`` may see: every team (None) with view_pii, a lead's own teams, else nobody (403)."""
    if allowed(user.role, Permission.VIEW_PII):
        return None
    if user.role is Role.TEAM_LEAD:
        mine = {t.name for t in list_teams(conn) if t.lead == user.username}
        if mine:
            return mine
    raise PermissionDenied("the early-warning list is for managers and the agents' own team leads")


@router.get("/warning")
def api_warning(conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep, settings: SettingsDep,
                as_of: _Text = None) -> dict[str, Any]:
    """The early-warning model (coefficients) and the agents of the teams this user may see, by relative risk."""
    teams = warning_teams(conn, user)
    day = parse_date(as_of, field="as_of") or now.astimezone(viewer.tz).date()
    return warning_report(conn, as_of=day, tz=zoneinfo.ZoneInfo(settings.site_tz), teams=teams)


@router.get("/me")
def api_me(conn: ConnDep, user: CurrentUser) -> dict[str, Any]:
    """The signed-in agent's own record (spells only)."""
    if user.agent_id is None:
        raise PermissionDenied("this user is not linked to an agent")
    return {"person": user.agent_id, "spells": stints_to_dicts(person_stints(conn, user.agent_id))}


def _members(conn: ConnDep, teams: set[str] | None, *, first: dt.date, last: dt.date) -> list[str]:
    """People employed at some point in [first, last] whose team on their last day in it is one of ``teams``."""
    out = set()
    for stint in load_stints(conn):
        if stint.hire_on > last or (stint.exit_on is not None and stint.exit_on <= first):
            continue
        day = last if stint.exit_on is None or stint.exit_on > last else stint.exit_on - dt.timedelta(days=1)
        spell = stint.spell_on(day)
        if teams is None or (spell is not None and spell.team in teams):
            out.add(stint.person)
    return sorted(out)


def team_load(conn: ConnDep, user: User, *, first: dt.date, last: dt.date,
              tz: zoneinfo.ZoneInfo) -> list[dict[str, object]]:
    """Emotional load of the people this user may follow (as warning_teams), per agent and week."""
    teams = warning_teams(conn, user)
    return [w.as_dict() for w in load_weeks(conn, _members(conn, teams, first=first, last=last),
                                            date_from=first, date_to=last, tz=tz)]


def team_activities(conn: ConnDep, user: User, *, first: dt.date, days: int,
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
        people = set(_members(conn, teams, first=first, last=last))
        people |= {a.agent_id for team in teams for a in list_agents(conn, team=team)}
    return [s.as_dict() for s in activity_slots(shifts, people, tz=tz)]


@router.get("/activities")
def api_activities(conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep, settings: SettingsDep,
                   days: Annotated[int, Query(ge=1, le=31)] = 7) -> list[dict[str, object]]:
    """Team activity slots from today for ``days`` (at most 31): day, start, end, kind, agents."""
    zone = zoneinfo.ZoneInfo(settings.site_tz)
    return team_activities(conn, user, first=now.astimezone(zone).date(), days=days, tz=zone)


@router.get("/load")
def api_load(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep,
             settings: SettingsDep, to: _Text = None) -> list[dict[str, object]]:
    """Emotional load per agent and week (query: from, to; at most 92 days; default the last 28 days)."""
    last = parse_date(to, field="to") or now.astimezone(viewer.tz).date()
    first = parse_date(request.query_params.get("from"), field="from") or last - dt.timedelta(days=27)
    return team_load(conn, user, first=first, last=last, tz=zoneinfo.ZoneInfo(settings.site_tz))


@router.get("/ramp")
def api_ramp(request: Request, conn: ConnDep, user: PiiUser, viewer: ViewerDep, now: NowDep, settings: SettingsDep,
             to: _Text = None, weeks: Annotated[int, Query(ge=1, le=MAX_WEEKS)] = 13) -> list[dict[str, object]]:
    """Ramp per hire-month cohort and week of tenure, for people hired between from and to."""
    query = people_query(today=now.astimezone(viewer.tz).date(), date_from=request.query_params.get("from"),
                         date_to=to, grain=None, by=None, survival_by=None, as_of=None)
    stints = [s for s in load_stints(conn) if query.date_from <= s.hire_on <= query.date_to]
    return [p.as_dict() for p in ramp_curves(ramp_totals(conn, stints, tz=zoneinfo.ZoneInfo(settings.site_tz),
                                                         weeks=weeks))]


def coaching_visible(conn: ConnDep, user: User) -> list[dict[str, object]]:
    """Sessions this user may read: every one (view_pii), a lead's teams' and their own sessions, an agent's own."""
    if allowed(user.role, Permission.VIEW_PII):
        return [s.as_dict() for s in list_sessions(conn)]
    if user.role is Role.TEAM_LEAD:
        teams = {t.name for t in list_teams(conn) if t.lead == user.username}
        members = set(_members(conn, teams, first=dt.date.min, last=dt.date.max)) if teams else set()
        return [s.as_dict() for s in list_sessions(conn) if s.agent in members or s.lead == user.username]
    if user.agent_id is not None:
        return [s.as_dict() for s in list_sessions(conn, agent=user.agent_id)]
    raise PermissionDenied("coaching sessions are for managers, the agents' leads and the agents themselves")


@router.get("/coaching")
def api_coaching(conn: ConnDep, user: CurrentUser) -> list[dict[str, object]]:
    """Coaching sessions, newest first (as many as this user may read)."""
    return coaching_visible(conn, user)


class CoachingIn(BaseModel):
    agent: str = Field(min_length=1, max_length=80)
    held_on: dt.date
    kind: CoachingKind = CoachingKind.COACHING
    topic: str = Field(min_length=1, max_length=200)
    call_ids: list[int] = Field(default_factory=list, max_length=50)
    evaluation_keys: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=50)
    actions: str = Field(default="", max_length=4000)
    follow_up_on: dt.date | None = None


def record_coaching(conn: ConnDep, user: User, body: CoachingIn, *, now: dt.datetime) -> int:
    """A manager for anyone, a lead for the agents of their teams; the lead of the session is the user."""
    teams = warning_teams(conn, user)
    if teams is not None and body.agent not in _members(conn, teams, first=body.held_on, last=body.held_on):
        raise PermissionDenied(f"{body.agent} is not in a team you lead on {body.held_on}")
    return add_session(conn, agent=body.agent, lead=user.username, held_on=body.held_on, kind=body.kind,
                       topic=body.topic, call_ids=tuple(body.call_ids), evaluation_keys=tuple(body.evaluation_keys),
                       actions=body.actions, follow_up_on=body.follow_up_on, actor=user.username, now=now)


@router.post("/coaching", status_code=201)
def api_add_coaching(body: CoachingIn, conn: ConnDep, user: CurrentUser, now: NowDep) -> dict[str, int]:
    session_id = record_coaching(conn, user, body, now=now)
    return {"id": session_id}


class NestingIn(BaseModel):
    person: str = Field(min_length=1, max_length=80)
    starts_on: dt.date
    ends_on: dt.date = Field(description="the first day after the nesting")
    skills: dict[Annotated[str, Field(min_length=1, max_length=80)], int] = Field(
        min_length=1, max_length=50, description="skill (queue) -> level 1-10 routed while nesting")
    buddy: str | None = Field(default=None, max_length=80)
    note: str = Field(default="", max_length=500)


def _may_follow(conn: ConnDep, teams: set[str] | None, person: str, day: dt.date) -> bool:
    """Whether ``person`` is in ``teams`` on ``day`` (by their people record, else the directory's team)."""
    if teams is None:
        return True
    if person in _members(conn, teams, first=day, last=day):
        return True
    try:
        return get_agent(conn, person).team in teams
    except NotFound:
        return False


def nesting_visible(conn: ConnDep, user: User) -> list[NestingPlan]:
    """Nesting plans this user may read: every one (view_pii), a lead's teams' agents'; else 403."""
    teams = warning_teams(conn, user)
    plans = list_nesting(conn)
    if teams is None:
        return plans
    return [p for p in plans if _may_follow(conn, teams, p.person, p.starts_on)]


def set_nesting(conn: ConnDep, user: User, body: NestingIn, *, now: dt.datetime) -> bool:
    """A manager for anyone, a lead for the agents of their teams; audited as nesting.set."""
    teams = warning_teams(conn, user)
    if not _may_follow(conn, teams, body.person, body.starts_on):
        raise PermissionDenied(f"{body.person} is not in a team you lead on {body.starts_on}")
    plan = NestingPlan(person=body.person.strip(), starts_on=body.starts_on, ends_on=body.ends_on,
                       skills=dict(body.skills), buddy=(body.buddy or "").strip() or None, note=body.note.strip())
    return save_nesting(conn, plan, actor=user.username, now=now)


@router.get("/nesting")
def api_nesting(conn: ConnDep, user: CurrentUser) -> list[dict[str, object]]:
    """Nesting plans (a new hire's routed skills and buddy) this user may read: managers all, leads their teams'."""
    return [p.as_dict() for p in nesting_visible(conn, user)]


@router.post("/nesting")
def api_set_nesting(body: NestingIn, conn: ConnDep, user: CurrentUser, now: NowDep) -> dict[str, object]:
    """Create or replace the plan of ``person`` starting ``starts_on``; ``changed`` false when it was already so."""
    return {"changed": set_nesting(conn, user, body, now=now)}


@router.delete("/nesting/{person}/{starts_on}")
def api_remove_nesting(person: str, starts_on: str, conn: ConnDep, user: CurrentUser,
                       now: NowDep) -> dict[str, object]:
    """Remove a plan (audited as nesting.removed)."""
    day = parse_date(starts_on, field="starts_on")
    if day is None or len(person) > 80:
        raise InvalidInput("a person and a first day (YYYY-MM-DD)", field="starts_on")
    if not _may_follow(conn, warning_teams(conn, user), person, day):
        raise PermissionDenied(f"{person} is not in a team you lead on {day}")
    remove_nesting(conn, person, day, actor=user.username, now=now)
    return {"removed": True}


# last: a path parameter would swallow the fixed paths above
@router.get("/{person}")
def api_person(person: str, conn: ConnDep, user: PiiUser) -> dict[str, Any]:
    """One person's spells and the audit of their changes."""
    spells = stints_to_dicts(person_stints(conn, person))
    if not spells:
        raise NotFound(f"no people record for {person!r}")
    return {"person": person, "spells": spells, "audit": person_audit(conn, person)}
