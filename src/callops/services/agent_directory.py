"""The agent directory as the call and agent pages read it (the admin pages read it through
``services.directory_admin``).

    scoped_agents(conn, user)        # /agents, /api/agents: the active agents a user's staff rights reach
    agent_teams(conn)                # /agents, a roster's page: every team, its lead, its active agents' count
    team_members(conn, "north")      # a roster's page: the active agents of one team
    call_filter_choices(conn, flt)   # /calls: the queues and agents the filter form offers
    recent_days(conn, flt, tz=..., days=30)  # /agents: the last 30 days up to the last day with calls
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from callops.records import Agent
from callops.services.team_scope import team_scope
from callops.store.call_volume import last_day_with_calls
from callops.store.directory import TeamRow, list_agents, list_queues, list_teams
from callops.store.records import CallFilter
from callops.store.users import User

__all__ = ["FilterChoices", "agent_teams", "call_filter_choices", "recent_days", "scoped_agents", "team_members"]


def scoped_agents(conn: sa.Connection, user: User) -> list[Agent]:
    """The active agents by id, narrowed to a team lead's own teams (every agent for other roles)."""
    scope = team_scope(conn, user)
    return [a for a in list_agents(conn) if scope is None or a.agent_id in scope]


def agent_teams(conn: sa.Connection) -> list[TeamRow]:
    return list_teams(conn)


def team_members(conn: sa.Connection, team: str) -> list[str]:
    """The ids of team ``team``'s active agents, by id."""
    return [a.agent_id for a in list_agents(conn, team=team)]


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """What the Calls page's filter form offers: queue names, and agent ids (none unless ``sees_all``)."""

    queues: list[str]
    agents: list[str]


def call_filter_choices(conn: sa.Connection, flt: CallFilter | None, *, sees_all: bool) -> FilterChoices:
    """Every queue; the active agents within ``flt``'s agent scope when the user sees every call (a filter
    that did not parse, None, offers every agent)."""
    agents = ([a.agent_id for a in list_agents(conn) if flt is None or flt.agents is None or a.agent_id in flt.agents]
              if sees_all else [])
    return FilterChoices(queues=[q.name for q in list_queues(conn)], agents=agents)


def recent_days(conn: sa.Connection, flt: CallFilter, *, tz: str, days: int) -> tuple[dt.date, dt.date] | None:
    """The ``days`` local days ending on the last day with a call matching ``flt`` (None without one)."""
    last_day = last_day_with_calls(conn, flt, tz=tz)
    if last_day is None:
        return None
    return last_day - dt.timedelta(days=days - 1), last_day
