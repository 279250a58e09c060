"""The discrete-event simulator: drives the routing core on a virtual clock.

Events sit in a heap ordered by (time, kind, sequence): at equal times agents free up before calls
arrive, and the sequence number makes every tie reproducible. Statistics are added up as calls end, per
interval and per queue; ``Call`` records are only built when asked for.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field
from itertools import repeat
from math import inf
from typing import Any

import numpy as np

from callops.records import AgentInterval, AgentState, Call, Direction, Outcome
from callops.routing import LiveAgent, LiveCall, Router, Strategy, walk
from callops.routing.router import STATE_INDEX
from callops.simulation.distributions import Distribution, Stream
from callops.simulation.scenario import Break, Scenario

__all__ = ["QueueStats", "RunStats", "simulate"]

_END, _ACW_END, _RECOVER_END, _AWAY_END, _STAFF, _RING_END = 0, 1, 2, 3, 4, 5
_ARRIVAL, _ABANDON, _OVERFLOW, _MAXWAIT, _CALLBACK, _WARMUP, _HORIZON, _IVR = 6, 7, 8, 9, 10, 11, 12, 13
_BREAK_START, _BREAK_END = 14, 15
_NO_ARRIVAL: tuple[float, int, int, Any] = (inf, _BREAK_END + 1, 0, None)  # sorts after every event
_HANDLING = [STATE_INDEX[s] for s in AgentState if s.handling]
_READY = STATE_INDEX[AgentState.READY]
_ABANDONED, _CALLBACK_OUTCOME = Outcome.ABANDONED, Outcome.CALLBACK  # globals: enum attributes are slow to look up
EPOCH = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


@dataclass(slots=True)
class QueueStats:
    """Counts of one queue (the queue a call arrived to, wherever it was answered) in one replication."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    timeout: int = 0
    waited: int = 0
    answered_within: int = 0
    answered_wait_s: float = 0.0


