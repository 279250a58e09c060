"""The router keeps its agent state machine: a Hypothesis rule-based test drives it the way a simulator or a live
floor would (calls arriving, agents answering, hanging up, pressing buttons, callers leaving) and checks after
every step: every state change allowed, ready iff in the idle queue, queue sizes equal waiting calls, time per
state adds up, and no call waits while an agent who could take it is ready."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from callops.errors import InvalidInput
from callops.records import AgentState, Outcome
from callops.routing import ALLOWED, AgentConfig, LiveAgent, LiveCall, QueueConfig, Router, Strategy

_PERSON_STATES = [AgentState.READY, AgentState.AWAY, AgentState.BREAK, AgentState.TRAINING, AgentState.RECOVERY,
                  AgentState.AFTER_CALL_WORK, AgentState.LOGGED_OUT]
_QUEUES = ("sales", "general")
_AGENTS = 4
_pick = st.integers(min_value=0, max_value=_AGENTS - 1)
_gap = st.sampled_from([0.0, 0.0, 1.0, 2.5, 30.0])  # zero-length states happen on every pick-up: test them often


class RouterMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0
        self.calls: list[LiveCall] = []
        self.moves: list[tuple[AgentState, AgentState]] = []
        self.router: Router

    @initialize(strategy=st.sampled_from(list(Strategy)), capacity=st.sampled_from([None, 1, 3]))
    def build(self, strategy: Strategy, capacity: int | None) -> None:
        queues = [QueueConfig("sales", "sales", capacity=capacity, overflow_to="general"),
                  QueueConfig("general", "general", priority=1)]
        agents = [AgentConfig("a1", {"sales": 1}), AgentConfig("a2", {"sales": 3, "general": 1}),
                  AgentConfig("a3", {"general": 2}), AgentConfig("a4", {"sales": 2, "general": 2})]
        self.router = Router(queues, agents, strategy=strategy, head_start_s={1: 20.0},
                             rng=np.random.default_rng(0),
                             watch=lambda _agent, old, new, _now: self.moves.append((old, new)))

    def _agent(self, i: int) -> LiveAgent:
        return self.router.agents[i]

    def _tick(self, gap: float) -> float:
        self.now += gap
        return self.now

    def _pick_up_if_ring_all(self, agent: LiveAgent, call: LiveCall) -> None:
        if self.router.strategy is Strategy.RING_ALL:
            self.router.cancel_ring_all(call, self.now)

    # -- calls ----------------------------------------------------------------------------------
    @rule(queue=st.sampled_from(_QUEUES), gap=_gap)
    def offer(self, queue: str, gap: float) -> None:
        call = LiveCall(len(self.calls) + 1, queue, self._tick(gap))
        self.calls.append(call)
        agent = self.router.offer(call, self.now)
        if agent is not None:
            assert agent.state is AgentState.RINGING and agent.call is call

    @rule(i=_pick, gap=_gap)
    def answer(self, i: int, gap: float) -> None:
        agent = self._agent(i)
        if agent.state is not AgentState.RINGING or agent.call is None:
            return
        call = self.router.answer(agent, self._tick(gap))
        self._pick_up_if_ring_all(agent, call)

    @rule(i=_pick, gap=_gap, acw=st.booleans(), then=st.sampled_from(["ready", "recover", "break"]))
    def hang_up(self, i: int, gap: float, acw: bool, then: str) -> None:
        agent = self._agent(i)
        if agent.state is not AgentState.ON_CALL or agent.call is None:
            return
        self.router.end_call(agent, self._tick(gap), acw=acw)
        if then == "recover":
            self.router.recover(agent, self.now)
        elif then == "break" and not agent.leaving:
            self.router.start_break(agent, self.now, "tea")
        elif not acw:
            self.router.ready(agent, self.now)

    @rule(i=_pick, gap=_gap)
    def no_answer(self, i: int, gap: float) -> None:
        agent = self._agent(i)
        if agent.state is AgentState.RINGING and agent.call is not None:
            self.router.no_answer(agent, self._tick(gap))

    @precondition(lambda self: any(c.waiting for c in self.calls))
    @rule(data=st.data(), gap=_gap, how=st.sampled_from(["abandon", "timeout", "callback", "overflow"]))
    def caller_side(self, data: st.DataObject, gap: float, how: str) -> None:
        call = data.draw(st.sampled_from([c for c in self.calls if c.waiting]))
        now = self._tick(gap)
        if how == "callback":
            self.router.request_callback(call)
        elif how == "overflow":
            agent = self.router.overflow(call, now)
            assert agent is None or (agent.state is AgentState.RINGING and agent.call is call)
        else:
            left = self.router.leave(call, now, Outcome.ABANDONED if how == "abandon" else Outcome.TIMEOUT)
            assert left is not call.callback and (not left or not call.waiting)

    # -- people ---------------------------------------------------------------------------------
    @rule(i=_pick, gap=_gap)
    def log_in(self, i: int, gap: float) -> None:
        self.router.login(self._agent(i), self._tick(gap))

    @rule(i=_pick, gap=_gap)
    def free_again(self, i: int, gap: float) -> None:
        """After-call work, recovery, away or a break is over (what the simulator's timers do)."""
        agent = self._agent(i)
        if agent.state in (AgentState.AFTER_CALL_WORK, AgentState.RECOVERY, AgentState.AWAY, AgentState.BREAK):
            self.router.ready(agent, self._tick(gap))

    @rule(i=_pick, state=st.sampled_from(_PERSON_STATES + [AgentState.ON_CALL, AgentState.HOLD]), gap=_gap,
          reason=st.sampled_from([None, "lunch", "coaching"]))
    def button(self, i: int, state: AgentState, gap: float, reason: str | None) -> None:
        """A person presses a state button: either it is applied, or it is refused and nothing changes."""
        agent = self._agent(i)
        before = (agent.state, agent.since, agent.reason, agent.call, list(agent.totals))
        try:
            call = self.router.set_state(agent, state, self._tick(gap), reason)
        except InvalidInput:
            assert (agent.state, agent.since, agent.reason, agent.call, list(agent.totals)) == before
            return
        if call is not None:
            assert state is AgentState.READY and agent.state is AgentState.RINGING and agent.call is call
        elif state is AgentState.LOGGED_OUT:
            assert agent.state is AgentState.LOGGED_OUT or agent.leaving
        else:
            assert agent.state is state
            if state is not AgentState.READY:
                assert agent.reason == reason

    # -- invariants -----------------------------------------------------------------------------
    @invariant()
    def every_move_is_allowed(self) -> None:
        for old, new in self.moves:
            assert new is old or new in ALLOWED[old], f"{old.value} -> {new.value}"

    @invariant()
    def ready_iff_in_the_idle_queue(self) -> None:
        for agent in self.router.agents:
            assert (agent.state is AgentState.READY) == (agent in agent.idle_queue)
            assert agent.idle_queue.count(agent) <= 1

    @invariant()
    def queue_sizes_equal_waiting_calls(self) -> None:
        for name, queue in self.router.queues.items():
            assert queue.size == sum(1 for c in self.calls if c.waiting and c.home == name)

    @invariant()
    def time_per_state_adds_up(self) -> None:
        for agent in self.router.agents:
            assert math.isclose(sum(agent.totals) + (self.now - agent.since), self.now, abs_tol=1e-6)

    @invariant()
    def no_call_waits_beside_a_ready_agent(self) -> None:
        for name, queue in self.router.queues.items():
            waiting = [c for c in queue.calls if c.waiting]
            if waiting:
                skill = queue.config.skill
                ready = [a for a in self.router.agents if a.state is AgentState.READY and skill in a.skills]
                assert not ready, f"{len(waiting)} calls wait in {name} while {ready[0].agent_id} is ready"

    @invariant()
    def calls_and_agents_point_at_each_other(self) -> None:
        for agent in self.router.agents:
            if agent.state in (AgentState.RINGING, AgentState.ON_CALL) and agent.call is not None:
                assert agent.call.agent is agent or agent in agent.call.ringing


RouterMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow])
TestRouterStateMachine = RouterMachine.TestCase


