"""The administration API: the same changes as the /admin pages, each audited.

    GET  /api/admin/users            POST /api/admin/users            (manage_users)
    GET  /api/admin/teams            PUT  /api/admin/teams/{name}     (manage_directory)
    GET  /api/admin/agents           PUT  /api/admin/agents/{id}
    GET  /api/admin/queues           PUT  /api/admin/queues/{name}
    GET  /api/admin/sites            PUT  /api/admin/sites/{name}
    GET  /api/admin/audit                                             (view_audit)

A PUT creates or replaces; a bad value is 400 naming the field, a POST of a taken user name too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from callops.permissions import Permission
from callops.records import Agent, Role
from callops.services.accounts import MAX_PASSWORD_CHARS, account_fields, accounts, create_account
from callops.services.directory_admin import (
    directory_agents,
    directory_queues,
    directory_sites,
    directory_teams,
    save_agent_audited,
    save_queue_audited,
    save_site_audited,
    save_team_audited,
)
from callops.store.audit_log import list_entries
from callops.web.deps import ConnDep, NowDep, User, ViewerDep, require
from callops.web.routes.admin_audit import PAGE_SIZE, audit_query, entry_json

router = APIRouter(prefix="/api/admin", tags=["admin"])

Admin = Annotated[User, require(Permission.MANAGE_USERS)]
Steward = Annotated[User, require(Permission.MANAGE_DIRECTORY)]
Auditor = Annotated[User, require(Permission.VIEW_AUDIT)]


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)
    role: Role
    display_name: str | None = Field(default=None, max_length=120)
    agent_id: str | None = Field(default=None, max_length=80)
    locale: str = Field(default="zh-CN", pattern="^(zh-CN|en)$")


class TeamIn(BaseModel):
    lead: str | None = Field(default=None, max_length=80)


class AgentIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    team: str | None = Field(default=None, max_length=80)
    skills: dict[str, Annotated[int, Field(ge=1, le=10)]] = Field(default_factory=dict, max_length=100)
    active: bool = True


class QueueIn(BaseModel):
    description: str | None = Field(default=None, max_length=200)
    sl_threshold_s: int = Field(default=20, ge=1, le=3600)
    sl_target_pct: float = Field(default=80.0, ge=0, le=100, description="percent answered within the threshold")
    abandon_target_pct: float = Field(default=5.0, ge=0, le=100, description="percent of offered abandoned, at most")
    site: str | None = Field(default=None, max_length=80)


class SiteIn(BaseModel):
    tz: str = Field(min_length=1, max_length=60, description="IANA zone, e.g. Asia/Shanghai")
    holidays: str | None = Field(default=None, max_length=10, description="CN, US, IL or none")


def _user_json(user: User) -> dict[str, Any]:
    return {"username": user.username, **account_fields(user)}


@router.get("/users")
def api_users(conn: ConnDep, user: Admin) -> list[dict[str, Any]]:
    """Every user with role, agent id, language, zone and whether they may sign in."""
    return [_user_json(u) for u in accounts(conn)]


@router.post("/users", status_code=201)
def api_create_user(body: UserIn, conn: ConnDep, user: Admin, now: NowDep) -> dict[str, Any]:
    """Create a user (400 naming ``username`` when the name is taken)."""
    return _user_json(create_account(conn, body.username, password=body.password, role=body.role,
                                     actor=user.username, at=now, display_name=body.display_name,
                                     agent_id=body.agent_id, locale=body.locale))


@router.get("/teams")
def api_teams(conn: ConnDep, user: Steward) -> list[dict[str, Any]]:
    return [{"name": t.name, "lead": t.lead, "members": t.members} for t in directory_teams(conn)]


@router.put("/teams/{name}")
def api_save_team(name: str, body: TeamIn, conn: ConnDep, user: Steward, now: NowDep) -> dict[str, Any]:
    save_team_audited(conn, name, lead=body.lead, actor=user.username, at=now)
    return {"name": name.strip(), "lead": body.lead}


@router.get("/agents")
def api_agents(conn: ConnDep, user: Steward) -> list[dict[str, Any]]:
    found = directory_agents(conn)
    return [{"agent_id": a.agent_id, "name": a.name, "team": a.team, "skills": a.skills,
             "active": a.agent_id not in found.inactive} for a in found.agents]


@router.put("/agents/{agent_id}")
def api_save_agent(agent_id: str, body: AgentIn, conn: ConnDep, user: Steward, now: NowDep) -> dict[str, Any]:
    agent = Agent(agent_id=agent_id, name=body.name, team=body.team, skills=dict(body.skills))
    save_agent_audited(conn, agent, active=body.active, actor=user.username, at=now)
    return {"agent_id": agent_id, **body.model_dump()}


@router.get("/queues")
def api_queues(conn: ConnDep, user: Steward) -> list[dict[str, Any]]:
    return [q.as_dict() for q in directory_queues(conn)]


@router.put("/queues/{name}")
def api_save_queue(name: str, body: QueueIn, conn: ConnDep, user: Steward, now: NowDep) -> dict[str, Any]:
    return save_queue_audited(conn, name, actor=user.username, at=now, **body.model_dump()).as_dict()


@router.get("/sites")
def api_sites(conn: ConnDep, user: Steward) -> list[dict[str, Any]]:
    return [s.as_dict() for s in directory_sites(conn)]


@router.put("/sites/{name}")
def api_save_site(name: str, body: SiteIn, conn: ConnDep, user: Steward, now: NowDep) -> dict[str, Any]:
    return save_site_audited(conn, name, tz=body.tz, holidays=body.holidays, actor=user.username,
                             at=now).as_dict()


@router.get("/audit")
def api_audit(conn: ConnDep, user: Auditor, viewer: ViewerDep, entity: str = "", key: str = "", actor: str = "",
              start: Annotated[str, Query(alias="from")] = "", end: Annotated[str, Query(alias="to")] = "",
              offset: int = 0) -> dict[str, Any]:
    """Audit entries newest first, 100 at a time from ``offset``; ``from``/``to`` are days in the user's zone."""
    query = audit_query(entity=entity, start=start, end=end, tz=viewer.tz.key)
    entries = list_entries(conn, **query, key=key or None, actor=actor or None, limit=PAGE_SIZE,
                           offset=max(0, min(offset, 10_000_000)))
    return {"tz": viewer.tz.key, "entries": [entry_json(e, viewer.tz) for e in entries]}
