"""Agents as seen in calls: per agent named in the matching calls, their counts, talk and handle time.

Every matching call with an agent counts, inbound and outbound alike; ``answered`` counts the calls
whose outcome is answered or transferred. An inbound call carries an agent only once one took it (a ring an
agent missed is not in the call records), so for inbound calls ``calls`` and ``answered`` agree; ``transferred``
and ``outbound`` tell the calls of an agent apart. The filter's ``scenario`` chooses real calls (None) or a
saved scenario's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from callops.records import Direction, Outcome
from callops.store.records import CallFilter
from callops.store.schema import calls

__all__ = ["AgentActivity", "agents_in_calls"]

_ANSWERED = [o.value for o in Outcome if o.answered]


@dataclass(frozen=True, slots=True)
class AgentActivity:
    """One agent's calls among the matching ones; talk and handle time are totals over all of them."""

    agent: str
    calls: int
    answered: int
    talk_s: float  # total
    handle_s: float  # total talk + hold + after-call work
    first_at: dt.datetime
    last_at: dt.datetime
    transferred: int = 0  # answered, then transferred onward
    outbound: int = 0  # calls the agent placed

    @property
    def aht_s(self) -> float | None:
        """Average handle time over answered calls."""
        return self.handle_s / self.answered if self.answered else None


def agents_in_calls(conn: sa.Connection, flt: CallFilter) -> list[AgentActivity]:
    """Every agent named in the calls matching ``flt``, most calls first (ties by agent id)."""
    c = calls.c
    answered = sa.func.sum(sa.case((c.outcome.in_(_ANSWERED), 1), else_=0))
    transferred = sa.func.sum(sa.case((c.outcome == Outcome.TRANSFERRED.value, 1), else_=0))
    outbound = sa.func.sum(sa.case((c.direction == Direction.OUTBOUND.value, 1), else_=0))
    n = sa.func.count().label("n")
    query = (sa.select(c.agent, n, answered.label("answered"), transferred.label("transferred"),
                       outbound.label("outbound"), sa.func.sum(c.talk_s).label("talk_s"),
                       sa.func.sum(c.talk_s + c.hold_s + c.acw_s).label("handle_s"),
                       sa.func.min(c.started_at).label("first_at"), sa.func.max(c.started_at).label("last_at"))
             .where(flt.where(), c.agent.is_not(None)).group_by(c.agent).order_by(n.desc(), c.agent))
    return [AgentActivity(agent=r.agent, calls=int(r.n), answered=int(r.answered or 0), talk_s=float(r.talk_s or 0),
                          handle_s=float(r.handle_s or 0), first_at=r.first_at, last_at=r.last_at,
                          transferred=int(r.transferred or 0), outbound=int(r.outbound or 0))
            for r in conn.execute(query)]
