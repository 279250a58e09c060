"""The routing core: queues, idle agents, strategies and the agent state machine, with no clock.

Every method is given ``now`` (seconds on whatever clock the driver uses) and returns its decision;
the simulator drives it on a virtual clock, a live ACD on the wall clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from callops.errors import InvalidInput
from callops.records import AgentState, Outcome
from callops.routing.agent_states import ALLOWED, check_transition
from callops.routing.config import AgentConfig, QueueConfig, Strategy

__all__ = ["LiveAgent", "LiveCall", "Router", "StateSink", "StateWatch"]

STATE_INDEX = {state: i for i, state in enumerate(AgentState)}
# Enum members as module constants: ``AgentState.READY`` is a lookup through the enum's metaclass, several
# times slower than a global, and the hot paths below use these on every call.
_LOGGED_OUT, _READY, _RINGING = AgentState.LOGGED_OUT, AgentState.READY, AgentState.RINGING
_ON_CALL, _AFTER_CALL_WORK, _AWAY = AgentState.ON_CALL, AgentState.AFTER_CALL_WORK, AgentState.AWAY
_RECOVERY, _BREAK, _TRAINING = AgentState.RECOVERY, AgentState.BREAK, AgentState.TRAINING
_OUTBOUND = AgentState.OUTBOUND
# Per state: its index in ``LiveAgent.totals`` and the states it may go to, as a tuple in the order the router
# most often makes the move (``in`` on a tuple stops at the first identical member: ready, the usual next
# state, costs one comparison, less than hashing into a frozenset).
_USUAL_NEXT = (_READY, _AFTER_CALL_WORK, _RINGING, _ON_CALL, _RECOVERY, _BREAK, _AWAY, _LOGGED_OUT)
_STATE_TABLE: dict[AgentState, tuple[int, tuple[AgentState, ...]]] = {
    state: (STATE_INDEX[state], tuple(sorted(ALLOWED[state], key=lambda s: (s not in _USUAL_NEXT,
                                                                          _USUAL_NEXT.index(s) if s in _USUAL_NEXT
                                                                          else STATE_INDEX[s]))))
    for state in AgentState}
# The states a person sets (the agent's buttons, a team lead); the others follow the calls.
_PERSON_STATES = frozenset({_READY, _AWAY, _BREAK, _TRAINING, _RECOVERY, _AFTER_CALL_WORK, _LOGGED_OUT})
_LONGEST_IDLE, _HIGHEST_SKILL, _FEWEST_CALLS = Strategy.LONGEST_IDLE, Strategy.HIGHEST_SKILL, Strategy.FEWEST_CALLS
_RANDOM, _RING_ALL = Strategy.RANDOM, Strategy.RING_ALL
_ANSWERED, _CALLBACK, _TIMEOUT = Outcome.ANSWERED, Outcome.CALLBACK, Outcome.TIMEOUT
_RINGING_INDEX = STATE_INDEX[_RINGING]
_ON_CALL_ENTRY, _RINGING_ENTRY = _STATE_TABLE[_ON_CALL], _STATE_TABLE[_RINGING]


class LiveCall:
    """A call inside the core; mutable while it lives, turned into a ``Call`` record when it ends."""

    __slots__ = ("call_id", "queue", "priority", "arrived_at", "queued_at", "answered_at", "ended_at",
                 "agent", "outcome", "waiting", "callback", "attempt", "talk_s", "hold_s", "acw_s", "home",
                 "ringing", "ivr_entered_at")

    def __init__(self, call_id: int, queue: str, arrived_at: float, attempt: int = 0) -> None:
        self.call_id = call_id
        self.queue = queue
        self.home = queue
        self.priority = 0
        self.arrived_at = arrived_at
        self.queued_at: float | None = None
        self.answered_at: float | None = None
        self.ended_at: float | None = None
        self.agent: LiveAgent | None = None
        self.outcome: Outcome | None = None
        self.waiting = False
        self.callback = False
        self.attempt = attempt
        self.talk_s = 0.0
        self.hold_s = 0.0
        self.acw_s = 0.0
        self.ringing: list[LiveAgent] = []  # ring-all: every agent ringing for this call
        self.ivr_entered_at: float | None = None  # came through the IVR: when it entered it


class LiveAgent:
    """An agent's live state: current state since when, calls taken, time per state."""

    __slots__ = ("agent_id", "index", "skills", "state", "since", "reason", "calls", "call", "totals",
                 "idle_queue", "leaving", "state_index", "next_states")

    def __init__(self, config: AgentConfig, index: int) -> None:
        self.agent_id = config.agent_id
        self.index = index
        self.skills = dict(config.skills)
        self.state = _LOGGED_OUT
        self.state_index, self.next_states = _STATE_TABLE[_LOGGED_OUT]  # follow ``state``
        self.since = 0.0
        self.reason: str | None = None
        self.calls = 0
        self.call: LiveCall | None = None
        self.totals = [0.0] * len(STATE_INDEX)
        self.idle_queue: deque[LiveAgent] = deque()  # the ready agents with its skills, longest idle first
        self.leaving = False


