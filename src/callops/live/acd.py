"""The routing core on the wall clock: live events in, routing decisions out (callops as the ACD).

``LiveAcd`` keeps the same ``Router`` the simulator drives on its virtual clock, fed by the live event log
instead: a call offered to a queue, an agent's state button, a call answered, abandoned or ended. Each
event may produce decisions, which are live events themselves (``call_ringing``: this call to this agent),
appended to the log by the caller; the switch (a PBX told by an adapter, or the practice floor) acts on
them, and what it reports back (answered, ended, abandoned) comes in as the next events.

Only the log is durable: after a restart the caller replays the log through ``apply`` (dropping the
decisions it returns) and reaches the same state, because each decision depends only on the events before
it in log order. Ring timeouts are the exception, since they depend on the wall clock: ``tick`` writes each
one as an ``agent_state`` event (away, ``ring_no_answer``) from the ACD's own source, and a replay applies
those events where it meets them.

Events from unknown agents or queues, and changes the agent state machine forbids, are counted in
``ignored`` and never stop the core: a live floor must not fall over on one odd event.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from callops.errors import InvalidInput
from callops.live.events import LiveEvent, LiveEventKind
from callops.records import AgentState, Outcome
from callops.routing.config import AgentConfig, QueueConfig, Strategy
from callops.routing.router import LiveAgent, LiveCall, Router

__all__ = ["AcdSettings", "LiveAcd", "RING_NO_ANSWER"]

K = LiveEventKind
RING_NO_ANSWER = "ring_no_answer"
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class AcdSettings:
    """How the ACD routes: the strategy; whether an agent is ready again at hang-up (``auto_ready``) or stays
    in after-call work until they press ready; how long a call rings before it goes to another agent."""

    strategy: Strategy = Strategy.LONGEST_IDLE
    auto_ready: bool = True
    ring_timeout_s: float = 20.0
    source: str = "acd"


class LiveAcd:
    """Queues and agents on the wall clock; ``apply`` an event, get the decisions it leads to."""

    def __init__(self, queues: Sequence[QueueConfig], agents: Sequence[AgentConfig],
                 settings: AcdSettings | None = None) -> None:
        self.settings = settings or AcdSettings()
        if self.settings.strategy in (Strategy.RANDOM, Strategy.RING_ALL):
            raise InvalidInput(f"the live ACD routes one agent at a time without chance; "
                               f"{self.settings.strategy.value} is for the simulator", field="strategy")
        self.router = Router(queues, agents, strategy=self.settings.strategy)
        self.calls: dict[str, LiveCall] = {}  # calls offered and not yet over, by the source's call id
        self._ids: dict[int, str] = {}  # LiveCall.call_id -> the source's call id
        self._next_id = 0
        self.ignored: Counter[str] = Counter()
        self.decisions = 0

    # -- the event stream ---------------------------------------------------------------------------
    def apply(self, event: LiveEvent) -> list[LiveEvent]:
        """Apply one event from the log; the decisions it leads to (to append), in order."""
        now = (event.at - _EPOCH).total_seconds()
        kind = event.kind
        if event.source == self.settings.source:
            if kind is K.AGENT_STATE and event.reason == RING_NO_ANSWER:
                return self._replayed_no_answer(event, now)
            return []  # its own ringing decisions: applied when they were made (or re-made in a replay)
        try:
            if kind is K.CALL_OFFERED:
                return self._offered(event, now)
            if kind is K.AGENT_STATE:
                return self._agent_state(event, now)
            if kind is K.CALL_ANSWERED:
                return self._answered(event, now)
            if kind in (K.CALL_ABANDONED, K.CALL_TIMEOUT):
                return self._left(event, now)
            if kind in (K.CALL_ENDED, K.CALL_TRANSFERRED):
                return self._ended(event, now)
        except (InvalidInput, ValueError) as exc:  # the state machine refused, an unknown state: counted
            self.ignored[f"{kind.value}: {exc}"] += 1
        return []

    def tick(self, at: dt.datetime) -> list[LiveEvent]:
        """Ring timeouts due at ``at``: each agent away (``ring_no_answer``) and the call to the next agent."""
        now = (at - _EPOCH).total_seconds()
        limit = self.settings.ring_timeout_s
        out: list[LiveEvent] = []
        for agent in self.router.agents:
            if agent.state is AgentState.RINGING and agent.call is not None and now - agent.since >= limit:
                call = agent.call
                out.append(self._event(K.AGENT_STATE, at, call=None, agent=agent, state=AgentState.AWAY,
                                       reason=RING_NO_ANSWER, data={"call_id": self._ids[call.call_id]}))
                out += self._no_answer(agent, call, at, now)
        return out

    def reconfigure(self, queues: Sequence[QueueConfig], agents: Sequence[AgentConfig], at: dt.datetime,
                    *, states: Mapping[str, LiveEvent] | None = None) -> list[LiveEvent]:
        """Route with new queues and agents from now on (the directory or a nesting plan changed, or a new day
        began), keeping the floor as it is: every agent's state and time in it, the calls waiting in their order,
        ringing and on a call. A ready agent who now serves a queue with a caller waiting rings at once (the
        decisions are returned). An agent no longer listed keeps the call in hand but takes no new one; a queue no
        longer listed stays (its calls are still routed) until a restart. ``states``: the last ``agent_state``
        event of agents new to the router (they may have pressed ready before it knew them), applied now."""
        now = (at - _EPOCH).total_seconds()
        old = self.router
        listed = {q.name for q in queues}
        keep_queues = [*queues, *(q.config for name, q in old.queues.items() if name not in listed)]
        named = {a.agent_id for a in agents}
        gone = [AgentConfig(a.agent_id, {}) for a in old.agents
                if a.agent_id not in named and (a.state is not AgentState.LOGGED_OUT or a.call is not None)]
        router = Router(keep_queues, [*agents, *gone], strategy=old.strategy, head_start_s=old.head_start_s)
        for agent in router.agents:
            was = old.by_id.get(agent.agent_id)
            if was is None:
                continue
            agent.state, agent.state_index, agent.next_states = was.state, was.state_index, was.next_states
            agent.since, agent.reason, agent.calls, agent.leaving = was.since, was.reason, was.calls, was.leaving
            agent.totals = was.totals
            agent.call = was.call
            if agent.call is not None:
                agent.call.agent = agent
        ready = sorted((a for a in router.agents if a.state is AgentState.READY), key=lambda a: a.since)
        for agent in ready:  # longest idle first, as they stood in the old idle queues
            agent.idle_queue.append(agent)
        for name, queue in old.queues.items():
            target = router.queues[name]
            target.calls.extend(call for call in queue.calls if call.waiting)
            target.size = queue.size
        self.router = router
        out: list[LiveEvent] = []
        for agent in ready:
            call = router.ready(agent, now)  # a waiting call it now serves: it rings
            if call is not None:
                out.append(self._ringing(call, agent, at))
        for agent_id, event in (states or {}).items():
            if agent_id in router.by_id and old.by_id.get(agent_id) is None and event.kind is K.AGENT_STATE:
                out += self.apply(LiveEvent(kind=event.kind, at=at, source=event.source, agent=agent_id,
                                            state=event.state, reason=event.reason))
        return out

    # -- what each kind does ----------------------------------------------------------------------------
    def _offered(self, event: LiveEvent, now: float) -> list[LiveEvent]:
        if event.call_id is None or event.queue not in self.router.queues:
            self.ignored["call_offered: no call id or an unknown queue"] += 1
            return []
        if event.call_id in self.calls:
            self.ignored["call_offered: offered twice"] += 1
            return []
        self._next_id += 1
        call = LiveCall(self._next_id, event.queue, now)
        self.calls[event.call_id] = call
        self._ids[call.call_id] = event.call_id
        agent = self.router.offer(call, now)
        if agent is not None:
            return [self._ringing(call, agent, event.at)]
        if call.outcome is Outcome.TIMEOUT:  # refused: the queue is full
            refused = self._event(K.CALL_TIMEOUT, event.at, call=call, reason="queue_full")
            self._forget(call)
            return [refused]
        return []

    def _agent_state(self, event: LiveEvent, now: float) -> list[LiveEvent]:
        agent = self._agent(event)
        if agent is None or event.state is None:
            return []
        state = AgentState(event.state)
        if state in (AgentState.RINGING, AgentState.ON_CALL, AgentState.HOLD, AgentState.OUTBOUND):
            return []  # these follow the calls, which this core already tracks
        if state is agent.state and state is not AgentState.READY:
            return []
        call = self.router.set_state(agent, state, now, event.reason)
        return [] if call is None else [self._ringing(call, agent, event.at)]

    def _answered(self, event: LiveEvent, now: float) -> list[LiveEvent]:
        agent = self._agent(event)
        call = self.calls.get(event.call_id or "")
        if agent is None or call is None or agent.call is not call or agent.state is not AgentState.RINGING:
            self.ignored["call_answered: not ringing for that call"] += 1
            return []
        self.router.answer(agent, now)
        return []

    def _left(self, event: LiveEvent, now: float) -> list[LiveEvent]:
        call = self.calls.get(event.call_id or "")
        if call is None:
            return []
        outcome = Outcome.ABANDONED if event.kind is K.CALL_ABANDONED else Outcome.TIMEOUT
        if call.waiting:
            self.router.leave(call, now, outcome)
            self._forget(call)
            return []
        agent = call.agent
        self._forget(call)
        if agent is not None and agent.call is call and agent.state is AgentState.RINGING:
            agent.call = None  # the caller hung up while it rang: the agent is free for the next call
            nxt = self.router.ready(agent, now)
            return [] if nxt is None else [self._ringing(nxt, agent, event.at)]
        return []

    def _ended(self, event: LiveEvent, now: float) -> list[LiveEvent]:
        call = self.calls.get(event.call_id or "")
        agent = call.agent if call is not None else self._agent(event)
        if call is None or agent is None or agent.call is not call:
            self.ignored[f"{event.kind.value}: no such call on an agent"] += 1
            return []
        if agent.state is AgentState.RINGING:  # ended before anyone answered: as if abandoned while ringing
            return self._left(event, now)
        self.router.end_call(agent, now, acw=not self.settings.auto_ready)
        self._forget(call)
        if not self.settings.auto_ready:
            return []
        nxt = self.router.ready(agent, now)
        return [] if nxt is None else [self._ringing(nxt, agent, event.at)]

    def _no_answer(self, agent: LiveAgent, call: LiveCall, at: dt.datetime, now: float) -> list[LiveEvent]:
        other = self.router.no_answer(agent, now, RING_NO_ANSWER)
        return [] if other is None else [self._ringing(call, other, at)]

    def _replayed_no_answer(self, event: LiveEvent, now: float) -> list[LiveEvent]:
        """A ring timeout met in a replay: apply it when the agent still rings for that call (live, ``tick``
        applied it already and the agent has moved on)."""
        agent = self._agent(event)
        call = self.calls.get(event.data.get("call_id", ""))
        if agent is None or call is None or agent.call is not call or agent.state is not AgentState.RINGING:
            return []
        return self._no_answer(agent, call, event.at, now)

    # -- helpers ----------------------------------------------------------------------------------------
    def _agent(self, event: LiveEvent) -> LiveAgent | None:
        agent = self.router.by_id.get(event.agent or "")
        if agent is None:
            self.ignored[f"{event.kind.value}: unknown agent"] += 1
        return agent

    def _forget(self, call: LiveCall) -> None:
        self.calls.pop(self._ids.pop(call.call_id, ""), None)

    def _ringing(self, call: LiveCall, agent: LiveAgent, at: dt.datetime) -> LiveEvent:
        self.decisions += 1
        return self._event(K.CALL_RINGING, at, call=call, agent=agent)

    def _event(self, kind: LiveEventKind, at: dt.datetime, *, call: LiveCall | None, agent: LiveAgent | None = None,
               state: AgentState | None = None, reason: str | None = None,
               data: dict[str, str] | None = None) -> LiveEvent:
        return LiveEvent(kind=kind, at=at, source=self.settings.source,
                         call_id=None if call is None else self._ids.get(call.call_id),
                         queue=None if call is None else call.queue,
                         agent=None if agent is None else agent.agent_id,
                         state=None if state is None else state.value, reason=reason, data=data or {})

    def waiting(self) -> dict[str, int]:
        """Calls waiting per queue now."""
        return {name: q.size for name, q in self.router.queues.items()}
