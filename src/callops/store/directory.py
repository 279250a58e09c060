"""The directory: teams, agents with their skills and levels, and queues."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from callops.errors import InvalidInput, NotFound
from callops.records import Agent
from callops.store.records import of_scenario
from callops.store.schema import agent_skills, agents, calls, queues, teams

__all__ = ["TeamRow", "assign_unteamed", "save_team", "list_teams", "save_agent", "get_agent", "list_agents",
           "save_queue", "list_queues", "agents_from_calls", "led_agents"]


@dataclass(frozen=True, slots=True)
class TeamRow:
    """A team with its lead and the number of its active agents."""

    name: str
    lead: str | None
    members: int


def save_team(conn: sa.Connection, name: str, *, lead: str | None = None) -> None:
    """Create the team or update its lead."""
    if not name.strip():
        raise InvalidInput("a team needs a name", field="team")
    if conn.execute(sa.select(teams.c.name).where(teams.c.name == name)).first():
        conn.execute(teams.update().where(teams.c.name == name).values(lead=lead))
    else:
        conn.execute(teams.insert().values(name=name, lead=lead))


def list_teams(conn: sa.Connection) -> list[TeamRow]:
    """Every team by name, with its count of active agents."""
    members = (sa.select(sa.func.count()).where(agents.c.team == teams.c.name, agents.c.active)
               .correlate(teams).scalar_subquery())
    query = sa.select(teams.c.name, teams.c.lead, members.label("members")).order_by(teams.c.name)
    return [TeamRow(name=r.name, lead=r.lead, members=int(r.members)) for r in conn.execute(query)]


def save_agent(conn: sa.Connection, agent: Agent) -> None:
    """Create or replace an agent and their skills (skill levels 1-10)."""
    if not agent.agent_id.strip():
        raise InvalidInput("an agent needs an id", field="agent_id")
    for skill, level in agent.skills.items():
        if not 1 <= level <= 10:
            raise InvalidInput(f"skill {skill!r} level {level} is outside 1-10", field="skills")
    if agent.team is not None and not conn.execute(sa.select(teams.c.name).where(teams.c.name == agent.team)).first():
        raise NotFound(f"team {agent.team!r} does not exist; create it first")
    values = {"name": agent.name, "team": agent.team, "active": True}
    if conn.execute(sa.select(agents.c.agent_id).where(agents.c.agent_id == agent.agent_id)).first():
        conn.execute(agents.update().where(agents.c.agent_id == agent.agent_id).values(**values))
    else:
        conn.execute(agents.insert().values(agent_id=agent.agent_id, **values))
    conn.execute(agent_skills.delete().where(agent_skills.c.agent_id == agent.agent_id))
    if agent.skills:
        conn.execute(agent_skills.insert(), [{"agent_id": agent.agent_id, "skill": s, "level": lv}
                                             for s, lv in agent.skills.items()])


def _skills(conn: sa.Connection, ids: Iterable[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    query = sa.select(agent_skills).where(agent_skills.c.agent_id.in_(list(ids)))
    for row in conn.execute(query):
        out.setdefault(row.agent_id, {})[row.skill] = int(row.level)
    return out


def get_agent(conn: sa.Connection, agent_id: str) -> Agent:
    row = conn.execute(sa.select(agents).where(agents.c.agent_id == agent_id)).first()
    if row is None:
        raise NotFound(f"no agent {agent_id!r}")
    return Agent(agent_id=row.agent_id, name=row.name, team=row.team,
                 skills=_skills(conn, [agent_id]).get(agent_id, {}))


def list_agents(conn: sa.Connection, *, team: str | None = None) -> list[Agent]:
    query = sa.select(agents).where(agents.c.active).order_by(agents.c.agent_id)
    if team is not None:
        query = query.where(agents.c.team == team)
    rows = list(conn.execute(query))
    skills = _skills(conn, [r.agent_id for r in rows])
    return [Agent(agent_id=r.agent_id, name=r.name, team=r.team, skills=skills.get(r.agent_id, {})) for r in rows]


def save_queue(conn: sa.Connection, name: str, *, description: str | None = None, sl_threshold_s: int = 20) -> None:
    if not name.strip():
        raise InvalidInput("a queue needs a name", field="queue")
    if sl_threshold_s <= 0:
        raise InvalidInput("the service-level threshold must be positive", field="sl_threshold_s")
    values = {"description": description, "sl_threshold_s": sl_threshold_s}
    if conn.execute(sa.select(queues.c.name).where(queues.c.name == name)).first():
        conn.execute(queues.update().where(queues.c.name == name).values(**values))
    else:
        conn.execute(queues.insert().values(name=name, **values))


def list_queues(conn: sa.Connection) -> list[tuple[str, str | None, int]]:
    return [(r.name, r.description, int(r.sl_threshold_s))
            for r in conn.execute(sa.select(queues).order_by(queues.c.name))]


def agents_from_calls(conn: sa.Connection) -> int:
    """Add every agent and queue named in real calls but missing from the directory; returns agents added."""
    known = set(conn.execute(sa.select(agents.c.agent_id)).scalars())
    seen = conn.execute(sa.select(calls.c.agent).where(calls.c.agent.is_not(None), of_scenario(calls.c.scenario, None))
                        .distinct()).scalars()
    new = sorted(a for a in seen if a not in known)
    if new:
        conn.execute(agents.insert(), [{"agent_id": a, "name": a.title(), "team": None, "active": True} for a in new])
    known_queues = set(conn.execute(sa.select(queues.c.name)).scalars())
    seen_queues = conn.execute(sa.select(calls.c.queue).where(calls.c.queue.is_not(None)).distinct()).scalars()
    fresh_queues = sorted(q for q in seen_queues if q not in known_queues)
    if fresh_queues:
        conn.execute(queues.insert(), [{"name": q, "description": None, "sl_threshold_s": 20} for q in fresh_queues])
    return len(new)


def assign_unteamed(conn: sa.Connection, team: str) -> int:
    """Put every agent without a team into ``team`` (which must exist); returns how many moved."""
    result = conn.execute(agents.update().where(agents.c.team.is_(None)).values(team=team))
    return int(result.rowcount or 0)


def led_agents(conn: sa.Connection, lead: str) -> frozenset[str]:
    """The agents of every team whose ``lead`` is the user name ``lead`` (empty when they lead none)."""
    rows = conn.execute(sa.select(agents.c.agent_id).join(teams, agents.c.team == teams.c.name)
                        .where(teams.c.lead == lead))
    return frozenset(r.agent_id for r in rows)