@dataclass(slots=True)
class RunStats:
    """Counts of one replication, over calls that arrived after the warm-up."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    timeout: int = 0
    callback: int = 0
    ivr_self_service: int = 0
    ivr_hangup: int = 0
    waited: int = 0
    answered_within: int = 0
    answered_wait_s: float = 0.0
    handling_s: float = 0.0
    ready_s: float = 0.0
    by_interval: dict[str, list[float]] = field(default_factory=dict)
    by_queue: dict[str, QueueStats] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    intervals: list[AgentInterval] = field(default_factory=list)


def simulate(
    scenario: Scenario, seed: np.random.SeedSequence, *, record: bool = False, start_at: dt.datetime = EPOCH
) -> RunStats:
    """One replication of ``scenario``; ``record`` also keeps every Call and AgentInterval."""
    stats = RunStats(by_interval={k: [0.0] * scenario.intervals
                                  for k in ("offered", "answered", "abandoned", "answered_within", "wait_s")},
                     by_queue={q.config.name: QueueStats() for q in scenario.queues})
    per = stats.by_interval
    per_offered, per_answered, per_abandoned = per["offered"], per["answered"], per["abandoned"]
    per_within, per_wait = per["answered_within"], per["wait_s"]
    by_queue = stats.by_queue
    interval_s = scenario.interval_s
    last = scenario.intervals - 1
    streams = [np.random.default_rng(s) for s in seed.spawn(4)]
    arrivals_rng, service_rng, patience_rng, choice_rng = streams
    name = scenario.name
    source = f"sim:{name}"  # records of two saved scenarios never share a natural key

    def sink(agent: LiveAgent, state: AgentState, start: float, end: float, reason: str | None) -> None:
        stats.intervals.append(AgentInterval(
            source=source, agent=agent.agent_id, state=state, start_at=start_at + dt.timedelta(seconds=start),
            end_at=start_at + dt.timedelta(seconds=end), reason=reason, scenario=name))

    agents = [a for g in scenario.groups for a in g.agents()]
    router = Router([q.config for q in scenario.queues], agents, strategy=scenario.strategy,
                    head_start_s=scenario.head_start_s, rng=choice_rng, sink=sink if record else None)
    group_of: list[int] = [gi for gi, g in enumerate(scenario.groups) for _ in range(max(g.counts))]
    members: list[list[LiveAgent]] = [[] for _ in scenario.groups]
    for agent in router.agents:
        members[group_of[agent.index]].append(agent)
    behaviour = {q.config.name: q for q in scenario.queues}
    handle = {n: Stream(q.handle, service_rng) for n, q in behaviour.items()}
    handle_scale = {n: [m / q.handle.mean for m in q.handle_means_s] for n, q in behaviour.items() if q.handle_means_s}
    acw = {n: Stream(q.acw, service_rng) for n, q in behaviour.items() if q.acw is not None}
    patience = {n: Stream(q.patience, patience_rng) for n, q in behaviour.items() if q.patience is not None}
    uniform = Stream(Distribution("uniform"), patience_rng)
    groups = scenario.groups
    group_by_agent = [groups[gi] for gi in group_of]
    handle_next = {n: stream.next for n, stream in handle.items()}
    patience_next = {n: stream.next for n, stream in patience.items()}
    timers = {n: [(timer, after_s) for timer, after_s in (
        (_OVERFLOW, q.config.overflow_after_s), (_MAXWAIT, q.config.max_wait_s),
        (_CALLBACK, q.callback_after_s if q.callback_share > 0 else None)) if after_s is not None]
        for n, q in behaviour.items()}  # the waiting call's timers, in the order they are pushed
    sl_time = scenario.sl_time_s
    warmup = scenario.warmup_s
    horizon = scenario.interval_s * scenario.intervals
    heap: list[tuple[float, int, int, Any]] = []  # (time, kind, sequence, the agent, call or data it is about)
    push = heapq.heappush
    seq = 0
    snapshot = [0.0, 0.0]

    draw_uniform = uniform.next
    ring_all = scenario.strategy is Strategy.RING_ALL

    def occupancy_totals(now: float) -> tuple[float, float]:
        handling = ready = 0.0
        for agent in router.agents:
            t = agent.totals
            extra = now - agent.since
            cur = STATE_INDEX[agent.state]
            handling += sum(t[i] for i in _HANDLING) + (extra if cur in _HANDLING else 0.0)
            ready += t[_READY] + (extra if cur == _READY else 0.0)
        return handling, ready

    def finish(call: LiveCall) -> None:
        """Count an ended call (per queue here; the run's totals are the queues' sums, added up at the end)."""
        arrived = call.arrived_at
        if arrived < warmup:
            return
        k = int(arrived // interval_s)
        if k > last:
            k = last
        per_offered[k] += 1.0  # the per-interval counts are floats: adding 1.0 stays on the float fast path
        q = by_queue[call.home]
        q.offered += 1
        queued_at = call.queued_at
        if queued_at is None:
            queued_at = arrived
        answered_at = call.answered_at
        if answered_at is not None:
            wait = answered_at - queued_at
            stats.answered_wait_s += wait
            q.answered += 1
            q.answered_wait_s += wait
            per_answered[k] += 1.0
            per_wait[k] += wait
            if wait <= sl_time:
                q.answered_within += 1
                per_within[k] += 1.0
            if call.outcome is _CALLBACK_OUTCOME:
                stats.callback += 1
        else:
            wait = (call.ended_at or queued_at) - queued_at
            if call.outcome is _ABANDONED:
                q.abandoned += 1
                per_abandoned[k] += 1.0
            else:
                q.timeout += 1
        if wait > 0:
            q.waited += 1
        if record:
            stats.calls.append(_record(call, name, source, start_at))

    def ring(agent: LiveAgent, now: float) -> None:
        nonlocal seq
        ring_s = group_by_agent[agent.index].ring_s
        if ring_s > 0:
            seq += 1
            push(heap, (now + ring_s, _RING_END, seq, agent))
        else:
            start(agent, now)

    def start(agent: LiveAgent, now: float) -> None:
        nonlocal seq
        call = router.answer(agent, now)
        talk = handle_next[call.home]()
        if handle_scale:
            scale = handle_scale.get(call.home)
            if scale is not None:  # the mean of the interval it is answered in
                talk *= scale[min(int(now // interval_s), last)]
        call.talk_s = talk
        seq += 1
        push(heap, (now + talk, _END, seq, agent))
        if ring_all:
            for other in router.cancel_ring_all(call, now):
                connect(other, now)

    def after_work(agent: LiveAgent, now: float) -> None:
        nonlocal seq
        group = group_by_agent[agent.index]
        if group.distressing_share > 0 and draw_uniform() < group.distressing_share:
            router.recover(agent, now)
            seq += 1
            push(heap, (now + group.recovery_s, _RECOVER_END, seq, agent))
            return
        free_up(agent, now)

    def free_up(agent: LiveAgent, now: float) -> None:
        """The agent's work is over: the break it is due (unless it is leaving), else the next call or ready."""
        due = break_due.pop(agent.index, None) if break_due else None
        if due is not None and not agent.leaving:
            take_break(agent, due, now)
        elif router.ready(agent, now) is not None:
            connect(agent, now)

    def take_break(agent: LiveAgent, due: Break, now: float) -> None:
        nonlocal seq
        router.start_break(agent, now, due.reason)
        seq += 1
        push(heap, (now + due.duration_s, _BREAK_END, seq, agent))

    def breaks_start(gi: int, due: Break, now: float) -> None:
        """``due.agents`` of group ``gi`` who are on duty and not on (or due) a break: idle ones first."""
        free = [a for a in members[gi] if a.state is not AgentState.LOGGED_OUT and a.state is not AgentState.BREAK
                and not a.leaving and a.index not in break_due]
        free.sort(key=lambda a: a.state is not AgentState.READY)
        for agent in free[:due.agents]:
            if agent.state is AgentState.READY:
                take_break(agent, due, now)
            else:
                break_due[agent.index] = due

    # With no ring time in any group every agent picks up at once: no per-agent ring time to look up.
    connect = ring if any(g.ring_s > 0 for g in groups) else start
    distress = any(g.distressing_share > 0 for g in groups)

    def staff(k: int, now: float) -> list[tuple[float, int, int, Any]]:
        """Staff interval ``k``; returns its arrival events (time, ARRIVAL, sequence, (queue, 0, None)), in order."""
        nonlocal seq
        for gi, group in enumerate(groups):
            target = group.counts[min(k, len(group.counts) - 1)]
            on = [a for a in members[gi] if a.state is not AgentState.LOGGED_OUT and not a.leaving]
            if len(on) < target:
                for agent in members[gi]:
                    if len(on) >= target:
                        break
                    if agent.state is AgentState.LOGGED_OUT or agent.leaving:
                        on.append(agent)
                        if router.login(agent, now) is not None:
                            connect(agent, now)
            else:
                on.sort(key=lambda a: a.state is not AgentState.READY)
                for agent in on[target:]:
                    router.logout(agent, now)
        fresh: list[tuple[float, int, int, Any]] = []
        if k < scenario.intervals:
            t0 = k * scenario.interval_s
            for q in scenario.queues:
                n = int(arrivals_rng.poisson(q.arrivals_per_interval[k]))
                times = np.sort(arrivals_rng.uniform(t0, t0 + scenario.interval_s, n)).tolist()
                fresh.extend(zip(times, repeat(_ARRIVAL, n), range(seq + 1, seq + n + 1),
                                 repeat((q.config.name, 0, None), n), strict=True))
                seq += n
            if scenario.ivr is not None:
                n = int(arrivals_rng.poisson(scenario.ivr_arrivals_per_interval[k]))
                for t in np.sort(arrivals_rng.uniform(t0, t0 + scenario.interval_s, n)).tolist():
                    seq += 1
                    push(heap, (t, _IVR, seq, None))
            seq += 1
            push(heap, (t0 + scenario.interval_s, _STAFF, seq, k + 1))
        if len(scenario.queues) > 1:
            fresh.sort()
        return fresh

    ivr_id = 0
    break_due: dict[int, Break] = {}  # agents who take their break when their current work is over
    for gi, group in enumerate(groups):
        for planned in group.breaks:
            seq += 1
            push(heap, (planned.at_s, _BREAK_START, seq, (gi, planned)))
    push(heap, (0.0, _STAFF, 0, 0))
    push(heap, (warmup, _WARMUP, 0, None))
    push(heap, (horizon, _HORIZON, 0, None))
    call_id = 0
    pop = heapq.heappop
    # Arrivals drawn for the interval stay off the heap, in a sorted list of events merged with it (the
    # smaller event tuple comes first, as it would off the heap): the heap stays small and most calls cost
    # no push or pop. The list ends in a sentinel that sorts after every event; the horizon event stays on
    # the heap until every drawn arrival, all at or before it, has come.
    arrivals = [_NO_ARRIVAL]
    ai = 0
    upcoming = _NO_ARRIVAL
    obj: Any
    while heap:
        if upcoming < heap[0]:
            now, kind, _s, obj = upcoming
            ai += 1
            upcoming = arrivals[ai]
        else:
            now, kind, _s, obj = pop(heap)
        if kind == _ARRIVAL:  # obj: (queue, attempt, when it entered the IVR or None)
            call_id += 1
            call = LiveCall(call_id, obj[0], now, obj[1])
            if obj[2] is not None:
                call.ivr_entered_at = obj[2]
            picked = router.offer(call, now)
            if picked is not None:
                connect(picked, now)
            elif call.outcome is not None:
                finish(call)
            else:
                draw_patience = patience_next.get(call.home)
                if draw_patience is not None:
                    seq += 1
                    push(heap, (now + draw_patience(), _ABANDON, seq, call))
                for timer, after_s in timers[call.home]:
                    seq += 1
                    push(heap, (now + after_s, timer, seq, call))
        elif kind == _END:  # obj: the agent
            call = obj.call
            if not (acw and call is not None and call.home in acw):
                finish(router.end_call(obj, now, acw=False))
                if distress or break_due:
                    after_work(obj, now)
                elif router.ready(obj, now) is not None:  # after_work, when no agent is ever distressed
                    connect(obj, now)
            else:
                call = router.end_call(obj, now, acw=True)
                a_s = acw[call.home].next()
                call.acw_s = a_s
                seq += 1
                push(heap, (now + a_s, _ACW_END, seq, obj))
                finish(call)
        elif kind == _ABANDON:  # obj: the call
            if obj.waiting and router.leave(obj, now, _ABANDONED):  # most were answered long ago
                finish(obj)
                q = behaviour[obj.home]
                if q.retrial_share > 0 and draw_uniform() < q.retrial_share and now < horizon:
                    seq += 1
                    delay = float(patience_rng.exponential(q.retrial_delay_s))
                    push(heap, (now + delay, _ARRIVAL, seq, (obj.home, obj.attempt + 1, None)))
        elif kind == _ACW_END:
            assert isinstance(obj, LiveAgent)
            after_work(obj, now)
        elif kind in (_RECOVER_END, _AWAY_END):
            assert isinstance(obj, LiveAgent)
            if obj.state in (AgentState.RECOVERY, AgentState.AWAY):
                free_up(obj, now)
        elif kind == _RING_END:
            assert isinstance(obj, LiveAgent)
            group = groups[group_of[obj.index]]
            if group.no_answer_share > 0 and draw_uniform() < group.no_answer_share:
                other = router.no_answer(obj, now)
                seq += 1
                push(heap, (now + group.away_s, _AWAY_END, seq, obj))
                if other is not None:
                    if ring_all and other.since < now:  # rang together with obj: it picks up now
                        start(other, now)
                    else:
                        connect(other, now)
            else:
                start(obj, now)
        elif kind == _OVERFLOW:
            assert isinstance(obj, LiveCall)
            agent2 = router.overflow(obj, now)
            if agent2 is not None:
                connect(agent2, now)
        elif kind == _MAXWAIT:
            assert isinstance(obj, LiveCall)
            if router.leave(obj, now, Outcome.TIMEOUT):
                finish(obj)
        elif kind == _CALLBACK:
            assert isinstance(obj, LiveCall)
            if obj.waiting and draw_uniform() < behaviour[obj.home].callback_share:
                router.request_callback(obj)
        elif kind == _STAFF:
            assert isinstance(obj, int)
            fresh = staff(obj, now)
            if upcoming is not _NO_ARRIVAL:  # drawn for the last interval, not yet arrived (a rounding case)
                fresh = sorted(arrivals[ai:-1] + fresh)
            fresh.append(_NO_ARRIVAL)
            arrivals, ai = fresh, 0
            upcoming = arrivals[0]
        elif kind == _IVR:
            assert scenario.ivr is not None
            ivr_s, target, ending = walk(scenario.ivr, start_at + dt.timedelta(seconds=now), draw_uniform)
            if target is not None:
                seq += 1
                push(heap, (now + ivr_s, _ARRIVAL, seq, (target, 0, now)))
                continue
            ivr_id += 1
            outcome = Outcome.IVR_SELF_SERVICE if ending == "self_service" else Outcome.IVR_HANGUP
            if now < warmup:
                continue
            if outcome is Outcome.IVR_SELF_SERVICE:
                stats.ivr_self_service += 1
            else:
                stats.ivr_hangup += 1
            if record:
                stats.calls.append(Call(
                    source=source, source_call_id=f"{name}-ivr-{ivr_id}", direction=Direction.INBOUND,
                    outcome=outcome, ivr_entered_at=start_at + dt.timedelta(seconds=now),
                    ivr_exited_at=start_at + dt.timedelta(seconds=now + ivr_s),
                    ended_at=start_at + dt.timedelta(seconds=now + ivr_s), scenario=name))
        elif kind == _BREAK_START:  # obj: (group index, the break)
            breaks_start(obj[0], obj[1], now)
        elif kind == _BREAK_END:  # obj: the agent
            if obj.state is AgentState.BREAK and router.ready(obj, now) is not None:
                connect(obj, now)
        elif kind == _WARMUP:
            snapshot[0], snapshot[1] = occupancy_totals(now)
        else:
            handling, ready = occupancy_totals(now)
            stats.handling_s = handling - snapshot[0]
            stats.ready_s = ready - snapshot[1]
    for counts in by_queue.values():
        stats.offered += counts.offered
        stats.answered += counts.answered
        stats.abandoned += counts.abandoned
        stats.timeout += counts.timeout
        stats.waited += counts.waited
        stats.answered_within += counts.answered_within
    return stats


def _record(call: LiveCall, scenario: str, source: str, start_at: dt.datetime) -> Call:
    def at(t: float | None) -> dt.datetime | None:
        return None if t is None else start_at + dt.timedelta(seconds=t)

    outcome = call.outcome or Outcome.TIMEOUT
    return Call(
        source=source, source_call_id=f"{scenario}-{call.call_id}", direction=Direction.INBOUND,
        outcome=outcome, queue=call.queue, priority=call.priority, ivr_entered_at=at(call.ivr_entered_at),
        ivr_exited_at=at(call.queued_at) if call.ivr_entered_at is not None else None,
        queue_entered_at=at(call.queued_at),
        answered_at=at(call.answered_at), ended_at=at(call.ended_at),
        agent=call.agent.agent_id if call.agent is not None and call.answered_at is not None else None,
        talk_s=call.talk_s, acw_s=call.acw_s, scenario=scenario)
