"""What the QA report's recognition table reads from the calls: per agent, the real calls answered with their
CSAT and resolution, and which agent handled each library call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from callops.store.records import of_scenario
from callops.store.schema import calls

__all__ = ["AgentHandling", "agent_handling", "agents_of_calls"]


@dataclass(frozen=True, slots=True)
class AgentHandling:
    answered: int
    csat: float | None  # mean of the rated calls
    fcr: float | None  # resolved / calls with a known resolution


def agent_handling(conn: sa.Connection) -> dict[str, AgentHandling]:
    """Real answered calls per agent (simulated scenarios left out)."""
    c = calls.c
    resolved = sa.case((c.issue_resolved.is_(True), 1), else_=0)
    known = sa.case((c.issue_resolved.is_not(None), 1), else_=0)
    rows = conn.execute(sa.select(c.agent, sa.func.count(), sa.func.avg(c.csat), sa.func.sum(resolved),
                                  sa.func.sum(known))
                        .where(of_scenario(c.scenario, None), c.agent.is_not(None), c.answered_at.is_not(None))
                        .group_by(c.agent))
    return {str(agent): AgentHandling(int(count), None if csat is None else float(csat),
                                      int(done) / int(seen) if seen else None)
            for agent, count, csat, done, seen in rows}


def agents_of_calls(conn: sa.Connection, call_ids: Iterable[int]) -> dict[int, str]:
    """The agent of each call among ``call_ids`` that has one."""
    ids = list(call_ids)
    if not ids:
        return {}
    rows = conn.execute(sa.select(calls.c.id, calls.c.agent).where(calls.c.id.in_(ids), calls.c.agent.is_not(None)))
    return {int(i): str(a) for i, a in rows}
