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
from callops.people.nesting import NestingPlan
from callops.people.ramp import MAX_WEEKS
from callops.people.tenure import exits_by_reason, released_destinations, tenure_distribution
from callops.permissions import Permission
from callops.services.people_records import CoachingKind, all_stints, early_warning, hire_ramp, read_person
from callops.services.people_team import (
    coaching_visible,
    nesting_visible,
    record_coaching,
    remove_nesting_for,
    set_nesting,
    team_activities,
    team_load,
    warning_teams,
)
from callops.web.deps import ConnDep, CurrentUser, NowDep, SettingsDep, User, ViewerDep, require
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
    rows = attrition(all_stints(conn), date_from=query.date_from, date_to=query.date_to, grain=query.grain,
                     by=query.by)
    return [r.as_dict(group_key=query.by.value if query.by else None) for r in rows]


@router.get("/survival")
def api_survival(request: Request, conn: ConnDep, user: PiiUser, viewer: ViewerDep, now: NowDep,
                 by: _Text = None, as_of: _Text = None) -> list[dict[str, object]]:
    """Curves as `callops people survival --format json` (query: by, as_of)."""
    query = people_query(today=now.astimezone(viewer.tz).date(), date_from=None, date_to=as_of, grain=None,
                         by=None, survival_by=by, as_of=as_of)
    return [c.as_dict() for c in survival_curves(all_stints(conn), as_of=query.as_of, by=query.survival_by)]


@router.get("/tenure")
def api_tenure(request: Request, conn: ConnDep, user: PiiUser, viewer: ViewerDep, now: NowDep,
               as_of: _Text = None) -> list[dict[str, object]]:
    query = people_query(today=now.astimezone(viewer.tz).date(), date_from=None, date_to=as_of, grain=None,
                         by=None, survival_by=None, as_of=as_of)
    return [b.as_dict() for b in tenure_distribution(all_stints(conn), as_of=query.as_of)]


@router.get("/exits")
def api_exits(request: Request, conn: ConnDep, user: PiiUser, viewer: ViewerDep, now: NowDep,
              to: _Text = None) -> dict[str, Any]:
    query = people_query(today=now.astimezone(viewer.tz).date(), date_from=request.query_params.get("from"),
                         date_to=to, grain=None, by=None, survival_by=None, as_of=None)
    stints = all_stints(conn)
    return {"reasons": [r.as_dict() for r in exits_by_reason(stints, date_from=query.date_from,
                                                             date_to=query.date_to)],
            "destinations": released_destinations(stints, date_from=query.date_from, date_to=query.date_to)}


@router.get("/warning")
def api_warning(conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep, settings: SettingsDep,
                as_of: _Text = None) -> dict[str, Any]:
    """The early-warning model (coefficients) and the agents of the teams this user may see, by relative risk."""
    teams = warning_teams(conn, user)
    day = parse_date(as_of, field="as_of") or now.astimezone(viewer.tz).date()
    return early_warning(conn, as_of=day, tz=zoneinfo.ZoneInfo(settings.site_tz), teams=teams)


@router.get("/me")
def api_me(conn: ConnDep, user: CurrentUser) -> dict[str, Any]:
    """The signed-in agent's own record (spells only)."""
    if user.agent_id is None:
        raise PermissionDenied("this user is not linked to an agent")
    return {"person": user.agent_id, "spells": read_person(conn, user.agent_id, with_audit=False).spells}


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
    hires = [s for s in all_stints(conn) if query.date_from <= s.hire_on <= query.date_to]
    return [p.as_dict() for p in hire_ramp(conn, hires, tz=zoneinfo.ZoneInfo(settings.site_tz), weeks=weeks)]


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


def coaching_of(body: CoachingIn) -> dict[str, Any]:
    """The session typed in ``body`` as ``record_coaching``'s keyword arguments."""
    return {"agent": body.agent, "held_on": body.held_on, "kind": body.kind, "topic": body.topic,
            "call_ids": tuple(body.call_ids), "evaluation_keys": tuple(body.evaluation_keys), "actions": body.actions,
            "follow_up_on": body.follow_up_on}


@router.post("/coaching", status_code=201)
def api_add_coaching(body: CoachingIn, conn: ConnDep, user: CurrentUser, now: NowDep) -> dict[str, int]:
    session_id = record_coaching(conn, user, **coaching_of(body), now=now)
    return {"id": session_id}


class NestingIn(BaseModel):
    person: str = Field(min_length=1, max_length=80)
    starts_on: dt.date
    ends_on: dt.date = Field(description="the first day after the nesting")
    skills: dict[Annotated[str, Field(min_length=1, max_length=80)], int] = Field(
        min_length=1, max_length=50, description="skill (queue) -> level 1-10 routed while nesting")
    buddy: str | None = Field(default=None, max_length=80)
    note: str = Field(default="", max_length=500)


def nesting_plan_of(body: NestingIn) -> NestingPlan:
    """The plan typed in ``body`` (names and note trimmed, a blank buddy none)."""
    return NestingPlan(person=body.person.strip(), starts_on=body.starts_on, ends_on=body.ends_on,
                       skills=dict(body.skills), buddy=(body.buddy or "").strip() or None, note=body.note.strip())


@router.get("/nesting")
def api_nesting(conn: ConnDep, user: CurrentUser) -> list[dict[str, object]]:
    """Nesting plans (a new hire's routed skills and buddy) this user may read: managers all, leads their teams'."""
    return [p.as_dict() for p in nesting_visible(conn, user)]


@router.post("/nesting")
def api_set_nesting(body: NestingIn, conn: ConnDep, user: CurrentUser, now: NowDep) -> dict[str, object]:
    """Create or replace the plan of ``person`` starting ``starts_on``; ``changed`` false when it was already so."""
    return {"changed": set_nesting(conn, user, nesting_plan_of(body), now=now)}


@router.delete("/nesting/{person}/{starts_on}")
def api_remove_nesting(person: str, starts_on: str, conn: ConnDep, user: CurrentUser,
                       now: NowDep) -> dict[str, object]:
    """Remove a plan (audited as nesting.removed)."""
    day = parse_date(starts_on, field="starts_on")
    if day is None or len(person) > 80:
        raise InvalidInput("a person and a first day (YYYY-MM-DD)", field="starts_on")
    remove_nesting_for(conn, user, person, day, now=now)
    return {"removed": True}


# last: a path parameter would swallow the fixed paths above
@router.get("/{person}")
def api_person(person: str, conn: ConnDep, user: PiiUser) -> dict[str, Any]:
    """One person's spells and the audit of their changes."""
    record = read_person(conn, person)
    if not record.spells:
        raise NotFound(f"no people record for {person!r}")
    return {"person": person, "spells": record.spells, "audit": record.audit}
