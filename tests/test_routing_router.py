"""Tests for the routing core: strategies, queues, overflow, capacity, callbacks and agent states."""

from __future__ import annotations

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.records import AgentState, Outcome
from callops.routing import AgentConfig, LiveCall, QueueConfig, Router, Strategy


def _router(strategy: Strategy = Strategy.LONGEST_IDLE, **queue: object) -> Router:
    queues = [QueueConfig("sales", "sales", **queue), QueueConfig("general", "general")]  # type: ignore[arg-type]
    agents = [AgentConfig("a1", {"sales": 1}), AgentConfig("a2", {"sales": 3, "general": 1}),
              AgentConfig("a3", {"general": 2})]
    return Router(queues, agents, strategy=strategy, rng=np.random.default_rng(1))


def _login_all(router: Router, times: tuple[float, ...] = (0.0, 1.0, 2.0)) -> None:
    for agent, t in zip(router.agents, times, strict=True):
        router.login(agent, t)


def test_longest_idle_agent_gets_the_call() -> None:
    """The eligible agent idle the longest is chosen."""
    router = _router()
    _login_all(router)
    agent = router.offer(LiveCall(1, "sales", 10.0), 10.0)
    assert agent is not None and agent.agent_id == "a1"
    assert agent.state is AgentState.RINGING


def test_highest_skill_agent_gets_the_call() -> None:
    """The highest skill level wins over idle time."""
    router = _router(Strategy.HIGHEST_SKILL)
    _login_all(router)
    agent = router.offer(LiveCall(1, "sales", 10.0), 10.0)
    assert agent is not None and agent.agent_id == "a2"


def test_fewest_calls_agent_gets_the_call() -> None:
    """The agent with fewer calls handled is chosen."""
    router = _router(Strategy.FEWEST_CALLS)
    _login_all(router)
    router.agents[0].calls = 5
    agent = router.offer(LiveCall(1, "sales", 10.0), 10.0)
    assert agent is not None and agent.agent_id == "a2"


def test_round_robin_cycles_through_agents() -> None:
    """Round robin hands successive calls to successive agents."""
    router = _router(Strategy.ROUND_ROBIN)
    _login_all(router)
    first = router.offer(LiveCall(1, "sales", 10.0), 10.0)
    second = router.offer(LiveCall(2, "sales", 11.0), 11.0)
    assert first is not None and second is not None and first is not second


def test_random_strategy_needs_a_generator() -> None:
    """The random strategy refuses to run without a numpy Generator."""
    with pytest.raises(InvalidInput, match="Generator"):
        Router([QueueConfig("q", "q")], [AgentConfig("a", {"q": 1})], strategy=Strategy.RANDOM)


def test_call_waits_and_goes_to_the_freed_agent() -> None:
    """With nobody free the call queues; the next agent to finish takes it."""
    router = _router()
    a1 = router.agents[0]
    router.login(a1, 0.0)
    assert router.offer(LiveCall(1, "sales", 1.0), 1.0) is a1
    router.answer(a1, 1.0)
    waiting = LiveCall(2, "sales", 2.0)
    assert router.offer(waiting, 2.0) is None and waiting.waiting
    router.end_call(a1, 50.0, acw=False)
    assert router.ready(a1, 50.0) is waiting
    assert router.answer(a1, 50.0).answered_at == 50.0


def test_full_queue_refuses_the_call() -> None:
    """A queue at capacity times the call out at once."""
    router = _router(capacity=1)
    router.offer(LiveCall(1, "sales", 0.0), 0.0)
    refused = LiveCall(2, "sales", 1.0)
    assert router.offer(refused, 1.0) is None
    assert refused.outcome is Outcome.TIMEOUT


def test_abandoned_call_is_not_served() -> None:
    """A caller who left is skipped when an agent frees up."""
    router = _router()
    call = LiveCall(1, "sales", 0.0)
    router.offer(call, 0.0)
    assert router.leave(call, 30.0, Outcome.ABANDONED)
    router.login(router.agents[0], 40.0)
    assert router.agents[0].state is AgentState.READY and call.outcome is Outcome.ABANDONED


def test_overflow_reaches_the_other_queue() -> None:
    """After the threshold a waiting call is offered to the overflow queue's agents."""
    router = _router(overflow_after_s=60.0, overflow_to="general")
    call = LiveCall(1, "sales", 0.0)
    router.offer(call, 0.0)
    a3 = router.agents[2]
    router.login(a3, 10.0)
    assert a3.state is AgentState.READY
    assert router.overflow(call, 60.0) is a3


