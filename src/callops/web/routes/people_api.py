"""API: the people JSON of the CLI (attrition, survival, tenure, exits) and one person's record; view_pii only."""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from callops.errors import NotFound, PermissionDenied
from callops.people import attrition, survival_curves
from callops.people.tenure import exits_by_reason, released_destinations, tenure_distribution
from callops.permissions import Permission, allowed
from callops.records import Role
from callops.store.directory import list_teams
from callops.store.people import load_stints, person_audit, person_stints, stints_to_dicts
from callops.store.people_signals import warning_report
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


@router.get("/{person}")
def api_person(person: str, conn: ConnDep, user: PiiUser) -> dict[str, Any]:
    """One person's spells and the audit of their changes."""
    spells = stints_to_dicts(person_stints(conn, person))
    if not spells:
        raise NotFound(f"no people record for {person!r}")
    return {"person": person, "spells": spells, "audit": person_audit(conn, person)}
