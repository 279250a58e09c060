"""What the switch adapter and the dialer read from the live event log (``live_events``).

``offered_channel``: the channel a queued call can be moved with (the ``channel`` a switch reported in the
call's ``call_offered`` event). ``agent_states_by_id``: each agent's last state with its log id, so the dialer
can tell a ready pressed after a call it connected from the ready before it.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from callops.live.events import LiveEventKind
from callops.store.schema import live_events

__all__ = ["agent_states_by_id", "offered_channel"]


def offered_channel(conn: sa.Connection, call_id: str) -> str | None:
    """``data.channel`` of the latest ``call_offered`` event of ``call_id`` (None: no such event or field)."""
    row = conn.execute(
        sa.select(live_events.c.data)
        .where(live_events.c.call_id == call_id, live_events.c.kind == LiveEventKind.CALL_OFFERED.value)
        .order_by(live_events.c.id.desc())
        .limit(1)
    ).first()
    if row is None or not isinstance(row.data, dict):
        return None
    channel = row.data.get("channel")
    return str(channel) if channel else None


def agent_states_by_id(conn: sa.Connection, agents: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Each agent's last ``agent_state`` event as (log id, state); agents never seen are absent."""
    out: dict[str, tuple[int, str]] = {}
    for agent in agents:
        row = conn.execute(
            sa.select(live_events.c.id, live_events.c.state)
            .where(live_events.c.agent == agent, live_events.c.kind == LiveEventKind.AGENT_STATE.value)
            .order_by(live_events.c.id.desc())
            .limit(1)
        ).first()
        if row is not None and row.state:
            out[agent] = (int(row.id), str(row.state))
    return out
