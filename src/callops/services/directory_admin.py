"""Directory changes, each written to the audit log with the entity before and after.

    save_team_audited(conn, "north", lead="lily", actor="admin", at=now)       # /admin/teams, callops teams add
    save_agent_audited(conn, Agent(...), active=True, actor="admin", at=now)    # /admin/agents, callops agents add
    save_queue_audited(conn, "billing", sl_target_pct=85.0, actor=..., at=now)  # /admin/queues, callops queues add
    save_site_audited(conn, "tel-aviv", tz="Asia/Jerusalem", holidays=None, actor=..., at=now)  # /admin/sites

A save that changes nothing writes no audit row. Nothing here commits; the caller does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.errors import InvalidInput, NotFound
from callops.records import Agent
from callops.store.audit_log import write_entry
from callops.store.directory import (
    QueueRow,
    TeamRow,
    get_agent,
    get_queue,
    inactive_agents,
    list_agents,
    list_queues,
    list_teams,
    save_agent,
    save_queue,
    save_team,
)
from callops.store.sites import Site, get_site, list_sites, save_site
from callops.store.users import find_user

__all__ = ["AlreadyExists", "parse_skills", "save_agent_audited", "save_queue_audited", "save_site_audited",
           "save_team_audited", "DirectoryAgents", "directory_agents", "directory_queues", "directory_sites",
           "directory_teams"]


class AlreadyExists(InvalidInput):
    """A create asked for a name that is taken (400 naming the field, like any input error)."""


def _refuse_existing(new: bool, before: object, *, what: str, name: str, field: str) -> None:
    if new and before is not None:
        raise AlreadyExists(f"{what} {name!r} exists already; open it to change it", field=field)


def parse_skills(text: str) -> dict[str, int]:
    """``"billing:5, sales:3"`` (commas or spaces between) -> ``{"billing": 5, "sales": 3}``; levels 1-10."""
    out: dict[str, int] = {}
    for value in text.replace(",", " ").split():
        name, _, level = value.partition(":")
        if not name or not level.isdigit() or not 1 <= int(level) <= 10 or len(name) > 80:
            raise InvalidInput(f"{value!r} is not SKILL:LEVEL with a level from 1 to 10 (e.g. billing:3)",
                               field="skills")
        out[name] = int(level)
    return out


def _record(conn: sa.Connection, *, at: dt.datetime, actor: str, entity: str, key: str,
            before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    if before == after:
        return
    action = f"{entity}.created" if before is None else f"{entity}.changed"
    write_entry(conn, at=at, actor=actor, entity=entity, key=key, action=action, before=before, after=after)


def save_team_audited(conn: sa.Connection, name: str, *, lead: str | None, actor: str, at: dt.datetime,
                      new: bool = False) -> None:
    """Create the team or change its lead; the lead must be a user name. ``new``: refuse a taken name."""
    name = name.strip()
    if lead:
        try:
            find_user(conn, lead)
        except NotFound as exc:
            raise InvalidInput(f"no user named {lead!r} to lead the team", field="lead") from exc
    before = next(({"lead": t.lead} for t in list_teams(conn) if t.name == name), None)
    _refuse_existing(new, before, what="team", name=name, field="team")
    save_team(conn, name, lead=lead or None)
    _record(conn, at=at, actor=actor, entity="team", key=name, before=before, after={"lead": lead or None})


def _agent_fields(agent: Agent, active: bool) -> dict[str, Any]:
    return {"name": agent.name, "team": agent.team, "skills": dict(sorted(agent.skills.items())), "active": active}


def save_agent_audited(conn: sa.Connection, agent: Agent, *, active: bool, actor: str, at: dt.datetime,
                       new: bool = False) -> None:
    """Create or replace the agent with their skills and levels (1-10) and the active flag."""
    try:
        old = get_agent(conn, agent.agent_id)
    except NotFound:
        before = None
    else:
        before = _agent_fields(old, old.agent_id not in inactive_agents(conn))
    _refuse_existing(new, before, what="agent", name=agent.agent_id, field="agent_id")
    if agent.team is not None and agent.team not in {t.name for t in list_teams(conn)}:
        raise InvalidInput(f"team {agent.team!r} does not exist; create it first", field="team")
    save_agent(conn, agent, active=active)
    _record(conn, at=at, actor=actor, entity="agent", key=agent.agent_id, before=before,
            after=_agent_fields(agent, active))


def _queue_fields(queue: QueueRow) -> dict[str, Any]:
    fields = queue.as_dict()
    fields.pop("name")
    return fields


def save_queue_audited(conn: sa.Connection, name: str, *, actor: str, at: dt.datetime, new: bool = False,
                       **changes: Any) -> QueueRow:
    """Create or change the queue (``changes``: the keywords of ``store.directory.save_queue``)."""
    try:
        before: dict[str, Any] | None = _queue_fields(get_queue(conn, name))
    except NotFound:
        before = None
    _refuse_existing(new, before, what="queue", name=name, field="queue")
    site = changes.get("site")
    if isinstance(site, str):
        try:
            get_site(conn, site)
        except NotFound as exc:
            raise InvalidInput(f"no site {site!r}; create it first", field="site") from exc
    saved = save_queue(conn, name, **changes)
    _record(conn, at=at, actor=actor, entity="queue", key=name, before=before, after=_queue_fields(saved))
    return saved


def save_site_audited(conn: sa.Connection, name: str, *, tz: str, holidays: str | None, actor: str,
                      at: dt.datetime, new: bool = False) -> Site:
    """Create the site or change its zone and holiday calendar."""
    try:
        before: dict[str, Any] | None = _site_fields(get_site(conn, name.strip()))
    except NotFound:
        before = None
    _refuse_existing(new, before, what="site", name=name.strip(), field="name")
    site = save_site(conn, name, tz=tz, holidays=holidays)
    _record(conn, at=at, actor=actor, entity="site", key=site.name, before=before, after=_site_fields(site))
    return site


def _site_fields(site: Site) -> dict[str, Any]:
    return {"tz": site.tz, "holidays": site.holidays}


# --- the directory as the admin pages and API read it -------------------------------------------------

@dataclass(frozen=True, slots=True)
class DirectoryAgents:
    """Every agent, active or not, and which of them are inactive."""

    agents: list[Agent]
    inactive: frozenset[str]


def directory_agents(conn: sa.Connection) -> DirectoryAgents:
    return DirectoryAgents(agents=list_agents(conn, include_inactive=True), inactive=inactive_agents(conn))


def directory_teams(conn: sa.Connection) -> list[TeamRow]:
    return list_teams(conn)


def directory_queues(conn: sa.Connection) -> list[QueueRow]:
    return list_queues(conn)


def directory_sites(conn: sa.Connection) -> list[Site]:
    return list_sites(conn)
