"""Live events: the one vocabulary of what happens on the floor, whatever the source.

A PBX feed (Asterisk queue_log follower, AMI, FreeSWITCH Event Socket), an agent pressing a state
button and the practice floor (the simulator on the wall clock) each turn what they see into
``LiveEvent`` values and hand them to an ``EventSink``. The event log appends them before anything
acts on them; the wallboard, the supervisor view and the agent state intervals are projections.

Times are aware UTC. ``call_id`` is the source's id of the call (an Asterisk uniqueid, a simulated
call number); ``source`` says where the event came from (``asterisk:/var/log/...``, ``sim:practice``,
``web``) so two sources never share a call id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

__all__ = ["EventSink", "LiveEvent", "LiveEventKind"]


class LiveEventKind(StrEnum):
    CALL_OFFERED = "call_offered"  # the call entered a queue (queue, caller)
    CALL_RINGING = "call_ringing"  # the call is offered to an agent (queue, agent)
    CALL_ANSWERED = "call_answered"  # an agent answered (queue, agent)
    CALL_HELD = "call_held"  # the agent put the caller on hold
    CALL_RESUMED = "call_resumed"  # back from hold
    CALL_TRANSFERRED = "call_transferred"  # sent onward (data: target)
    CALL_ABANDONED = "call_abandoned"  # the caller left the queue before an answer
    CALL_TIMEOUT = "call_timeout"  # the system took the call out of the queue (max wait, no agents, callback)
    CALL_ENDED = "call_ended"  # an answered call finished (talk over)
    IVR_STEP = "ivr_step"  # the caller moved in the IVR (data: node, choice)
    AGENT_STATE = "agent_state"  # an agent changed state (agent, state, reason)


@dataclass(frozen=True, slots=True)
class LiveEvent:
    kind: LiveEventKind
    at: dt.datetime
    source: str
    call_id: str | None = None
    queue: str | None = None
    agent: str | None = None
    caller: str | None = None
    state: str | None = None  # AgentState value for AGENT_STATE events
    reason: str | None = None  # away reason, timeout cause, ...
    data: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() != dt.timedelta(0):
            raise ValueError("LiveEvent.at must be an aware UTC datetime")


class EventSink(Protocol):
    """Where a live source hands its events (the event log, a test list, the fan-out bus)."""

    def __call__(self, event: LiveEvent, /) -> None: ...
