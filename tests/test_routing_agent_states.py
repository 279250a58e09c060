"""Tests for the agent state machine."""

from __future__ import annotations

import pytest

from callops.errors import InvalidInput
from callops.records import AgentState
from callops.routing import ALLOWED, check_transition


def test_every_state_has_allowed_moves() -> None:
    """Each agent state lists where it may go next."""
    assert set(ALLOWED) == set(AgentState)


def test_ringing_agent_can_answer_or_time_out() -> None:
    """Ringing leads to on-call (answered) or away (no-answer timeout)."""
    check_transition(AgentState.RINGING, AgentState.ON_CALL)
    check_transition(AgentState.RINGING, AgentState.AWAY)


def test_logged_out_agent_cannot_take_a_call() -> None:
    """A logged-out agent cannot jump straight onto a call."""
    with pytest.raises(InvalidInput, match="logged_out to on_call"):
        check_transition(AgentState.LOGGED_OUT, AgentState.ON_CALL)
