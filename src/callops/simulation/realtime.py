"""The practice floor: the simulator's core on the wall clock, handing live events to a sink.

The same ``Core`` as ``simulate`` runs here; only the driver differs. ``simulate`` handles every event at
once; ``run_practice`` looks at the next event's time, sleeps until the wall clock reaches it (scaled by
``speed``: at 60, one simulated minute takes one second) and then calls ``Core.step``. What the core does
is seen through its watches and turned into ``LiveEvent`` values (``callops.live.events``), the vocabulary a
PBX feed writes, so the event log, the wallboard and a load test cannot tell the practice floor from a
floor of people.

Event times are simulated times: ``start_at`` plus the simulated seconds (so at speed 60 they run ahead of
the wall clock). When a sink is slow and the floor falls behind, events are handed over late rather than
skipped; ``FloorRun.late_s`` says by how much at worst.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from math import inf

import numpy as np

from callops.errors import InvalidInput
from callops.live.events import EventSink, LiveEvent, LiveEventKind
from callops.records import AgentState, Outcome
from callops.routing import LiveAgent, LiveCall
from callops.simulation.engine import Core
from callops.simulation.scenario import Scenario

__all__ = ["FloorEvents", "FloorRun", "MAX_SPEED", "run_practice"]

MAX_SPEED = 60.0
_ENDED_KIND = {Outcome.ABANDONED: LiveEventKind.CALL_ABANDONED, Outcome.TIMEOUT: LiveEventKind.CALL_TIMEOUT}


class FloorEvents:
    """Turns what the core does into live events for ``sink`` (a ``FloorWatch`` and a router ``StateWatch``)."""

    def __init__(self, sink: EventSink, *, source: str, scenario: str, start_at: dt.datetime) -> None:
        self.sink = sink
        self.source = source
        self.scenario = scenario
        self.start_at = start_at
        self.count = 0

    def _emit(self, kind: LiveEventKind, now: float, *, call_id: str | None = None, queue: str | None = None,
              agent: str | None = None, state: str | None = None, reason: str | None = None,
              data: dict[str, str] | None = None) -> None:
        self.count += 1
        self.sink(LiveEvent(kind=kind, at=self.start_at + dt.timedelta(seconds=now), source=self.source,
                            call_id=call_id, queue=queue, agent=agent, state=state, reason=reason,
                            data=data or {}))

    def _call_id(self, call: LiveCall) -> str:
        return f"{self.scenario}-{call.call_id}"

    def offered(self, call: LiveCall, now: float) -> None:
        data = {"attempt": str(call.attempt)}
        if call.ivr_entered_at is not None:
            data["ivr_entered_s"] = f"{call.ivr_entered_at:.3f}"
        self._emit(LiveEventKind.CALL_OFFERED, now, call_id=self._call_id(call), queue=call.queue, data=data)

    def ended(self, call: LiveCall, now: float) -> None:
        if call.answered_at is not None:
            data = {"talk_s": f"{call.talk_s:.3f}"}
            if call.outcome is Outcome.CALLBACK:
                data["callback"] = "true"
            self._emit(LiveEventKind.CALL_ENDED, now, call_id=self._call_id(call), queue=call.queue,
                       agent=call.agent.agent_id if call.agent is not None else None, data=data)
            return
        kind = _ENDED_KIND.get(call.outcome or Outcome.TIMEOUT, LiveEventKind.CALL_TIMEOUT)
        reason = None
        if kind is LiveEventKind.CALL_TIMEOUT:
            reason = "queue_full" if call.queued_at is not None and now == call.queued_at else "max_wait"
        self._emit(kind, now, call_id=self._call_id(call), queue=call.queue, reason=reason)

    def ivr_entered(self, ivr_id: int | None, now: float) -> None:
        self._emit(LiveEventKind.IVR_STEP, now, call_id=None if ivr_id is None else f"{self.scenario}-ivr-{ivr_id}",
                   data={"step": "entered"})

    def ivr_ended(self, ivr_id: int, outcome: Outcome, now: float) -> None:
        self._emit(LiveEventKind.IVR_STEP, now, call_id=f"{self.scenario}-ivr-{ivr_id}",
                   data={"step": outcome.value})

    def state(self, agent: LiveAgent, old: AgentState, new: AgentState, now: float) -> None:
        """Router watch: an agent changed state; ringing and on call also say which call."""
        call = agent.call
        if call is not None and new is AgentState.RINGING:
            self._emit(LiveEventKind.CALL_RINGING, now, call_id=self._call_id(call), queue=call.queue,
                       agent=agent.agent_id)
        elif call is not None and new is AgentState.ON_CALL:
            self._emit(LiveEventKind.CALL_ANSWERED, now, call_id=self._call_id(call), queue=call.queue,
                       agent=agent.agent_id)
        self._emit(LiveEventKind.AGENT_STATE, now, agent=agent.agent_id, state=new.value,
                   reason=agent.reason if new is agent.state else None, data={"from": old.value})


@dataclass(frozen=True, slots=True)
class FloorRun:
    """How a practice run went: events handed over, simulated seconds covered, the worst lateness (wall s)."""

    events: int
    simulated_s: float
    late_s: float


def run_practice(
    scenario: Scenario, sink: EventSink, *, speed: float, seed: int = 0, until_s: float | None = None,
    start_at: dt.datetime | None = None, clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> FloorRun:
    """Run ``scenario`` on the wall clock at ``speed`` (1 to 60) until ``until_s`` simulated seconds (default:
    until the last call of the day is over), handing every live event to ``sink``."""
    if not 1.0 <= speed <= MAX_SPEED:
        raise InvalidInput(f"speed must be between 1 and {MAX_SPEED:g}, got {speed:g}", field="speed")
    if until_s is not None and not until_s > 0:
        raise InvalidInput("until must be a positive duration", field="until")
    start = (start_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    floor = FloorEvents(sink, source=f"sim:practice:{scenario.name}:{start:%Y%m%dT%H%M%SZ}", scenario=scenario.name,
                        start_at=start)
    core = Core(scenario, np.random.SeedSequence(seed), start_at=start, floor=floor, watch=floor.state)
    end = inf if until_s is None else until_s
    wall_start = clock()
    late = 0.0
    last = 0.0
    while True:
        due = core.peek()
        if due == inf or due > end:
            break
        wait = wall_start + due / speed - clock()
        if wait > 0:
            sleep(wait)
        else:
            late = max(late, -wait)
        last = core.step()
    return FloorRun(events=floor.count, simulated_s=last if until_s is None else until_s, late_s=late)
