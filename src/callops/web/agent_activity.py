"""Agents as the Agents page shows them: who took calls (with counts) and the directory."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from callops.records import Outcome
from callops.store.records import CallFilter
from callops.store.schema import agents, calls, teams

__all__ = ["AgentActivity", "TeamRow", "agents_in_calls", "list_teams"]

_ANSWERED = [o.value for o in Outcome if o.answered]


@dataclass(frozen=True, slots=True)
class AgentActivity:
    agent: str
    calls: int
    answered: int
    talk_s: float  # total
    handle_s: float  # total talk + hold + after-call work
    first_at: dt.datetime
    last_at: dt.datetime

    @property
    def aht_s(self) -> float | None:
        """Average handle time over answered calls."""
        return self.handle_s / self.answered if self.answered else None


@dataclass(frozen=True, slots=True)
class TeamRow:
    name: str
    lead: str | None
    members: int


def agents_in_calls(conn: sa.Connection, flt: CallFilter) -> list[AgentActivity]:
    """Every agent named in the matching calls, most calls first."""
    c = calls.c
    answered = sa.func.sum(sa.case((c.outcome.in_(_ANSWERED), 1), else_=0))
    n = sa.func.count().label("n")
    query = (sa.select(c.agent, n, answered.label("answered"), sa.func.sum(c.talk_s).label("talk_s"),
                       sa.func.sum(c.talk_s + c.hold_s + c.acw_s).label("handle_s"),
                       sa.func.min(c.started_at).label("first_at"), sa.func.max(c.started_at).label("last_at"))
             .where(flt.where(), c.agent.is_not(None)).group_by(c.agent).order_by(n.desc(), c.agent))
    return [AgentActivity(agent=r.agent, calls=int(r.n), answered=int(r.answered or 0), talk_s=float(r.talk_s or 0),
                          handle_s=float(r.handle_s or 0), first_at=r.first_at, last_at=r.last_at)
            for r in conn.execute(query)]


def list_teams(conn: sa.Connection) -> list[TeamRow]:
    members = (sa.select(sa.func.count()).where(agents.c.team == teams.c.name, agents.c.active)
               .correlate(teams).scalar_subquery())
    query = sa.select(teams.c.name, teams.c.lead, members.label("members")).order_by(teams.c.name)
    return [TeamRow(name=r.name, lead=r.lead, members=int(r.members)) for r in conn.execute(query)]
