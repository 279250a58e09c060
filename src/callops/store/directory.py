"""The directory: teams, agents with their skills and levels, and queues."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from callops.errors import InvalidInput, NotFound
from callops.records import Agent
from callops.store.records import of_scenario
from callops.store.schema import agent_skills, agents, calls, queues, sites, teams

__all__ = ["QueueRow", "TeamRow", "assign_unteamed", "save_team", "list_teams", "save_agent", "get_agent",
           "list_agents", "active_skills", "queue_names", "inactive_agents", "save_queue", "get_queue", "list_queues",
           "agents_from_calls", "led_agents"]


@dataclass(frozen=True, slots=True)
class TeamRow:
    """A team with its lead and the number of its active agents."""

    name: str
    lead: str | None
    members: int


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A queue with its service-level threshold and targets (percent) and its site."""

    name: str
    description: str | None
    sl_threshold_s: int
    sl_target_pct: float = 80.0
    abandon_target_pct: float = 5.0
    site: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "description": self.description, "sl_threshold_s": self.sl_threshold_s,
                "sl_target_pct": self.sl_target_pct, "abandon_target_pct": self.abandon_target_pct,
                "site": self.site}


def save_team(conn: sa.Connection, name: str, *, lead: str | None = None) -> None:
    """Create the team or update its lead."""
    if not name.strip() or len(name) > 80:
        raise InvalidInput("a team needs a name of 1-80 characters", field="team")
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


def save_agent(conn: sa.Connection, agent: Agent, *, active: bool = True) -> None:
    """Create or replace an agent and their skills (skill levels 1-10); an inactive one leaves the lists."""
    if not agent.agent_id.strip() or len(agent.agent_id) > 80:
        raise InvalidInput("an agent needs an id of 1-80 characters", field="agent_id")
    if not agent.name.strip() or len(agent.name) > 120:
        raise InvalidInput("an agent needs a name of 1-120 characters", field="name")
    for skill, level in agent.skills.items():
        if not skill.strip() or len(skill) > 80:
            raise InvalidInput(f"skill name {skill[:20]!r} needs 1-80 characters", field="skills")
        if not 1 <= level <= 10:
            raise InvalidInput(f"skill {skill!r} level {level} is outside 1-10", field="skills")
    if agent.team is not None and not conn.execute(sa.select(teams.c.name).where(teams.c.name == agent.team)).first():
        raise NotFound(f"team {agent.team!r} does not exist; create it first")
    values = {"name": agent.name, "team": agent.team, "active": active}
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


def list_agents(conn: sa.Connection, *, team: str | None = None, include_inactive: bool = False) -> list[Agent]:
    query = sa.select(agents).order_by(agents.c.agent_id)
    if not include_inactive:
        query = query.where(agents.c.active)
    if team is not None:
        query = query.where(agents.c.team == team)
    rows = list(conn.execute(query))
    skills = _skills(conn, [r.agent_id for r in rows])
    return [Agent(agent_id=r.agent_id, name=r.name, team=r.team, skills=skills.get(r.agent_id, {})) for r in rows]


def active_skills(conn: sa.Connection) -> dict[str, dict[str, int]]:
    """Every active agent with their skills ({} for none), by id: one query (the router re-reads it often)."""
    out: dict[str, dict[str, int]] = {}
    rows = conn.execute(sa.select(agents.c.agent_id, agent_skills.c.skill, agent_skills.c.level)
                        .select_from(agents.outerjoin(agent_skills)).where(agents.c.active)
                        .order_by(agents.c.agent_id))
    for agent_id, skill, level in rows:
        skills = out.setdefault(str(agent_id), {})
        if skill is not None:
            skills[str(skill)] = int(level)
    return out


def queue_names(conn: sa.Connection) -> list[str]:
    """The queues' names, sorted."""
    return [str(name) for name in conn.execute(sa.select(queues.c.name).order_by(queues.c.name)).scalars()]


def inactive_agents(conn: sa.Connection) -> frozenset[str]:
    """The ids of the agents marked inactive."""
    return frozenset(conn.execute(sa.select(agents.c.agent_id).where(sa.not_(agents.c.active))).scalars())


_KEEP = object()  # save_queue: leave the stored value as it is


def _check_pct(value: float, field: str) -> None:
    if not 0 <= value <= 100:
        raise InvalidInput(f"{value:g} is not a percentage from 0 to 100", field=field)


def save_queue(conn: sa.Connection, name: str, *, description: str | None | object = _KEEP,
               sl_threshold_s: int | None = None, sl_target_pct: float | None = None,
               abandon_target_pct: float | None = None, site: str | None | object = _KEEP) -> QueueRow:
    """Create or update a queue; what is not given keeps its stored value (a new queue: 20 s, 80 %, 5 %)."""
    if not name.strip() or len(name) > 80:
        raise InvalidInput("a queue needs a name of 1-80 characters", field="queue")
    if sl_threshold_s is not None and sl_threshold_s <= 0:
        raise InvalidInput("the service-level threshold must be positive", field="sl_threshold_s")
    if sl_target_pct is not None:
        _check_pct(sl_target_pct, "sl_target_pct")
    if abandon_target_pct is not None:
        _check_pct(abandon_target_pct, "abandon_target_pct")
    if isinstance(site, str) and not conn.execute(sa.select(sites.c.name).where(sites.c.name == site)).first():
        raise NotFound(f"site {site!r} does not exist; create it first")
    values: dict[str, object] = {}
    if description is not _KEEP:
        if isinstance(description, str) and len(description) > 200:
            raise InvalidInput("a description has at most 200 characters", field="description")
        values["description"] = description
    if site is not _KEEP:
        values["site"] = site
    for key, value in (("sl_threshold_s", sl_threshold_s), ("sl_target_pct", sl_target_pct),
                       ("abandon_target_pct", abandon_target_pct)):
        if value is not None:
            values[key] = value
    if conn.execute(sa.select(queues.c.name).where(queues.c.name == name)).first():
        if values:
            conn.execute(queues.update().where(queues.c.name == name).values(**values))
    else:
        conn.execute(queues.insert().values({"sl_threshold_s": 20, "sl_target_pct": 80.0,
                                             "abandon_target_pct": 5.0, **values, "name": name}))
    return get_queue(conn, name)


def _queue(row: sa.Row[object]) -> QueueRow:
    m = row._mapping
    return QueueRow(name=m["name"], description=m["description"], sl_threshold_s=int(m["sl_threshold_s"]),
                    sl_target_pct=float(m["sl_target_pct"]), abandon_target_pct=float(m["abandon_target_pct"]),
                    site=m["site"])


def get_queue(conn: sa.Connection, name: str) -> QueueRow:
    row = conn.execute(sa.select(queues).where(queues.c.name == name)).first()
    if row is None:
        raise NotFound(f"no queue {name!r}")
    return _queue(row)


def list_queues(conn: sa.Connection) -> list[QueueRow]:
    return [_queue(r) for r in conn.execute(sa.select(queues).order_by(queues.c.name))]


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