StateSink = Callable[[LiveAgent, AgentState, float, float, "str | None"], None]
"""Called as an agent leaves a state it was in for a positive time: (agent, state, start, end, reason)."""
StateWatch = Callable[[LiveAgent, AgentState, AgentState, float], None]
"""Called after every state change, zero-length ones included: (agent, old state, new state, now)."""


class _Queue:
    """A queue's waiting calls (``calls`` may hold calls no longer waiting: skipped when met), ``size`` the
    waiting calls that arrived to it, and the skill groups that serve it, best level first."""

    __slots__ = ("config", "calls", "size", "groups", "next_member")

    def __init__(self, config: QueueConfig) -> None:
        self.config = config
        self.calls: deque[LiveCall] = deque()
        self.size = 0
        self.groups: list[tuple[int, deque[LiveAgent], list[LiveAgent]]] = []
        self.next_member = 0  # round robin: where the next search starts among the members


class Router:
    """Queues and agents; picks an agent for a call and a call for an agent."""

    def __init__(
        self,
        queues: Sequence[QueueConfig],
        agents: Sequence[AgentConfig],
        *,
        strategy: Strategy = Strategy.LONGEST_IDLE,
        head_start_s: Mapping[int, float] | None = None,
        rng: np.random.Generator | None = None,
        sink: StateSink | None = None,
        watch: StateWatch | None = None,
    ) -> None:
        if strategy is _RANDOM and rng is None:
            raise InvalidInput("the random strategy needs a numpy Generator", field="strategy")
        self.strategy = strategy
        self.head_start_s = dict(head_start_s or {})
        self.rng = rng
        self.sink = sink
        self.watch = watch
        self.queues = {q.name: _Queue(q) for q in queues}
        for q in queues:
            if q.overflow_to is not None and q.overflow_to not in self.queues:
                raise InvalidInput(f"queue {q.name} overflows to unknown queue {q.overflow_to}", field="overflow")
        self.agents = [LiveAgent(a, i) for i, a in enumerate(agents)]
        self.by_id = {a.agent_id: a for a in self.agents}
        groups: dict[tuple[tuple[str, int], ...], tuple[deque[LiveAgent], list[LiveAgent]]] = {}
        for agent in self.agents:
            key = tuple(sorted(agent.skills.items()))
            idle, members = groups.setdefault(key, (deque(), []))
            agent.idle_queue = idle
            members.append(agent)
        # per agent index, the queues it serves, best level first
        self._serves: list[list[_Queue]] = [[] for _ in self.agents]
        for key, (idle, members) in groups.items():
            skills = dict(key)
            served: list[tuple[int, _Queue]] = []
            for queue in self.queues.values():
                level = skills.get(queue.config.skill)
                if level is not None:
                    queue.groups.append((level, idle, members))
                    served.append((level, queue))
            served.sort(key=lambda lq: -lq[0])
            serves = [queue for _level, queue in served]
            for agent in members:
                self._serves[agent.index] = serves
        for queue in self.queues.values():
            queue.groups.sort(key=lambda g: -g[0])

    # -- agent states ---------------------------------------------------------------------------
    def set_state(self, agent: LiveAgent, state: AgentState, now: float,
                  reason: str | None = None) -> LiveCall | None:
        """A person sets ``agent``'s state (the agent's buttons, a team lead), checked by the state machine.

        ``ready`` takes the best waiting call at once: the call is returned, the agent ringing for it.
        ``logged_out`` during a call logs out when the call is over. Ringing, on call, hold and outbound follow
        the calls and cannot be set; nor can any other state while the agent has a call.
        """
        if state not in _PERSON_STATES:
            raise InvalidInput(f"{state.value} follows the calls; it cannot be set", field="state")
        if state is _LOGGED_OUT:
            self.logout(agent, now)
            return None
        if agent.call is not None:
            raise InvalidInput(f"agent {agent.agent_id} has a call ({agent.state.value}): finish it first",
                               field="state")
        if state is _READY:
            if agent.state is _LOGGED_OUT:
                return self.login(agent, now)
            agent.leaving = False
            return None if agent.state is _READY else self.ready(agent, now)
        check_transition(agent.state, state)
        self._move(agent, state, now, reason)
        return None

    def _move(self, agent: LiveAgent, state: AgentState, now: float, reason: str | None = None) -> None:
        """Every state change but the fast paths of ``answer`` and ``_ring_free``: checked, timed, recorded."""
        old = agent.state
        if state not in agent.next_states:
            check_transition(old, state)  # raises unless it stays in the same state
        since = agent.since
        if now != since:  # a zero-length state (ringing picked up at once) adds nothing and records nothing
            agent.totals[agent.state_index] += now - since
            if self.sink is not None and now > since:
                self.sink(agent, old, since, now, agent.reason)
        if old is _READY:
            agent.idle_queue.remove(agent)
        agent.state = state
        agent.state_index, agent.next_states = _STATE_TABLE[state]
        agent.since = now
        agent.reason = reason
        if state is _READY:
            agent.idle_queue.append(agent)
        if self.watch is not None:
            self.watch(agent, old, state, now)

    def login(self, agent: LiveAgent, now: float) -> LiveCall | None:
        """Log ``agent`` in; returns the waiting call it now rings for, if any."""
        agent.leaving = False
        if agent.state is _LOGGED_OUT:
            self._move(agent, _READY, now)
            return self.ready(agent, now)
        return None

    def logout(self, agent: LiveAgent, now: float) -> None:
        """Log ``agent`` out now when idle or off duty, else after its current call."""
        if agent.state in (_READY, _AWAY, _BREAK, _RECOVERY, _TRAINING):
            self._move(agent, _LOGGED_OUT, now)
        elif agent.state is not _LOGGED_OUT:
            agent.leaving = True

    # -- calls ----------------------------------------------------------------------------------
    def offer(self, call: LiveCall, now: float) -> LiveAgent | None:
        """A call reaches its queue: returns the agent now ringing, or ``None`` when it waits or is refused.

        A refused call (queue full or no agent logged in to a queue with capacity 0) gets outcome TIMEOUT.
        """
        queue = self.queues.get(call.queue)
        if queue is None:
            raise InvalidInput(f"unknown queue {call.queue}", field="queue")
        call.priority = queue.config.priority
        call.queued_at = now
        agent = self._pick_agent(queue)
        if agent is not None:
            if self.strategy is _RING_ALL:
                self._ring_new(queue, agent, call, now)
            else:  # self._ring(agent, call, now), inline: the most frequent move of all
                since = agent.since
                if now != since:
                    agent.totals[agent.state_index] += now - since
                    if self.sink is not None and now > since:
                        self.sink(agent, _READY, since, now, agent.reason)
                agent.idle_queue.remove(agent)
                agent.state = _RINGING
                agent.state_index, agent.next_states = _RINGING_ENTRY
                agent.since = now
                agent.reason = None
                agent.call = call
                call.agent = agent
                if self.watch is not None:
                    self.watch(agent, _READY, _RINGING, now)
            return agent
        cap = queue.config.capacity
        if cap is not None and queue.size >= cap:
            call.outcome = _TIMEOUT
            call.ended_at = now
            return None
        call.waiting = True
        queue.calls.append(call)
        queue.size += 1
        return None

    def overflow(self, call: LiveCall, now: float) -> LiveAgent | None:
        """The call has waited past its queue's threshold: it also waits in the overflow queue."""
        if not call.waiting:
            return None
        target = self.queues[call.queue].config.overflow_to
        if target is None:
            return None
        queue = self.queues[target]
        agent = self._pick_agent(queue)
        if agent is not None:
            self._leave(call)
            self._ring_new(queue, agent, call, now)
            return agent
        queue.calls.append(call)
        return None

    def request_callback(self, call: LiveCall) -> None:
        """Virtual hold: the caller hangs up but keeps their place; an agent will call back."""
        if call.waiting:
            call.callback = True

    def leave(self, call: LiveCall, now: float, outcome: Outcome) -> bool:
        """The caller abandons (or the system times the call out); False when it was no longer waiting."""
        if not call.waiting or call.callback:
            return False
        self._leave(call)
        call.outcome = outcome
        call.ended_at = now
        return True

    def _leave(self, call: LiveCall) -> None:
        call.waiting = False
        self.queues[call.home].size -= 1

    def answer(self, agent: LiveAgent, now: float) -> LiveCall:
        """The ringing agent picks up."""
        call = agent.call
        if call is None or agent.state is not _RINGING:
            raise InvalidInput(f"agent {agent.agent_id} is not ringing", field="state")
        since = agent.since  # _move(agent, ON_CALL, now) without the idle-queue steps, which cannot apply here
        if now != since:
            agent.totals[_RINGING_INDEX] += now - since
            if self.sink is not None and now > since:
                self.sink(agent, _RINGING, since, now, agent.reason)
        agent.state = _ON_CALL
        agent.state_index, agent.next_states = _ON_CALL_ENTRY
        agent.since = now
        agent.reason = None
        if self.watch is not None:
            self.watch(agent, _RINGING, _ON_CALL, now)
        call.agent = agent  # under ring-all, whichever ringing agent picked up
        call.answered_at = now
        agent.calls += 1
        return call

    def take_outbound(self, queue_name: str, call: LiveCall, now: float, *, answered: bool) -> LiveAgent | None:
        """An outbound call needs an agent of the queue ``queue_name`` (a dialer's campaign): the strategy picks one
        of its ready agents, who goes ``ready -> outbound`` with the call (``None`` when none is ready).

        ``answered``: a live person is on the line (the agent talks from ``now``); otherwise the agent is
        reserved for a line still ringing and ``connect_reserved`` or ``end_call`` follows. Inbound calls keep
        their priority because a ready agent never leaves a caller waiting in a queue it serves.
        """
        queue = self.queues.get(queue_name)
        if queue is None:
            raise InvalidInput(f"unknown queue {queue_name}", field="queue")
        agent = self._pick_agent(queue)
        if agent is None:
            return None
        self._move(agent, _OUTBOUND, now)
        agent.call = call
        call.agent = agent
        call.queued_at = now
        if answered:
            call.answered_at = now
            agent.calls += 1
        return agent

    def connect_reserved(self, agent: LiveAgent, now: float) -> LiveCall:
        """The line an agent was reserved for is answered by a live person: the agent talks from ``now``."""
        call = agent.call
        if call is None or agent.state is not _OUTBOUND:
            raise InvalidInput(f"agent {agent.agent_id} is not reserved for an outbound line", field="state")
        call.answered_at = now
        agent.calls += 1
        return call

    def cancel_ring_all(self, call: LiveCall, now: float) -> list[LiveAgent]:
        """Ring-all: ``call`` was answered; the other agents ringing for it stop ringing and become free.

        Returns those of them now ringing for a waiting call (the driver waits on their pick-up).
        """
        others = [a for a in call.ringing if a is not call.agent and a.call is call and a.state is _RINGING]
        call.ringing = []
        rung: list[LiveAgent] = []
        for other in others:
            other.call = None
            if self.ready(other, now) is not None:
                rung.append(other)
        return rung

    def no_answer(self, agent: LiveAgent, now: float, reason: str = "ring_no_answer") -> LiveAgent | None:
        """Ring timeout: the agent goes away; the call goes back to the front of its queue (or another agent)."""
        call = agent.call
        if call is None:
            raise InvalidInput(f"agent {agent.agent_id} has no ringing call", field="state")
        agent.call = None
        self._move(agent, _AWAY, now, reason)
        still = [a for a in call.ringing if a is not agent and a.call is call and a.state is _RINGING]
        if still:  # ring-all: another agent is still ringing for it
            call.agent = still[0]
            call.ringing = still
            return still[0]
        queue = self.queues[call.queue]
        other = self._pick_agent(queue)
        if other is not None:
            self._ring_new(queue, other, call, now)
            return other
        call.waiting = True
        queue.calls.appendleft(call)
        self.queues[call.home].size += 1
        return None

    def end_call(self, agent: LiveAgent, now: float, *, acw: bool) -> LiveCall:
        """The conversation ends; the agent goes to after-call work (``acw``) or stays busy until ``ready``."""
        call = agent.call
        if call is None:
            raise InvalidInput(f"agent {agent.agent_id} has no call", field="state")
        call.ended_at = now
        if call.outcome is None:
            call.outcome = _CALLBACK if call.callback else _ANSWERED
        agent.call = None
        if acw:
            self._move(agent, _AFTER_CALL_WORK, now)
        return call

    def start_break(self, agent: LiveAgent, now: float, reason: str = "break") -> None:
        """The agent goes on break: from idle, or once its call (and after-call work) is over; ``ready`` ends it."""
        if agent.state is _LOGGED_OUT or agent.call is not None:
            raise InvalidInput(f"agent {agent.agent_id} cannot start a break while {agent.state.value}"
                               + (" with a call" if agent.call is not None else ""), field="state")
        self._move(agent, _BREAK, now, reason)

    def recover(self, agent: LiveAgent, now: float) -> None:
        """After a distressing call the agent takes recovery time before the next call."""
        self._move(agent, _RECOVERY, now)

    def ready(self, agent: LiveAgent, now: float) -> LiveCall | None:
        """The agent is free: logs out if asked to, else takes the best waiting call (returned, ringing)."""
        if agent.leaving:
            agent.leaving = False
            self._move(agent, _LOGGED_OUT, now)
            return None
        best: LiveCall | None = None  # the head call that has waited longest (with its priority's head start)
        best_queue: _Queue | None = None
        best_score = 0.0
        head_start = self.head_start_s
        for queue in self._serves[agent.index]:
            calls = queue.calls
            while calls and not calls[0].waiting:
                calls.popleft()
            if calls:
                head = calls[0]
                queued_at = head.queued_at if head.queued_at is not None else now
                score = now - queued_at + (head_start.get(head.priority, 0.0) if head_start else 0.0)
                if best is None or score > best_score:
                    best, best_queue, best_score = head, queue, score
        if best is None or best_queue is None:
            if agent.state is not _READY:
                self._move(agent, _READY, now)
            return None
        best_queue.calls.popleft()
        best.queue = best_queue.config.name
        self._leave(best)
        if agent.state is _READY:
            self._ring(agent, best, now)
        else:
            self._ring_free(agent, best, now)
        return best

    def _ring_free(self, agent: LiveAgent, call: LiveCall, now: float) -> None:
        """An agent just free (after a call, away, recovery or a break) rings for a waiting call: it passes
        through ready for zero seconds, so it never joins its idle queue, and the state machine sees
        old -> ready -> ringing."""
        old = agent.state
        if _READY not in agent.next_states:
            check_transition(old, _READY)
        since = agent.since
        if now != since:
            agent.totals[agent.state_index] += now - since
            if self.sink is not None and now > since:
                self.sink(agent, old, since, now, agent.reason)
        agent.state = _RINGING  # ready -> ringing is always allowed (checked at import below)
        agent.state_index, agent.next_states = _RINGING_ENTRY
        agent.since = now
        agent.reason = None
        agent.call = call
        call.agent = agent
        if self.watch is not None:
            self.watch(agent, old, _READY, now)
            self.watch(agent, _READY, _RINGING, now)

    def _ring(self, agent: LiveAgent, call: LiveCall, now: float) -> None:
        """A ready agent rings for ``call``: ``_move(agent, RINGING, now)`` for the one move every ready agent
        may make (checked at import below), without looking it up."""
        since = agent.since
        if now != since:
            agent.totals[agent.state_index] += now - since
            if self.sink is not None and now > since:
                self.sink(agent, _READY, since, now, agent.reason)
        agent.idle_queue.remove(agent)
        agent.state = _RINGING
        agent.state_index, agent.next_states = _RINGING_ENTRY
        agent.since = now
        agent.reason = None
        agent.call = call
        call.agent = agent
        if self.watch is not None:
            self.watch(agent, _READY, _RINGING, now)

    def _ring_new(self, queue: _Queue, agent: LiveAgent, call: LiveCall, now: float) -> None:
        """Ring ``agent`` for a call that just reached ``queue``; with ring-all, every idle eligible agent too."""
        if self.strategy is not _RING_ALL:
            self._ring(agent, call, now)
            return
        others = [a for _level, idle, _members in queue.groups for a in idle if a is not agent]
        self._ring(agent, call, now)
        for other in others:
            self._ring(other, call, now)
        call.agent = agent
        call.ringing = [agent, *others]

    # -- choices --------------------------------------------------------------------------------
    def _pick_agent(self, queue: _Queue) -> LiveAgent | None:
        groups = queue.groups
        strategy = self.strategy
        if strategy is _LONGEST_IDLE or strategy is _RING_ALL:
            best: LiveAgent | None = None
            for _level, idle, _members in groups:
                if idle and (best is None or idle[0].since < best.since):
                    best = idle[0]
            return best
        if strategy is _HIGHEST_SKILL:
            for _level, idle, _members in groups:
                if idle:
                    return idle[0]
            return None
        candidates = [a for _level, idle, _members in groups for a in idle]
        if not candidates:
            return None
        if strategy is _FEWEST_CALLS:
            return min(candidates, key=lambda a: (a.calls, a.since))
        if strategy is _RANDOM:
            assert self.rng is not None  # checked in __init__
            return candidates[int(self.rng.integers(len(candidates)))]
        members = [a for _level, _idle, group in groups for a in group]
        start = queue.next_member
        for step in range(len(members)):
            agent = members[(start + step) % len(members)]
            if agent.state is _READY:
                queue.next_member = (start + step + 1) % len(members)
                return agent
        return None


if _RINGING not in ALLOWED[_READY]:  # _ring and _ring_free rely on it
    raise RuntimeError("the agent state table must allow ready -> ringing")
