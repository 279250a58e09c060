"""The agent state machine: which state changes are allowed (callops.records.AgentState).

The router applies it to every change it makes (``Router._move`` and its fast paths), so a table entry is
a promise about the simulator's and the live floor's agent state intervals. Two entries follow from how
an ACD works rather than from a single button:

- ``on_call -> break``: a break an agent is due (or asked for) during a call starts when the call ends;
  after-call work already allows ``-> break``, and a queue without after-call work ends the work at
  hang-up.
- every "free again" path reaches ``ringing`` through ``ready``: an agent who finishes a call, comes back
  from away, recovery or a break while a caller waits is ready for zero seconds and rings at once. The
  table has no ``after_call_work -> ringing``; the router passes through ``ready`` (a zero-length state
  adds no time and no interval).
"""

from __future__ import annotations

from callops.errors import InvalidInput
from callops.records import AgentState

__all__ = ["ALLOWED", "check_transition"]

_OFF_DUTY = (AgentState.AWAY, AgentState.BREAK, AgentState.RECOVERY, AgentState.TRAINING)
ALLOWED: dict[AgentState, frozenset[AgentState]] = {
    AgentState.LOGGED_OUT: frozenset({AgentState.READY, AgentState.AWAY, AgentState.BREAK}),
    AgentState.READY: frozenset({AgentState.RINGING, AgentState.AWAY, AgentState.BREAK, AgentState.LOGGED_OUT,
                                 AgentState.TRAINING, AgentState.OUTBOUND}),
    # answered, no-answer timeout, caller left
    AgentState.RINGING: frozenset({AgentState.ON_CALL, AgentState.AWAY, AgentState.READY}),
    AgentState.ON_CALL: frozenset({AgentState.HOLD, AgentState.AFTER_CALL_WORK, AgentState.READY,
                                   AgentState.RECOVERY, AgentState.BREAK, AgentState.LOGGED_OUT}),
    AgentState.HOLD: frozenset({AgentState.ON_CALL, AgentState.AFTER_CALL_WORK, AgentState.READY}),
    AgentState.AFTER_CALL_WORK: frozenset({AgentState.READY, AgentState.RECOVERY, AgentState.AWAY,
                                           AgentState.BREAK, AgentState.LOGGED_OUT}),
    AgentState.OUTBOUND: frozenset({AgentState.READY, AgentState.AFTER_CALL_WORK, AgentState.LOGGED_OUT}),
    **{s: frozenset({AgentState.READY, AgentState.LOGGED_OUT, AgentState.AWAY, AgentState.BREAK})
       for s in _OFF_DUTY},
}


def check_transition(old: AgentState, new: AgentState) -> None:
    """Raise InvalidInput when an agent may not go from ``old`` to ``new``."""
    if new is not old and new not in ALLOWED[old]:
        raise InvalidInput(f"an agent cannot go from {old.value} to {new.value}", field="state")
