"""The rows ticket KPIs (the service desk) are measured over: :func:`callops.store.kpi_query.query_buckets`
aggregates them like calls, so a report may mix ticket and call KPIs; a ticket counts in the bucket (day, in
the report's zone) it was opened."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from callops.store.schema import agents, desk_contacts, tickets

__all__ = ["ticket_base", "contact_base"]

_HOUR_MS = 3_600_000.0


def ticket_base(*, lo_ms: int, upper_ms: int, dims: Sequence[str],
                only_agents: frozenset[str] | None, repeat_window_ms: int | None = None) -> sa.Subquery:
    """Tickets opened in ``[lo_ms, upper_ms)`` as rows of ``opened_ms``, category, escalated, contacts,
    customer_id, ``resolved_ms``, ``resolution_h``, ``next_issue_gap_s`` and the dimensions (agent: the owner;
    team: the ticket's team, else the owner's). With ``repeat_window_ms`` the rows reach that far past
    ``upper_ms`` (the caller cuts them at ``upper_ms``) so ``next_issue_gap_s`` — seconds to the same
    customer's next ticket of the same category — sees repeats after the range's end; NULL otherwise."""
    t = tickets.c
    opened = sa.type_coerce(t.opened_at, sa.BigInteger)
    resolved = sa.type_coerce(t.resolved_at, sa.BigInteger)
    if repeat_window_ms is not None:
        nxt = sa.func.lead(opened).over(partition_by=(t.customer_id, t.category), order_by=(opened, t.id))
        gap: Any = ((nxt - opened) / sa.literal(1000.0, sa.Float)).label("next_issue_gap_s")
        upper_ms += repeat_window_ms
    else:
        gap = sa.null().label("next_issue_gap_s")
    columns: list[Any] = [opened.label("opened_ms"), t.category, t.escalated, t.contacts, t.customer_id,
                          resolved.label("resolved_ms"),
                          ((resolved - opened) / sa.literal(_HOUR_MS, sa.Float)).label("resolution_h"), gap]
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


def contact_base(*, lo_ms: int, upper_ms: int, dims: Sequence[str],
                 only_agents: frozenset[str] | None) -> sa.Subquery:
    """Contact forms saved in ``[lo_ms, upper_ms)`` as rows of ``saved_ms``, ``acw_s`` and the dimensions
    (agent: who saved it; team: that agent's team)."""
    d = desk_contacts.c
    saved = sa.type_coerce(d.saved_at, sa.BigInteger)
    columns: list[Any] = [saved.label("saved_ms"), d.acw_s]
    source: Any = desk_contacts
    if "agent" in dims:
        columns.append(d.agent.label("agent"))
    if "team" in dims:
        source = desk_contacts.outerjoin(agents, agents.c.agent_id == d.agent)
        columns.append(agents.c.team.label("team"))
    where = [saved >= sa.literal(lo_ms, sa.BigInteger), saved < sa.literal(upper_ms, sa.BigInteger)]
    if only_agents is not None:
        where.append(d.agent.in_(sorted(only_agents)) if only_agents else sa.false())
    return sa.select(*columns).select_from(source).where(*where).subquery("base")
