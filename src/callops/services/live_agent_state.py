"""Agent state from people: the agent's own buttons and a team lead setting a state with a reason.

Each change is checked against the agent state machine (``routing.agent_states.check_transition``)
from the agent's last state in the live event log (logged out when it has none), appended to the log as
an ``agent_state`` live event and, in the same transaction, closes the previous state as an agent state
interval (``agent_intervals``, source ``callops-live``) that the reports read. A previous state that came
from a PBX feed is closed by that feed's own records, not here.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.live.events import LiveEvent, LiveEventKind
from callops.records import AgentInterval, AgentState
from callops.routing.agent_states import check_transition
from callops.store.live_events import append_events, latest_agent_states
from callops.store.records import insert_intervals

__all__ = ["INTERVAL_SOURCE", "EVENT_SOURCE", "PERSON_STATES", "set_agent_state", "REASON_MAX"]

INTERVAL_SOURCE = "callops-live"
EVENT_SOURCE = "web"
REASON_MAX = 80
# what a person may choose; ringing / on call / hold come from the PBX
PERSON_STATES = (AgentState.READY, AgentState.AWAY, AgentState.AFTER_CALL_WORK, AgentState.RECOVERY,
                 AgentState.BREAK, AgentState.TRAINING, AgentState.LOGGED_OUT)


def set_agent_state(conn: sa.Connection, agent: str, state: AgentState, *, reason: str | None, at: dt.datetime,
                    by: str) -> int:
    """Record ``agent`` going to ``state`` at ``at`` (set by user ``by``); the id of the live event."""
    if state not in PERSON_STATES:
        raise InvalidInput(f"{state.value} is set by the phone system, not by a person", field="state")
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > REASON_MAX:
        raise InvalidInput(f"at most {REASON_MAX} characters", field="reason")
    if state is AgentState.AWAY and reason is None:
        raise InvalidInput("say why the agent is away", field="reason")
    last = latest_agent_states(conn, [agent]).get(agent)
    old = AgentState(last.state) if last is not None and last.state else AgentState.LOGGED_OUT
    check_transition(old, state)
    if last is not None and at < last.at:
        raise InvalidInput("the time is before the agent's last state change", field="at")
    if last is not None and last.source == EVENT_SOURCE and old is not AgentState.LOGGED_OUT and at > last.at:
        insert_intervals(conn, [AgentInterval(source=INTERVAL_SOURCE, agent=agent, state=old, start_at=last.at,
                                              end_at=at, reason=last.reason)])
    return append_events(conn, [LiveEvent(LiveEventKind.AGENT_STATE, at, EVENT_SOURCE, agent=agent,
                                          state=state.value, reason=reason, data={"by": by})])