def test_set_state_refuses_the_states_calls_drive() -> None:
    """Ringing, on call, hold and outbound follow the calls: a button cannot set them."""
    router = Router([QueueConfig("q", "q")], [AgentConfig("a", {"q": 1})])
    agent = router.agents[0]
    router.login(agent, 0.0)
    for state in (AgentState.RINGING, AgentState.ON_CALL, AgentState.HOLD, AgentState.OUTBOUND):
        with pytest.raises(InvalidInput, match="follows the calls"):
            router.set_state(agent, state, 1.0)
    assert agent.state is AgentState.READY


def test_away_with_a_reason_then_ready_takes_the_waiting_call() -> None:
    """The away button keeps its reason and takes the agent out of routing; ready hands it the call that waited,
    the away time counted and the state machine passing through ready."""
    moves: list[tuple[AgentState, AgentState]] = []
    router = Router([QueueConfig("q", "q")], [AgentConfig("a", {"q": 1})],
                    watch=lambda _a, old, new, _t: moves.append((old, new)))
    agent = router.agents[0]
    router.login(agent, 0.0)
    assert router.set_state(agent, AgentState.AWAY, 10.0, "toilet") is None
    assert agent.state is AgentState.AWAY and agent.reason == "toilet" and agent not in agent.idle_queue
    call = LiveCall(1, "q", 20.0)
    assert router.offer(call, 20.0) is None and call.waiting
    assert router.set_state(agent, AgentState.READY, 70.0) is call
    assert AgentState(agent.state) is AgentState.RINGING
    assert agent.totals[list(AgentState).index(AgentState.AWAY)] == 60.0
    assert moves[-2:] == [(AgentState.AWAY, AgentState.READY), (AgentState.READY, AgentState.RINGING)]


def test_set_state_refuses_a_change_during_a_call() -> None:
    """An agent talking to a caller cannot go on break by button; logging out waits for the call's end."""
    router = Router([QueueConfig("q", "q")], [AgentConfig("a", {"q": 1})])
    agent = router.agents[0]
    router.login(agent, 0.0)
    router.offer(LiveCall(1, "q", 1.0), 1.0)
    router.answer(agent, 2.0)
    with pytest.raises(InvalidInput, match="has a call"):
        router.set_state(agent, AgentState.BREAK, 3.0, "lunch")
    router.set_state(agent, AgentState.LOGGED_OUT, 4.0)
    assert agent.state is AgentState.ON_CALL and agent.leaving
    router.end_call(agent, 50.0, acw=False)
    router.ready(agent, 50.0)
    assert AgentState(agent.state) is AgentState.LOGGED_OUT
