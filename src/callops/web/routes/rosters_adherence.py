"""The adherence page (遵时率): per agent, the scheduled day against the actual states, with adherence % and
conformance %, for one day and team. The same counting as ``callops adherence`` (services.roster_adherence);
a team lead sees only the agents of the teams they lead. Linked from the roster and team pages."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse

from callops.errors import InvalidInput, PermissionDenied
from callops.permissions import Permission
from callops.scheduling.adherence import total
from callops.services.roster_adherence import adherence_over
from callops.services.team_scope import team_scope
from callops.store.directory import list_agents, list_teams
from callops.web.deps import ConnDep, NowDep, SettingsDep, User, ViewerDep, require
from callops.web.filters import parse_date
from callops.web.rendering import render
from callops.web.routes.rosters_charts import WIDTH, gantt, state_strip

router = APIRouter(include_in_schema=False)

AgentViewer = Annotated[User, require(Permission.VIEW_AGENTS)]


def adherence_agents(conn: ConnDep, user: User, team: str | None) -> tuple[frozenset[str] | None, list[str]]:
    """(the agents shown: None for all, the teams the user may pick). A lead picks only teams they lead."""
    scope = team_scope(conn, user)
    teams = [t.name for t in list_teams(conn) if scope is None or t.lead == user.username]
    if team:
        if team not in teams and scope is not None:
            raise PermissionDenied(f"team {team!r} is not one {user.username} leads")
        if team not in teams:
            raise InvalidInput(f"no team {team!r}", field="team")
        members = frozenset(a.agent_id for a in list_agents(conn, team=team))
        return (members if scope is None else members & scope), teams
    return scope, teams


@router.get("/rosters/adherence", response_class=HTMLResponse)
def adherence_page(request: Request, conn: ConnDep, user: AgentViewer, viewer: ViewerDep, now: NowDep,
                   settings: SettingsDep, day: Annotated[str | None, Query(max_length=20)] = None,
                   team: Annotated[str | None, Query(max_length=80)] = None) -> HTMLResponse:
    zone = zoneinfo.ZoneInfo(settings.site_tz)
    shown = parse_date(day, field="day") or now.astimezone(zone).date()
    agents, teams = adherence_agents(conn, user, team or None)
    period = adherence_over(conn, shown, shown, tz=zone, agents=agents, to_field="day")
    chart = gantt(period.shifts, first_day=shown, days=1, tz=zone, agents=[r.agent or "" for r in period.rows])
    by_agent: dict[str, list[Any]] = {}
    for s in period.states:
        by_agent.setdefault(s.agent, []).append(s)
    strips = {r.agent: state_strip(by_agent.get(r.agent or "", []), start=period.start_at, end=period.end_at, tz=zone)
              for r in period.rows}
    return render(request, viewer, "rosters/adherence.html", {
        "day": shown, "team": team or "", "teams": teams, "rows": period.rows, "total": total(period.rows),
        "gantt": chart, "strips": strips, "width": WIDTH, "exceptions": period.exceptions, "zone": zone,
        "previous": shown - dt.timedelta(days=1), "next": shown + dt.timedelta(days=1)})
