"""The practice floor's PBX and people, with the routing left to ``callops live route``.

``run_practice`` runs the whole simulator (its router included) on the wall clock. ``PracticePbx`` plays only
what a switch and the people on the floor do for a scenario, and lets another process route: it offers the
scenario's calls to their queues (``call_offered``), logs its agents in and out to the staffing counts, sends
them on their breaks and back (``agent_state``), and has callers give up after their patience
(``call_abandoned``) or the queue's maximum wait (``call_timeout``). It routes nothing: a call rings an agent
only when the router's decision (``call_ringing``, from the router's source) is handed to ``routed``; the
agent then picks up after the group's ring time (``call_answered``), talks for a handle time drawn from the
queue (``call_ended``), and presses ready after the after-call work or the recovery a distressing call
needs, as a person at the agent buttons does (run the router with ``--wrap-up manual``, so an agent is not
rung before the press).

Pure and clock-free, like ``Core``: ``peek`` is the simulated time of the next thing due, ``step`` handles
what is due at that instant, ``routed`` a decision seen at simulated time ``now``; each returns the live
events to append. Times are simulated seconds from ``start_at``. Not played here: overflow, callbacks and
queue capacities (a router's matters: the directory's queues have none of them) and agents who let it ring
(every agent picks up; the router's ring timeout runs on the wall clock, not on the practice floor's).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from dataclasses import dataclass, field
from enum import IntEnum
from math import inf
from typing import Any

import numpy as np

from callops.live.events import LiveEvent, LiveEventKind
from callops.records import AgentState
from callops.routing import walk
from callops.simulation.distributions import Distribution, Stream
from callops.simulation.scenario import AgentGroup, Break, Scenario

__all__ = ["PbxCounts", "PracticePbx", "directory_of"]

K = LiveEventKind
S = AgentState


class _Kind(IntEnum):
    """At equal times the smaller first: people free up before calls arrive (as in the simulator)."""

    TALK_END = 0
    PRESS = 1  # the end of after-call work, recovery, a break or away: the person presses on
    STAFF = 2
    RING_END = 3
    ARRIVAL = 4
    PATIENCE_END = 5
    MAX_WAIT = 6
    IVR_ENTRY = 7
    IVR_EXIT = 8
    BREAK_START = 9


class _Call:
    __slots__ = ("call_id", "queue", "attempt", "state", "person")

    def __init__(self, call_id: str, queue: str, attempt: int) -> None:
        self.call_id = call_id
        self.queue = queue
        self.attempt = attempt
        self.state = "waiting"  # waiting, ringing, talking, over
        self.person: _Person | None = None


class _Person:
    __slots__ = ("agent_id", "group", "state", "epoch", "leaving", "break_due", "distressed", "call")

    def __init__(self, agent_id: str, group: int) -> None:
        self.agent_id = agent_id
        self.group = group
        self.state = S.LOGGED_OUT
        self.epoch = 0  # a pending press carries the epoch it was made in; a newer one cancels it
        self.leaving = False  # logs out once the work in hand is over
        self.break_due: Break | None = None
        self.distressed = False
        self.call: _Call | None = None


@dataclass(slots=True)
class PbxCounts:
    """What the practice PBX saw: calls offered, answered, abandoned, timed out (by the PBX's maximum wait or a
    router's refusal), their talk ended; decisions acted on, and the router's events it could not act on."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    timed_out: int = 0
    ended: int = 0
    rung: int = 0
    not_acted_on: Counter[str] = field(default_factory=Counter)

    @property
    def open(self) -> int:
        """Calls offered and not over (waiting, ringing or talking)."""
        return self.offered - self.abandoned - self.timed_out - self.ended


def directory_of(scenario: Scenario) -> tuple[list[str], dict[str, dict[str, int]]]:
    """The queues and the agents with their skills ``callops live route`` needs for ``scenario``: the router
    takes a queue's name as its skill, so an agent's level for a queue is its level in the queue's skill."""
    queues = [q.config.name for q in scenario.queues]
    agents: dict[str, dict[str, int]] = {}
    for group in scenario.groups:
        levels = {q.config.name: group.skills[q.config.skill] for q in scenario.queues
                  if q.config.skill in group.skills}
        for config in group.agents():
            agents[config.agent_id] = dict(levels)
    return queues, agents


class PracticePbx:
    """The PBX and the people of ``scenario`` from ``start_at``; ``source`` names its events, ``router_source``
    the router's (its decisions are the only ``call_ringing`` events acted on)."""

    def __init__(self, scenario: Scenario, seed: np.random.SeedSequence, *, start_at: dt.datetime, source: str,
                 router_source: str = "acd") -> None:
        self.scenario = scenario
        self.start_at = start_at
        self.source = source
        self.router_source = router_source
        self.counts = PbxCounts()
        arrivals_rng, service_rng, patience_rng, choice_rng = (np.random.default_rng(s) for s in seed.spawn(4))
        self._arrivals = arrivals_rng
        self._patience_rng = patience_rng
        self._uniform = Stream(Distribution("uniform"), choice_rng).next
        self._behaviour = {q.config.name: q for q in scenario.queues}
        self._handle = {n: Stream(q.handle, service_rng).next for n, q in self._behaviour.items()}
        self._acw = {n: Stream(q.acw, service_rng).next for n, q in self._behaviour.items() if q.acw is not None}
        self._patience = {n: Stream(q.patience, patience_rng).next for n, q in self._behaviour.items()
                          if q.patience is not None}
        self.groups: tuple[AgentGroup, ...] = scenario.groups
        self.people: dict[str, _Person] = {}
        self._members: list[list[_Person]] = []
        for gi, group in enumerate(self.groups):
            members = [_Person(a.agent_id, gi) for a in group.agents()]
            self._members.append(members)
            self.people.update((p.agent_id, p) for p in members)
        self.calls: dict[str, _Call] = {}  # calls not yet over
        self._tag = f"{scenario.name}-{start_at:%Y%m%dT%H%M%SZ}"  # call ids unique across practice runs
        self._n = self._ivr = 0
        self._staffed = -1  # the last interval staffed
        self._heap: list[tuple[float, int, int, Any]] = []
        self._seq = 0
        self._out: list[LiveEvent] = []
        self._horizon = scenario.interval_s * scenario.intervals
        for gi, group in enumerate(self.groups):
            for planned in group.breaks:
                self._push(planned.at_s, _Kind.BREAK_START, (gi, planned))
        self._push(0.0, _Kind.STAFF, 0)

    # -- the driver's side ---------------------------------------------------------------------------
    def peek(self) -> float:
        """The simulated time of the next thing due (``inf``: nothing is scheduled)."""
        return self._heap[0][0] if self._heap else inf

    def step(self) -> list[LiveEvent]:
        """Handle everything due at the next instant; the live events it made."""
        if not self._heap:
            return []
        now = self._heap[0][0]
        while self._heap and self._heap[0][0] == now:
            _at, kind, _seq, about = heapq.heappop(self._heap)
            self._handlers[kind](self, now, about)
        return self._take()

    def routed(self, event: LiveEvent, now: float) -> list[LiveEvent]:
        """A router's event seen at simulated time ``now``: a ringing decision rings the agent's phone; a ring
        timeout (the agent set away) puts the call back in the queue; a refusal ends the call."""
        if event.source != self.router_source:
            return []
        now = max(now, (event.at - self.start_at).total_seconds())
        if event.kind is K.CALL_RINGING:
            self._ringing(event, now)
        elif event.kind is K.AGENT_STATE and event.state == S.AWAY.value:
            self._rang_out(event, now)
        elif event.kind is K.CALL_TIMEOUT:
            call = self.calls.get(event.call_id or "")
            if call is not None and call.state == "waiting":
                self.counts.timed_out += 1
                self._over(call)
        return self._take()

    def log_out_everyone(self, now: float) -> list[LiveEvent]:
        """The shift is over (or stopped): every person still logged in logs out."""
        for person in self.people.values():
            if person.state is not S.LOGGED_OUT:
                self._set(person, S.LOGGED_OUT, now)
        return self._take()

    @property
    def day_over(self) -> bool:
        """Every call of the day is offered and over: no arrival, retrial or IVR caller is still to come."""
        return (not self.calls and self._staffed >= self.scenario.intervals - 1
                and not any(kind in (_Kind.ARRIVAL, _Kind.IVR_ENTRY) for _at, kind, _seq, _about in self._heap))

    # -- helpers ----------------------------------------------------------------------------------------
    def _push(self, at: float, kind: _Kind, about: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (at, int(kind), self._seq, about))

    def _take(self) -> list[LiveEvent]:
        out, self._out = self._out, []
        return out

    def _emit(self, kind: LiveEventKind, now: float, *, call: _Call | None = None, agent: str | None = None,
              state: S | None = None, reason: str | None = None, data: dict[str, str] | None = None) -> None:
        self._out.append(LiveEvent(
            kind=kind, at=self.start_at + dt.timedelta(seconds=now), source=self.source,
            call_id=None if call is None else call.call_id, queue=None if call is None else call.queue,
            agent=agent, state=None if state is None else state.value, reason=reason, data=data or {}))

    def _set(self, person: _Person, state: S, now: float, reason: str | None = None) -> None:
        """The person presses a state button (an ``agent_state`` event); pending presses are cancelled."""
        old = person.state
        person.state = state
        person.epoch += 1
        if state is S.LOGGED_OUT:
            person.leaving = False
        self._emit(K.AGENT_STATE, now, agent=person.agent_id, state=state, reason=reason,
                   data={"from": old.value})

    def _over(self, call: _Call) -> None:
        call.state = "over"
        if call.person is not None and call.person.call is call:
            call.person.call = None
        self.calls.pop(call.call_id, None)

    def _pause(self, person: _Person, state: S, now: float, seconds: float, reason: str | None = None) -> None:
        self._set(person, state, now, reason)
        self._push(now + seconds, _Kind.PRESS, (person, person.epoch))

    def _free_up(self, person: _Person, now: float) -> None:
        """Work in hand is over: log out (leaving), the break due, or ready for the next call."""
        if person.leaving:
            self._set(person, S.LOGGED_OUT, now)
        elif person.break_due is not None:
            due, person.break_due = person.break_due, None
            self._pause(person, S.BREAK, now, due.duration_s, due.reason)
        else:
            self._set(person, S.READY, now)

    # -- the router's events ----------------------------------------------------------------------------
    def _ringing(self, event: LiveEvent, now: float) -> None:
        call = self.calls.get(event.call_id or "")
        person = self.people.get(event.agent or "")
        if person is None or event.call_id is None or not event.call_id.startswith(self._tag + "-"):
            return  # another floor's call or agent
        if call is None or call.state != "waiting":
            self.counts.not_acted_on["rung after the caller left"] += 1  # the router hears of it from the log
            return
        if person.state is not S.READY:
            # the router thinks them free (say, ready at hang-up under --wrap-up auto, or rung just before they
            # logged out): the phone rings all the same, and a person picks a ringing phone up
            self.counts.not_acted_on[f"rung while {person.state.value}"] += 1
            if person.state is S.LOGGED_OUT:
                person.leaving = True  # they answer, then log out again
            person.epoch += 1
        call.state, call.person = "ringing", person
        person.state, person.call = S.RINGING, call
        self.counts.rung += 1
        self._push(now + self.groups[person.group].ring_s, _Kind.RING_END, (person, call))

    def _rang_out(self, event: LiveEvent, now: float) -> None:
        """The router set a ringing agent away (its ring timeout): the call waits again, the agent comes back
        after the group's away time."""
        person = self.people.get(event.agent or "")
        if person is None or person.state is not S.RINGING or person.call is None:
            return
        call = person.call
        call.state, call.person = "waiting", None
        person.call = None
        person.state = S.AWAY
        person.epoch += 1
        self._push(now + self.groups[person.group].away_s, _Kind.PRESS, (person, person.epoch))

    # -- what is due ------------------------------------------------------------------------------------
    def _on_staff(self, now: float, k: int) -> None:
        scenario = self.scenario
        self._staffed = k
        for gi, group in enumerate(self.groups):
            target = group.counts[min(k, len(group.counts) - 1)]
            members = self._members[gi]
            on = [p for p in members if p.state is not S.LOGGED_OUT and not p.leaving]
            if len(on) < target:
                for person in members:
                    if len(on) >= target:
                        break
                    if person.leaving:
                        person.leaving = False
                        on.append(person)
                    elif person.state is S.LOGGED_OUT:
                        on.append(person)
                        self._set(person, S.READY, now)
            else:
                on.sort(key=lambda p: p.state is not S.READY)
                for person in on[target:]:
                    if person.state in (S.READY, S.AWAY, S.BREAK, S.RECOVERY):
                        self._set(person, S.LOGGED_OUT, now)
                    else:
                        person.leaving = True
        if k >= scenario.intervals:
            return
        t0 = k * scenario.interval_s
        for q in scenario.queues:
            n = int(self._arrivals.poisson(q.arrivals_per_interval[k]))
            for t in np.sort(self._arrivals.uniform(t0, t0 + scenario.interval_s, n)).tolist():
                self._push(t, _Kind.ARRIVAL, (q.config.name, 0))
        if scenario.ivr is not None:
            n = int(self._arrivals.poisson(scenario.ivr_arrivals_per_interval[k]))
            for t in np.sort(self._arrivals.uniform(t0, t0 + scenario.interval_s, n)).tolist():
                self._push(t, _Kind.IVR_ENTRY, None)
        self._push(t0 + scenario.interval_s, _Kind.STAFF, k + 1)

    def _on_arrival(self, now: float, about: tuple[str, int]) -> None:
        queue, attempt = about
        self._n += 1
        call = _Call(f"{self._tag}-{self._n}", queue, attempt)
        self.calls[call.call_id] = call
        self.counts.offered += 1
        self._emit(K.CALL_OFFERED, now, call=call, data={"attempt": str(attempt)})
        patience = self._patience.get(queue)
        if patience is not None:
            self._push(now + patience(), _Kind.PATIENCE_END, call)
        max_wait = self._behaviour[queue].config.max_wait_s
        if max_wait is not None:
            self._push(now + float(max_wait), _Kind.MAX_WAIT, call)

    def _on_patience_end(self, now: float, call: _Call) -> None:
        if call.state != "waiting":
            return
        self.counts.abandoned += 1
        self._emit(K.CALL_ABANDONED, now, call=call)
        self._over(call)
        q = self._behaviour[call.queue]
        if q.retrial_share > 0 and self._uniform() < q.retrial_share and now < self._horizon:
            self._push(now + float(self._patience_rng.exponential(q.retrial_delay_s)), _Kind.ARRIVAL,
                       (call.queue, call.attempt + 1))

    def _on_max_wait(self, now: float, call: _Call) -> None:
        if call.state != "waiting":
            return
        self.counts.timed_out += 1
        self._emit(K.CALL_TIMEOUT, now, call=call, reason="max_wait")
        self._over(call)

    def _on_ring_end(self, now: float, about: tuple[_Person, _Call]) -> None:
        person, call = about
        if call.state != "ringing" or call.person is not person or person.call is not call:
            return  # the router took the call away meanwhile (its ring timeout)
        call.state = "talking"
        person.state = S.ON_CALL
        self.counts.answered += 1
        self._emit(K.CALL_ANSWERED, now, call=call, agent=person.agent_id)
        q = self._behaviour[call.queue]
        talk = self._handle[call.queue]()
        if q.handle_means_s:
            k = min(int(now // self.scenario.interval_s), self.scenario.intervals - 1)
            talk *= q.handle_means_s[k] / q.handle.mean
        self._push(now + talk, _Kind.TALK_END, (person, call, talk))

    def _on_talk_end(self, now: float, about: tuple[_Person, _Call, float]) -> None:
        person, call, talk = about
        group = self.groups[person.group]
        person.distressed = group.distressing_share > 0 and self._uniform() < group.distressing_share
        data = {"talk_s": f"{talk:.3f}"}
        if person.distressed:
            data["distressing"] = "1"
        self.counts.ended += 1
        self._emit(K.CALL_ENDED, now, call=call, agent=person.agent_id, data=data)
        self._over(call)
        acw = self._acw.get(call.queue)
        if acw is not None:
            self._pause(person, S.AFTER_CALL_WORK, now, acw())
        else:
            self._after_work(person, now)

    def _after_work(self, person: _Person, now: float) -> None:
        if person.distressed:
            person.distressed = False
            self._pause(person, S.RECOVERY, now, self.groups[person.group].recovery_s)
        else:
            self._free_up(person, now)

    def _on_press(self, now: float, about: tuple[_Person, int]) -> None:
        person, epoch = about
        if epoch != person.epoch:
            return  # something else happened to them meanwhile
        if person.state is S.AFTER_CALL_WORK:
            self._after_work(person, now)
        elif person.state in (S.RECOVERY, S.BREAK, S.AWAY):
            self._free_up(person, now)

    def _on_break_start(self, now: float, about: tuple[int, Break]) -> None:
        gi, due = about
        free = [p for p in self._members[gi] if p.state is not S.LOGGED_OUT and p.state is not S.BREAK
                and not p.leaving and p.break_due is None]
        free.sort(key=lambda p: p.state is not S.READY)
        for person in free[:due.agents]:
            if person.state is S.READY:
                self._pause(person, S.BREAK, now, due.duration_s, due.reason)
            else:
                person.break_due = due

    def _on_ivr_entry(self, now: float, _about: None) -> None:
        ivr = self.scenario.ivr
        if ivr is None:
            return
        ivr_s, target, ending = walk(ivr, self.start_at + dt.timedelta(seconds=now), self._uniform)
        self._ivr += 1
        ivr_id = f"{self._tag}-ivr-{self._ivr}"
        self._ivr_step(now, ivr_id, "entered")
        if target is not None:
            self._push(now + ivr_s, _Kind.ARRIVAL, (target, 0))
        else:
            self._push(now + ivr_s, _Kind.IVR_EXIT, (ivr_id, ending or "hangup"))

    def _ivr_step(self, now: float, ivr_id: str, step: str) -> None:
        self._out.append(LiveEvent(kind=K.IVR_STEP, at=self.start_at + dt.timedelta(seconds=now),
                                   source=self.source, call_id=ivr_id, data={"step": step}))

    def _on_ivr_exit(self, now: float, about: tuple[str, str]) -> None:
        self._ivr_step(now, about[0], about[1])

    _handlers: dict[int, Any] = {
        _Kind.TALK_END: _on_talk_end, _Kind.PRESS: _on_press, _Kind.STAFF: _on_staff,
        _Kind.RING_END: _on_ring_end, _Kind.ARRIVAL: _on_arrival, _Kind.PATIENCE_END: _on_patience_end,
        _Kind.MAX_WAIT: _on_max_wait, _Kind.IVR_ENTRY: _on_ivr_entry, _Kind.IVR_EXIT: _on_ivr_exit,
        _Kind.BREAK_START: _on_break_start,
    }
