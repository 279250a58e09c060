"""The caller of an agent's current (or last) call, from the live event log: what the agent screen pops.

The agent's latest ringing/answered event (``live_events (agent, at)`` index) names the call; the call's
``call_offered`` event (``live_events (call_id, at)`` index, migration 0015) names the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from callops.store.schema import live_events

__all__ = ["LiveCaller", "current_caller"]

_LOOKBACK = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class LiveCaller:
    call_id: str
    caller: str | None  # as the PBX gave it (not normalised)
    kind: str  # call_ringing or call_answered
    at: dt.datetime


def current_caller(conn: sa.Connection, agent: str, *, now: dt.datetime) -> LiveCaller | None:
    """The call that last rang or was answered at ``agent`` within the hour before ``now``, with its caller."""
    e = live_events.c
    latest = conn.execute(
        sa.select(e.call_id, e.kind, e.at)
        .where(e.agent == agent, e.kind.in_(("call_ringing", "call_answered")), e.call_id.is_not(None),
               e.at >= now - _LOOKBACK, e.at <= now)
        .order_by(e.at.desc(), e.id.desc()).limit(1)).first()
    if latest is None:
        return None
    caller = conn.execute(
        sa.select(e.caller).where(e.kind == "call_offered", e.call_id == latest.call_id,
                                  e.at >= latest.at - _LOOKBACK, e.at <= latest.at)
        .order_by(e.at.desc()).limit(1)).scalar_one_or_none()
    return LiveCaller(latest.call_id, caller, latest.kind, latest.at)
