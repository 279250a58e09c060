"""The practice floor: the simulator's core on the wall clock, emitting live events.

The same core as ``simulate``: for a seed, the events of a whole day tell the same story as the replication's
counts. The clock is a parameter: most tests give it a clock that the sleeps move forward (a day in well under a
second); one runs on the real wall clock at speed 60."""

from __future__ import annotations

import collections
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.live.events import LiveEvent, LiveEventKind
from callops.records import AgentState
from callops.routing import ALLOWED
from callops.simulation import parse_scenario, simulate
from callops.simulation.realtime import run_practice

BANK = Path(__file__).parents[1] / "examples" / "scenarios" / "bank.yaml"
START = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)


class _SleptClock:
    """A clock that moves only when slept on: the driver's sleeps, added up."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _day(speed: float = 60.0) -> tuple[list[LiveEvent], _SleptClock]:
    events: list[LiveEvent] = []
    clock = _SleptClock()
    run_practice(parse_scenario(BANK.read_text()), events.append, speed=speed, seed=5, start_at=START,
                 clock=clock, sleep=clock.sleep)
    return events, clock


def test_a_practice_day_tells_the_same_story_as_the_replication() -> None:
    """Calls offered after the warm-up, answered, abandoned and timed out, and IVR endings, counted from the live
    events, equal the counts of simulate() with the same seed: one core, two clocks."""
    scenario = parse_scenario(BANK.read_text())
    stats = simulate(scenario, np.random.SeedSequence(5), start_at=START)
    events, _clock = _day()
    warmup_end = START + dt.timedelta(seconds=scenario.warmup_s)
    offered_at = {e.call_id: e.at for e in events if e.kind is LiveEventKind.CALL_OFFERED}
    counted = collections.Counter(e.kind for e in events if e.call_id in offered_at
                                  and offered_at[e.call_id] >= warmup_end)
    assert counted[LiveEventKind.CALL_OFFERED] == stats.offered > 1000
    ended = counted[LiveEventKind.CALL_ENDED]
    assert ended == sum(q.answered for q in stats.by_queue.values()) == stats.answered
    assert counted[LiveEventKind.CALL_ABANDONED] == stats.abandoned
    assert counted[LiveEventKind.CALL_TIMEOUT] == stats.timeout
    ivr_steps = collections.Counter(e.data["step"] for e in events if e.kind is LiveEventKind.IVR_STEP
                                    and e.at >= warmup_end and e.data["step"] != "entered")
    assert ivr_steps["ivr_self_service"] > 0
    assert ivr_steps["ivr_hangup"] > 0


def test_events_come_in_time_order_and_agent_states_follow_the_machine() -> None:
    """Each agent's state events chain (from = the previous state) through allowed moves; times never go back;
    every answered call rang first."""
    events, _clock = _day()
    assert all(a.at <= b.at for a, b in zip(events, events[1:], strict=False))
    current: dict[str, str] = {}
    for e in events:
        if e.kind is LiveEventKind.AGENT_STATE:
            assert e.agent is not None and e.state is not None
            old = AgentState(e.data["from"])
            assert old.value == current.get(e.agent, AgentState.LOGGED_OUT.value)
            assert AgentState(e.state) in ALLOWED[old]
            current[e.agent] = e.state
    rang = {(e.call_id, e.agent) for e in events if e.kind is LiveEventKind.CALL_RINGING}
    answered = [(e.call_id, e.agent) for e in events if e.kind is LiveEventKind.CALL_ANSWERED]
    assert answered and all(a in rang for a in answered)


def test_the_driver_sleeps_simulated_time_over_speed() -> None:
    """At speed 30 the sleeps add up to the day's simulated span over 30; the events are the same as at 60."""
    at_60, clock_60 = _day(60.0)
    at_30, clock_30 = _day(30.0)
    span = (at_30[-1].at - START).total_seconds()
    assert sum(clock_30.sleeps) == pytest.approx(span / 30, rel=1e-9)
    assert sum(clock_60.sleeps) == pytest.approx(span / 60, rel=1e-9)
    assert [(e.kind, e.at, e.call_id, e.agent) for e in at_30] == [(e.kind, e.at, e.call_id, e.agent) for e in at_60]


def test_on_the_wall_clock_a_simulated_minute_takes_a_second_at_60() -> None:
    """Real time: 60 simulated seconds at speed 60 take about one wall-clock second and stop at --until."""
    events: list[LiveEvent] = []
    began = time.monotonic()
    run = run_practice(parse_scenario(BANK.read_text()), events.append, speed=60, seed=1, start_at=START,
                       until_s=60.0)
    elapsed = time.monotonic() - began
    assert 0.9 <= elapsed < 3.0
    assert run.events == len(events) > 0 and run.simulated_s == 60.0
    assert max(e.at for e in events) <= START + dt.timedelta(seconds=60)


@pytest.mark.parametrize(("speed", "until"), [(0.5, None), (61.0, None), (10.0, 0.0)])
def test_bad_speed_or_span_is_refused(speed: float, until: float | None) -> None:
    """Speed outside 1..60 or a span that is not positive is refused, naming the field."""
    with pytest.raises(InvalidInput, match="speed|until"):
        run_practice(parse_scenario(BANK.read_text()), lambda _e: None, speed=speed, until_s=until)
