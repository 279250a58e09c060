"""The Agents page: agents seen in calls with their counts, and the directory (agents, teams, skills)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from callops.permissions import Permission
from callops.services.agent_directory import agent_teams, recent_days, scoped_agents
from callops.store.agent_activity import agents_in_calls
from callops.web.access import scope_filter
from callops.web.deps import ConnDep, User, ViewerDep, require
from callops.web.filters import CallQueryDep
from callops.web.nav import NavItem
from callops.web.rendering import render

router = APIRouter(include_in_schema=False)

NAV = (NavItem("nav.agents", "/agents", permission=Permission.VIEW_AGENTS, order=20,
               description_key="home.card_agents"),)


DEFAULT_DAYS = 30


@router.get("/agents", response_class=HTMLResponse)
def agents_page(request: Request, conn: ConnDep, user: Annotated[User, require(Permission.VIEW_AGENTS)],
                viewer: ViewerDep, query: CallQueryDep) -> HTMLResponse:
    if query.date_from is None and query.date_to is None:
        # aggregating every call is O(table); by default the page covers the last 30 days of data
        window = recent_days(conn, scope_filter(conn, user, query.to_filter(viewer.tz)), tz=viewer.tz.key,
                             days=DEFAULT_DAYS)
        if window is not None:
            first_day, last_day = window
            query = replace(query, date_from=first_day.isoformat(), date_to=last_day.isoformat())
    flt = scope_filter(conn, user, query.to_filter(viewer.tz))
    directory = scoped_agents(conn, user)
    return render(request, viewer, "agents.html", {
        "query": query, "activity": agents_in_calls(conn, flt), "directory": directory,
        "names": {a.agent_id: a.name for a in directory}, "teams": agent_teams(conn),
        "skills": sorted({skill for a in directory for skill in a.skills}),
    })
