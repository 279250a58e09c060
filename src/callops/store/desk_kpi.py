"""The rows ticket KPIs (the service desk) are measured over: :func:`callops.store.kpi_query.query_buckets`
aggregates them like calls, so a report may mix ticket and call KPIs; a ticket counts in the bucket (day, in
the report's zone) it was opened."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from callops.store.schema import agents, tickets

__all__ = ["ticket_base"]

_HOUR_MS = 3_600_000.0


def ticket_base(*, lo_ms: int, upper_ms: int, dims: Sequence[str],
                only_agents: frozenset[str] | None) -> sa.Subquery:
    """Tickets opened in ``[lo_ms, upper_ms)`` as rows of ``opened_ms``, category, escalated, contacts,
    ``resolved_ms``, ``resolution_h`` and the dimensions (agent: the owner; team: the ticket's team, else the
    owner's)."""
    t = tickets.c
    opened = sa.type_coerce(t.opened_at, sa.BigInteger)
    resolved = sa.type_coerce(t.resolved_at, sa.BigInteger)
    columns: list[Any] = [opened.label("opened_ms"), t.category, t.escalated, t.contacts,
                          resolved.label("resolved_ms"),
                          ((resolved - opened) / sa.literal(_HOUR_MS, sa.Float)).label("resolution_h")]
    source: Any = tickets
    if "agent" in dims:
        columns.append(t.owner.label("agent"))
    if "team" in dims:
        source = tickets.outerjoin(agents, agents.c.agent_id == t.owner)
        columns.append(sa.func.coalesce(t.team, agents.c.team).label("team"))
    where = [opened >= sa.literal(lo_ms, sa.BigInteger), opened < sa.literal(upper_ms, sa.BigInteger)]
    if only_agents is not None:
        where.append(t.owner.in_(sorted(only_agents)) if only_agents else sa.false())
    return sa.select(*columns).select_from(source).where(*where).subquery("base")