def test_callback_keeps_its_place_and_cannot_abandon() -> None:
    """A caller on virtual hold keeps their place, does not abandon and is served as a callback."""
    router = _router()
    call = LiveCall(1, "sales", 0.0)
    router.offer(call, 0.0)
    router.request_callback(call)
    assert not router.leave(call, 100.0, Outcome.ABANDONED)
    a1 = router.agents[0]
    assert router.login(a1, 200.0) is call
    router.answer(a1, 200.0)
    assert router.end_call(a1, 300.0, acw=True).outcome is Outcome.CALLBACK
    assert a1.state is AgentState.AFTER_CALL_WORK


def test_no_answer_sends_agent_away_and_call_back() -> None:
    """On ring timeout the agent goes away with a reason and the call returns to the queue front."""
    router = _router()
    a1 = router.agents[0]
    router.login(a1, 0.0)
    call = LiveCall(1, "sales", 1.0)
    router.offer(call, 1.0)
    assert router.no_answer(a1, 16.0) is None
    assert a1.state is AgentState.AWAY and a1.reason == "ring_no_answer" and call.waiting


def test_priority_head_start_wins() -> None:
    """A priority call with a head start is served before an older normal call."""
    queues = [QueueConfig("normal", "x"), QueueConfig("vip", "x", priority=1)]
    router = Router(queues, [AgentConfig("a", {"x": 1})], head_start_s={1: 60.0})
    old, vip = LiveCall(1, "normal", 0.0), LiveCall(2, "vip", 30.0)
    router.offer(old, 0.0)
    router.offer(vip, 30.0)
    assert router.login(router.agents[0], 40.0) is vip


def test_time_in_states_adds_up() -> None:
    """Time per state sums to the time since login."""
    router = _router()
    a1 = router.agents[0]
    router.login(a1, 0.0)
    router.offer(LiveCall(1, "sales", 10.0), 10.0)
    router.answer(a1, 12.0)
    router.end_call(a1, 100.0, acw=True)
    router.ready(a1, 110.0)
    router.logout(a1, 130.0)
    assert sum(a1.totals) == pytest.approx(130.0)


def test_ring_all_rings_every_idle_agent_and_frees_the_others() -> None:
    """Ring-all rings each idle eligible agent; when one picks up the others are free (or take a waiting call)."""
    router = _router(Strategy.RING_ALL)
    _login_all(router)
    first = LiveCall(1, "sales", 10.0)
    primary = router.offer(first, 10.0)
    assert primary is not None and primary.agent_id == "a1"
    a1, a2, a3 = router.agents
    assert (a1.state, a2.state, a3.state) == (AgentState.RINGING, AgentState.RINGING, AgentState.READY)
    waiting = LiveCall(2, "sales", 11.0)
    assert router.offer(waiting, 11.0) is None  # both sales agents ring: the second call waits
    router.answer(a2, 12.0)  # a2 picks up first
    rung = router.cancel_ring_all(first, 12.0)
    assert first.agent is a2 and a2.state is AgentState.ON_CALL
    assert rung == [a1] and a1.call is waiting and a1.state is AgentState.RINGING


def test_ring_all_no_answer_leaves_the_call_with_the_other_ringing_agent() -> None:
    """Under ring-all an agent who does not answer goes away; the call keeps ringing at the other agent."""
    router = _router(Strategy.RING_ALL)
    _login_all(router)
    call = LiveCall(1, "sales", 10.0)
    primary = router.offer(call, 10.0)
    assert primary is not None
    other = router.no_answer(primary, 15.0)
    assert other is not None and other.agent_id == "a2" and other.state is AgentState.RINGING
    assert primary.state is AgentState.AWAY and router.answer(other, 16.0) is call


def test_break_takes_an_idle_agent_out_of_routing_until_ready() -> None:
    """An idle agent on break gets no call; a ringing or talking agent cannot start one; ready ends the break and
    hands over the call that waited meanwhile."""
    router = _router()
    _login_all(router)
    a1 = router.agents[0]
    router.start_break(a1, 5.0, "lunch")
    on_break: AgentState = a1.state  # read once: mypy would narrow a1.state and think it cannot change
    assert on_break is AgentState.BREAK and a1.reason == "lunch"
    picked = router.offer(LiveCall(1, "sales", 6.0), 6.0)
    assert picked is not None and picked.agent_id == "a2"
    with pytest.raises(InvalidInput, match="with a call"):
        router.start_break(picked, 7.0)
    waiting = LiveCall(2, "sales", 8.0)
    assert router.offer(waiting, 8.0) is None
    assert router.ready(a1, 20.0) is waiting and a1.state is AgentState.RINGING
    assert a1.totals[list(AgentState).index(AgentState.BREAK)] == 15.0
