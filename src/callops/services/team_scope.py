"""Which agents a user's staff rights reach: a team lead's rights stop at the teams they lead.

Rights themselves live in ``callops.permissions``; this narrows the rights that reach "every agent"
(viewing calls, evaluations, appeals, the live floor) to a team lead's own teams.
"""

from __future__ import annotations

import sqlalchemy as sa

from callops.records import Role
from callops.store.directory import led_agents
from callops.store.users import User

__all__ = ["has_team_scope", "team_scope", "in_team_scope"]


def has_team_scope(user: User) -> bool:
    """Whether ``user``'s staff rights stop at some agents (a team lead's), so ``team_scope`` takes a query."""
    return user.role is Role.TEAM_LEAD


def team_scope(conn: sa.Connection, user: User) -> frozenset[str] | None:
    """The agents whose records ``user`` may see through a staff right: None for every agent; for a team
    lead, the agents of the teams whose ``lead`` is their user name (none when they lead no team)."""
    if not has_team_scope(user):
        return None
    return led_agents(conn, user.username)


def in_team_scope(conn: sa.Connection, user: User, agent: str | None) -> bool:
    """Whether ``agent`` is within ``user``'s team scope (always, for roles without one)."""
    scope = team_scope(conn, user)
    return scope is None or (agent is not None and agent in scope)
