"""API: agents (directory and those seen in calls) with their call counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from callops.permissions import Permission
from callops.services.agent_directory import scoped_agents
from callops.store.agent_activity import agents_in_calls
from callops.web.access import scope_filter
from callops.web.deps import ConnDep, User, ViewerDep, require
from callops.web.filters import CallQueryDep
from callops.web.schemas import AgentOut

router = APIRouter(prefix="/api", tags=["agents"])


@router.get("/agents", response_model=list[AgentOut])
def api_agents(conn: ConnDep, user: Annotated[User, require(Permission.VIEW_AGENTS)], viewer: ViewerDep,
               query: CallQueryDep) -> list[AgentOut]:
    """Every agent of the directory or of the matching calls, with counts over those calls."""
    activity = {a.agent: a for a in agents_in_calls(conn, scope_filter(conn, user, query.to_filter(viewer.tz)))}
    directory = {a.agent_id: a for a in scoped_agents(conn, user)}
    out = [AgentOut.of(a.agent_id, name=a.name, team=a.team, skills=dict(a.skills), activity=activity.get(a.agent_id))
           for a in directory.values()]
    out += [AgentOut.of(agent, name=None, team=None, skills={}, activity=act)
            for agent, act in activity.items() if agent not in directory]
    return sorted(out, key=lambda a: (-a.calls, a.agent_id))
