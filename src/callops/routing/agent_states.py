"""The agent state machine: which state changes are allowed (callops.records.AgentState)."""

from __future__ import annotations

from callops.errors import InvalidInput
from callops.records import AgentState

__all__ = ["ALLOWED", "check_transition"]

S = AgentState
_OFF_DUTY = (S.AWAY, S.BREAK, S.RECOVERY, S.TRAINING)
ALLOWED: dict[AgentState, frozenset[AgentState]] = {
    S.LOGGED_OUT: frozenset({S.READY, S.AWAY, S.BREAK}),
    S.READY: frozenset({S.RINGING, S.AWAY, S.BREAK, S.LOGGED_OUT, S.TRAINING, S.OUTBOUND}),
    S.RINGING: frozenset({S.ON_CALL, S.AWAY, S.READY}),  # answered, no-answer timeout, caller left
    S.ON_CALL: frozenset({S.HOLD, S.AFTER_CALL_WORK, S.READY, S.RECOVERY, S.LOGGED_OUT}),
    S.HOLD: frozenset({S.ON_CALL, S.AFTER_CALL_WORK, S.READY}),
    S.AFTER_CALL_WORK: frozenset({S.READY, S.RECOVERY, S.AWAY, S.BREAK, S.LOGGED_OUT}),
    S.OUTBOUND: frozenset({S.READY, S.AFTER_CALL_WORK, S.LOGGED_OUT}),
    **{s: frozenset({S.READY, S.LOGGED_OUT, S.AWAY, S.BREAK}) for s in _OFF_DUTY},
}


def check_transition(old: AgentState, new: AgentState) -> None:
    """Raise InvalidInput when an agent may not go from ``old`` to ``new``."""
    if new is not old and new not in ALLOWED[old]:
        raise InvalidInput(f"an agent cannot go from {old.value} to {new.value}", field="state")
