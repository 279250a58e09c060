"""The discrete-event core: the routing core driven by events, on whatever clock drives ``step``.

``Core`` holds one replication's state (the router, the event heap, the random streams, the counts) and one
handler per ``EventKind``. It never reads a clock: ``run_until(t)`` handles every event due at or before ``t``
and ``step()`` the events of the next instant. ``simulate`` drives it on the virtual clock (every event at
once); ``callops.simulation.realtime`` drives the same core on the wall clock, sleeping until each event's
scaled time before calling ``step`` (the practice floor). A ``FloorWatch`` sees calls offered and ended and
callers in the IVR; the router's ``StateWatch`` sees every agent state change.

Statistics are added up as calls end, per interval and per queue; ``Call`` records only when asked for.
Arrivals drawn for an interval stay off the heap, in a sorted list merged with it (the smaller event tuple
comes first, as it would off the heap): the heap stays small and most calls cost no push or pop.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from itertools import repeat
from math import inf
from typing import Any, Protocol

import numpy as np

from callops.records import AgentInterval, AgentState, Call, Direction, Outcome
from callops.routing import LiveAgent, LiveCall, Router, StateWatch, Strategy, walk
from callops.routing.router import STATE_INDEX
from callops.simulation.distributions import Distribution, Stream
from callops.simulation.event_kinds import EventKind
from callops.simulation.outbound import OutboundDialer, outbound_queue_config
from callops.simulation.run_stats import QueueStats, RunStats, call_record
from callops.simulation.scenario import Break, Scenario

__all__ = ["EPOCH", "Core", "FloorWatch", "QueueStats", "RunStats", "simulate"]

Event = tuple[float, int, int, Any]  # (time, kind, sequence, what it is about)
# Event kinds as module constants: a global is faster to look up than an enum attribute (hot paths below).
_TALK_END, _ACW_END, _RECOVERY_END, _AWAY_END = EventKind.TALK_END, EventKind.ACW_END, EventKind.RECOVERY_END, \
    EventKind.AWAY_END
_STAFF, _RING_END, _ARRIVAL, _PATIENCE_END = EventKind.STAFF, EventKind.RING_END, EventKind.ARRIVAL, \
    EventKind.PATIENCE_END
_OVERFLOW, _MAX_WAIT, _CALLBACK_OFFER = EventKind.OVERFLOW, EventKind.MAX_WAIT, EventKind.CALLBACK_OFFER
_WARMUP_END, _HORIZON, _IVR_ENTRY = EventKind.WARMUP_END, EventKind.HORIZON, EventKind.IVR_ENTRY
_BREAK_START, _BREAK_END, _IVR_EXIT = EventKind.BREAK_START, EventKind.BREAK_END, EventKind.IVR_EXIT
_NO_ARRIVAL: Event = (inf, len(EventKind), 0, None)  # sorts after every event
_HANDLING = [STATE_INDEX[s] for s in AgentState if s.handling]
_READY_INDEX = STATE_INDEX[AgentState.READY]
_ABANDONED, _CALLBACK_OUTCOME = Outcome.ABANDONED, Outcome.CALLBACK  # globals: enum attributes are slow to look up
EPOCH = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


class FloorWatch(Protocol):
    """What a live view of the core sees besides agent states (times in seconds on the core's clock)."""

    def offered(self, call: LiveCall, now: float) -> None:
        """A call reaches its queue (before the router rings anyone for it)."""

    def ended(self, call: LiveCall, now: float) -> None:
        """A call is over: answered and talked (``answered_at`` set), abandoned, timed out or refused."""

    def ivr_entered(self, ivr_id: int | None, now: float) -> None:
        """A caller enters the IVR (``ivr_id`` numbers those who will end there; None: bound for a queue)."""

    def ivr_ended(self, ivr_id: int, outcome: Outcome, now: float) -> None:
        """A caller ends in the IVR (self-service or hang-up) without reaching a queue."""


class Core:
    """One replication of a scenario as state plus event handlers; a driver moves it with ``step``."""

    def __init__(self, scenario: Scenario, seed: np.random.SeedSequence, *, record: bool = False,
                 start_at: dt.datetime = EPOCH, floor: FloorWatch | None = None,
                 watch: StateWatch | None = None) -> None:
        self.scenario = scenario
        self.start_at = start_at
        self.stats = stats = RunStats(
            by_interval={k: [0.0] * scenario.intervals
                         for k in ("offered", "answered", "abandoned", "answered_within", "wait_s")},
            by_queue={q.config.name: QueueStats() for q in scenario.queues})
        per = stats.by_interval
        per_offered, per_answered, per_abandoned = per["offered"], per["answered"], per["abandoned"]
        per_within, per_wait = per["answered_within"], per["wait_s"]
        by_queue = stats.by_queue
        interval_s = scenario.interval_s
        last = scenario.intervals - 1
        arrivals_rng, service_rng, patience_rng, choice_rng = (np.random.default_rng(s) for s in seed.spawn(4))
        name = scenario.name
        source = f"sim:{name}"  # records of two saved scenarios never share a natural key
        self.source = source

        def sink(agent: LiveAgent, state: AgentState, start: float, end: float, reason: str | None) -> None:
            stats.intervals.append(AgentInterval(
                source=source, agent=agent.agent_id, state=state, start_at=start_at + dt.timedelta(seconds=start),
                end_at=start_at + dt.timedelta(seconds=end), reason=reason, scenario=name))

        agents = [a for g in scenario.groups for a in g.agents()]
        campaign = scenario.outbound
        queue_configs = [q.config for q in scenario.queues]
        if campaign is not None:  # the campaign's agents serve its queue (its live answers wait in the dialer)
            queue_configs.append(outbound_queue_config(campaign))
        self.router = router = Router(
            queue_configs, agents, strategy=scenario.strategy,
            head_start_s=scenario.head_start_s, rng=choice_rng, sink=sink if record else None, watch=watch)
        groups = scenario.groups
        group_of: list[int] = [gi for gi, g in enumerate(groups) for _ in range(max(g.counts))]
        members: list[list[LiveAgent]] = [[] for _ in groups]
        for agent in router.agents:
            members[group_of[agent.index]].append(agent)
        group_by_agent = [groups[gi] for gi in group_of]
        behaviour = {q.config.name: q for q in scenario.queues}
        handle_scale = {n: [m / q.handle.mean for m in q.handle_means_s] for n, q in behaviour.items()
                        if q.handle_means_s}
        acw = {n: Stream(q.acw, service_rng) for n, q in behaviour.items() if q.acw is not None}
        handle_next = {n: Stream(q.handle, service_rng).next for n, q in behaviour.items()}
        patience_next = {n: Stream(q.patience, patience_rng).next for n, q in behaviour.items()
                         if q.patience is not None}
        timers = {n: [(timer, after_s) for timer, after_s in (
            (_OVERFLOW, q.config.overflow_after_s), (_MAX_WAIT, q.config.max_wait_s),
            (_CALLBACK_OFFER, q.callback_after_s if q.callback_share > 0 else None)) if after_s is not None]
            for n, q in behaviour.items()}  # the waiting call's timers, in the order they are pushed
        draw_uniform = Stream(Distribution("uniform"), patience_rng).next
        sl_time = scenario.sl_time_s
        warmup = scenario.warmup_s
        horizon = scenario.interval_s * scenario.intervals
        ring_all = scenario.strategy is Strategy.RING_ALL
        distress = any(g.distressing_share > 0 for g in groups)
        heap: list[Event] = []
        push = heapq.heappush
        pop = heapq.heappop
        seq = 0
        call_id = 0
        ivr_id = 0
        break_due: dict[int, Break] = {}  # agents who take their break when their current work is over
        warmup_handling_s = warmup_ready_s = 0.0  # occupancy's two sums when the warm-up ended
        # The drawn arrivals of the current interval, ending in a sentinel; ``upcoming`` is arrivals[ai]. The
        # horizon event stays on the heap until every drawn arrival, all at or before it, has come.
        arrivals = [_NO_ARRIVAL]
        ai = 0
        upcoming = _NO_ARRIVAL

        # -- what handlers share -----------------------------------------------------------------
        def occupancy_totals(now: float) -> tuple[float, float]:
            handling = ready = 0.0
            for agent in router.agents:
                t = agent.totals
                extra = now - agent.since
                cur = agent.state_index
                handling += sum(t[i] for i in _HANDLING) + (extra if cur in _HANDLING else 0.0)
                ready += t[_READY_INDEX] + (extra if cur == _READY_INDEX else 0.0)
            return handling, ready

        def count(call: LiveCall) -> None:
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
                stats.calls.append(call_record(call, name, source, start_at))

        offer = router.offer
        finish = count
        if floor is not None:  # a live view: wrapped here, so the virtual clock pays nothing for it
            def offer(call: LiveCall, now: float) -> LiveAgent | None:
                floor.offered(call, now)
                return router.offer(call, now)

            def finish(call: LiveCall) -> None:
                floor.ended(call, call.ended_at if call.ended_at is not None else call.arrived_at)
                count(call)

        def ring(agent: LiveAgent, now: float) -> None:
            nonlocal seq
            ring_s = group_by_agent[agent.index].ring_s
            if ring_s > 0:
                seq += 1
                push(heap, (now + ring_s, _RING_END, seq, agent))
            else:
                pick_up(agent, now)

        def pick_up(agent: LiveAgent, now: float) -> None:
            nonlocal seq
            call = router.answer(agent, now)
            talk = handle_next[call.home]()
            if handle_scale:
                scale = handle_scale.get(call.home)
                if scale is not None:  # the mean of the interval it is answered in
                    talk *= scale[min(int(now // interval_s), last)]
            call.talk_s = talk
            seq += 1
            push(heap, (now + talk, _TALK_END, seq, agent))
            if ring_all:
                for other in router.cancel_ring_all(call, now):
                    connect(other, now)

        # With no ring time in any group every agent picks up at once: no per-agent ring time to look up.
        connect = ring if any(g.ring_s > 0 for g in groups) else pick_up

        def after_work(agent: LiveAgent, now: float) -> None:
            nonlocal seq
            group = group_by_agent[agent.index]
            if group.distressing_share > 0 and draw_uniform() < group.distressing_share:
                router.recover(agent, now)
                seq += 1
                push(heap, (now + group.recovery_s, _RECOVERY_END, seq, agent))
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

        def staff(k: int, now: float) -> list[Event]:
            """Staff interval ``k``; returns its arrival events (time, ARRIVAL, sequence, (queue, 0, None)) in order."""
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
            fresh: list[Event] = []
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
                        push(heap, (t, _IVR_ENTRY, seq, None))
                seq += 1
                push(heap, (t0 + scenario.interval_s, _STAFF, seq, k + 1))
            if len(scenario.queues) > 1:
                fresh.sort()
            return fresh

        # -- one handler per event kind -------------------------------------------------------------
        def on_arrival(now: float, about: tuple[str, int, float | None]) -> None:
            nonlocal seq, call_id
            call_id += 1
            call = LiveCall(call_id, about[0], now, about[1])
            if about[2] is not None:
                call.ivr_entered_at = about[2]
            picked = offer(call, now)
            if picked is not None:
                connect(picked, now)
            elif call.outcome is not None:
                finish(call)
            else:
                draw_patience = patience_next.get(call.home)
                if draw_patience is not None:
                    seq += 1
                    push(heap, (now + draw_patience(), _PATIENCE_END, seq, call))
                for timer, after_s in timers[call.home]:
                    seq += 1
                    push(heap, (now + after_s, timer, seq, call))

        def on_talk_end(now: float, agent: LiveAgent) -> None:
            nonlocal seq
            call = agent.call
            if not (acw and call is not None and call.home in acw):
                finish(router.end_call(agent, now, acw=False))
                if distress or break_due:
                    after_work(agent, now)
                elif router.ready(agent, now) is not None:  # after_work, when no agent is ever distressed
                    connect(agent, now)
            else:
                call = router.end_call(agent, now, acw=True)
                a_s = acw[call.home].next()
                call.acw_s = a_s
                seq += 1
                push(heap, (now + a_s, _ACW_END, seq, agent))
                finish(call)

        def on_acw_end(now: float, agent: LiveAgent) -> None:
            after_work(agent, now)

        def on_patience_end(now: float, call: LiveCall) -> None:
            nonlocal seq
            if call.waiting and router.leave(call, now, _ABANDONED):  # most were answered long ago
                finish(call)
                q = behaviour[call.home]
                if q.retrial_share > 0 and draw_uniform() < q.retrial_share and now < horizon:
                    seq += 1
                    delay = float(patience_rng.exponential(q.retrial_delay_s))
                    push(heap, (now + delay, _ARRIVAL, seq, (call.home, call.attempt + 1, None)))

        def on_off_duty_end(now: float, agent: LiveAgent) -> None:
            """Recovery or away is over (unless the agent left that state meanwhile)."""
            if agent.state is AgentState.RECOVERY or agent.state is AgentState.AWAY:
                free_up(agent, now)

        def on_ring_end(now: float, agent: LiveAgent) -> None:
            nonlocal seq
            group = group_by_agent[agent.index]
            if group.no_answer_share > 0 and draw_uniform() < group.no_answer_share:
                other = router.no_answer(agent, now)
                seq += 1
                push(heap, (now + group.away_s, _AWAY_END, seq, agent))
                if other is not None:
                    if ring_all and other.since < now:  # rang together with agent: it picks up now
                        pick_up(other, now)
                    else:
                        connect(other, now)
            else:
                pick_up(agent, now)

        def on_overflow(now: float, call: LiveCall) -> None:
            agent = router.overflow(call, now)
            if agent is not None:
                connect(agent, now)

        def on_max_wait(now: float, call: LiveCall) -> None:
            if router.leave(call, now, Outcome.TIMEOUT):
                finish(call)

        def on_callback_offer(now: float, call: LiveCall) -> None:
            if call.waiting and draw_uniform() < behaviour[call.home].callback_share:
                router.request_callback(call)

        def on_staff(now: float, k: int) -> None:
            nonlocal arrivals, ai, upcoming
            fresh = staff(k, now)
            if upcoming is not _NO_ARRIVAL:  # drawn for the last interval, not yet arrived (a rounding case)
                fresh = sorted(arrivals[ai:-1] + fresh)
            fresh.append(_NO_ARRIVAL)
            arrivals, ai = fresh, 0
            upcoming = arrivals[0]

        def on_ivr_entry(now: float, _about: None) -> None:
            nonlocal seq, ivr_id
            assert scenario.ivr is not None  # IVR_ENTRY events exist only with an IVR
            ivr_s, target, ending = walk(scenario.ivr, start_at + dt.timedelta(seconds=now), draw_uniform)
            if target is not None:
                if floor is not None:
                    floor.ivr_entered(None, now)
                seq += 1
                push(heap, (now + ivr_s, _ARRIVAL, seq, (target, 0, now)))
                return
            ivr_id += 1
            outcome = Outcome.IVR_SELF_SERVICE if ending == "self_service" else Outcome.IVR_HANGUP
            if floor is not None:
                floor.ivr_entered(ivr_id, now)
                seq += 1
                push(heap, (now + ivr_s, _IVR_EXIT, seq, (ivr_id, outcome)))
            if now < warmup:
                return
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

        def on_ivr_exit(now: float, about: tuple[int, Outcome]) -> None:
            if floor is not None:
                floor.ivr_ended(about[0], about[1], now)

        def on_break_start(now: float, about: tuple[int, Break]) -> None:
            """``due.agents`` of the group who are on duty and not on (or due) a break: idle ones first."""
            gi, due = about
            free = [a for a in members[gi] if a.state is not AgentState.LOGGED_OUT
                    and a.state is not AgentState.BREAK and not a.leaving and a.index not in break_due]
            free.sort(key=lambda a: a.state is not AgentState.READY)
            for agent in free[:due.agents]:
                if agent.state is AgentState.READY:
                    take_break(agent, due, now)
                else:
                    break_due[agent.index] = due

        def on_break_end(now: float, agent: LiveAgent) -> None:
            if agent.state is AgentState.BREAK and router.ready(agent, now) is not None:
                connect(agent, now)

        def on_warmup_end(now: float, _about: None) -> None:
            nonlocal warmup_handling_s, warmup_ready_s
            warmup_handling_s, warmup_ready_s = occupancy_totals(now)
            if dialer is not None:
                dialer.mark(now)

        def on_horizon(now: float, _about: None) -> None:
            handling, ready = occupancy_totals(now)
            stats.handling_s = handling - warmup_handling_s
            stats.ready_s = ready - warmup_ready_s
            if dialer is not None:
                dialer.mark(now)

        # -- an outbound campaign's dialer, only when the scenario has one -----------------------------
        dialer: OutboundDialer | None = None
        if campaign is not None:
            served = {q.config.name for q in scenario.queues
                      if any(campaign.skill in g.skills and q.config.skill in g.skills for g in groups)}
            inbound_per_s = [sum(q.arrivals_per_interval[k] for q in scenario.queues if q.config.name in served)
                             / interval_s for k in range(scenario.intervals)]
            dialer = OutboundDialer(campaign, router, seed.spawn(1)[0], heap=heap, warmup_s=warmup,
                                    horizon_s=horizon, inbound_per_s=inbound_per_s, interval_s=interval_s,
                                    after_work=after_work, free_up=free_up)
        self.dialer = dialer

        def not_scheduled(now: float, about: Any) -> None:
            raise RuntimeError(f"no outbound campaign, yet an outbound event at {now}")

        by_kind: dict[EventKind, Callable[[float, Any], None]] = {
            EventKind.TALK_END: on_talk_end, EventKind.ACW_END: on_acw_end,
            EventKind.RECOVERY_END: on_off_duty_end, EventKind.AWAY_END: on_off_duty_end,
            EventKind.STAFF: on_staff, EventKind.RING_END: on_ring_end, EventKind.ARRIVAL: on_arrival,
            EventKind.PATIENCE_END: on_patience_end, EventKind.OVERFLOW: on_overflow,
            EventKind.MAX_WAIT: on_max_wait, EventKind.CALLBACK_OFFER: on_callback_offer,
            EventKind.WARMUP_END: on_warmup_end, EventKind.HORIZON: on_horizon, EventKind.IVR_ENTRY: on_ivr_entry,
            EventKind.BREAK_START: on_break_start, EventKind.BREAK_END: on_break_end,
            EventKind.IVR_EXIT: on_ivr_exit,
            EventKind.OUT_PACE: dialer.on_pace if dialer else not_scheduled,
            EventKind.OUT_SAMPLE: dialer.on_sample if dialer else not_scheduled,
            EventKind.OUT_LINE: dialer.on_line if dialer else not_scheduled,
            EventKind.OUT_GRACE: dialer.on_grace if dialer else not_scheduled,
            EventKind.OUT_TALK_END: dialer.on_talk_end if dialer else not_scheduled,
            EventKind.OUT_ACW_END: dialer.on_acw_end if dialer else not_scheduled,
        }
        handlers = [by_kind[kind] for kind in EventKind]  # indexed by kind

        # -- the seam: handle what is due --------------------------------------------------------
        def run_until(until: float) -> None:
            nonlocal ai, upcoming
            while heap:
                if upcoming < heap[0]:
                    now, kind, _seq, about = upcoming
                    if now > until:
                        return
                    ai += 1
                    upcoming = arrivals[ai]
                else:
                    now, kind, _seq, about = heap[0]
                    if now > until:
                        return
                    pop(heap)
                handlers[kind](now, about)

        if dialer is not None:
            out_waiting = dialer.waiting
            match = dialer.match

            def run_until(until: float) -> None:  # the same loop; then live answers waiting take agents now free
                nonlocal ai, upcoming
                while heap:
                    if upcoming < heap[0]:
                        now, kind, _seq, about = upcoming
                        if now > until:
                            return
                        ai += 1
                        upcoming = arrivals[ai]
                    else:
                        now, kind, _seq, about = heap[0]
                        if now > until:
                            return
                        pop(heap)
                    handlers[kind](now, about)
                    if out_waiting:
                        match(now)

        def peek() -> float:
            if not heap:
                return inf
            head = heap[0][0]
            return upcoming[0] if upcoming[0] < head else head

        self.run_until: Callable[[float], None] = run_until
        self.peek: Callable[[], float] = peek

        for gi, group in enumerate(groups):
            for planned in group.breaks:
                seq += 1
                push(heap, (planned.at_s, _BREAK_START, seq, (gi, planned)))
        push(heap, (0.0, _STAFF, 0, 0))
        push(heap, (warmup, _WARMUP_END, 0, None))
        push(heap, (horizon, _HORIZON, 0, None))

    def step(self) -> float:
        """Handle every event of the next instant; returns that instant (``inf``: nothing is left)."""
        now = self.peek()
        if now < inf:
            self.run_until(now)
        return now

    def result(self) -> RunStats:
        """The counts once every event is handled (the run's totals added up from the queues')."""
        self.stats.add_up_queues()
        if self.dialer is not None:
            self.stats.outbound = self.dialer.result()
        return self.stats


def simulate(
    scenario: Scenario, seed: np.random.SeedSequence, *, record: bool = False, start_at: dt.datetime = EPOCH
) -> RunStats:
    """One replication of ``scenario`` on the virtual clock; ``record`` also keeps every Call and AgentInterval."""
    core = Core(scenario, seed, record=record, start_at=start_at)
    core.run_until(inf)
    return core.result()
