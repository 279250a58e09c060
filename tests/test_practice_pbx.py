"""The practice floor's PBX and people (``PracticePbx``), routed from outside: calls ring only on a router's
decision, the person picks up after the ring time, talks, works after the call and presses ready; a caller
nobody is rung for gives up after their patience."""

from __future__ import annotations

import datetime as dt

import numpy as np

from callops.live.events import LiveEvent, LiveEventKind
from callops.simulation import parse_scenario
from callops.simulation.practice_pbx import PracticePbx, directory_of

K = LiveEventKind
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
SCENARIO = """
name: tiny
interval_min: 10
intervals: 1
queues:
  - {name: sales, skill: s, arrivals: 6, handle: {dist: constant, mean_s: 30}, acw: {dist: constant, mean_s: 5},
     patience: {dist: constant, mean_s: 50}}
agents:
  - {group: g, skills: {s: 3}, count: 2, ring_s: 2}
"""


def _pbx() -> PracticePbx:
    return PracticePbx(parse_scenario(SCENARIO), np.random.SeedSequence(1), start_at=T0, source="practice")


def _run_until(pbx: PracticePbx, until: float) -> list[LiveEvent]:
    out: list[LiveEvent] = []
    while pbx.peek() <= until:
        out += pbx.step()
    return out


def _ring(pbx: PracticePbx, call: str, agent: str, now: float) -> list[LiveEvent]:
    return pbx.routed(LiveEvent(kind=K.CALL_RINGING, at=T0 + dt.timedelta(seconds=now), source="acd", call_id=call,
                                queue="sales", agent=agent), now)


def test_the_directory_gives_each_agent_the_queues_of_its_skills() -> None:
    queues, agents = directory_of(parse_scenario(SCENARIO))
    assert queues == ["sales"] and agents == {"g-0001": {"sales": 3}, "g-0002": {"sales": 3}}


def test_a_call_rings_only_on_the_routers_decision_and_the_person_answers_works_and_presses_ready() -> None:
    pbx = _pbx()
    first = pbx.step()  # staffing at 0: both log in
    assert [(e.agent, e.state) for e in first] == [("g-0001", "ready"), ("g-0002", "ready")]
    offered: list[LiveEvent] = []
    while not offered:
        offered = [e for e in pbx.step() if e.kind is K.CALL_OFFERED]
    call = offered[0]
    at = (call.at - T0).total_seconds()
    assert not [e for e in _run_until(pbx, at + 10) if e.kind is K.CALL_ANSWERED]  # no decision: nobody answers
    assert pbx.counts.rung == 0
    assert _ring(pbx, str(call.call_id), "g-0002", at + 10) == []
    assert pbx.peek() <= at + 12  # the pick-up, after the group's 2 s ring time
    events = [e for e in _run_until(pbx, at + 12 + 30 + 5) if e.call_id == call.call_id or e.agent == "g-0002"]
    kinds = [(e.kind, e.state) for e in events]
    assert kinds == [(K.CALL_ANSWERED, None), (K.CALL_ENDED, None), (K.AGENT_STATE, "after_call_work"),
                     (K.AGENT_STATE, "ready")]
    assert [(e.at - T0).total_seconds() - at for e in events] == [12, 42, 42, 47]
    assert events[1].data["talk_s"] == "30.000" and events[0].agent == "g-0002"
    assert pbx.counts.answered == pbx.counts.ended == 1


def test_a_caller_nobody_is_rung_for_gives_up_and_a_late_decision_is_not_acted_on() -> None:
    pbx = _pbx()
    events = _run_until(pbx, 10 * 60 + 60)
    offered = [e for e in events if e.kind is K.CALL_OFFERED]
    abandoned = [e for e in events if e.kind is K.CALL_ABANDONED]
    assert offered and [e.call_id for e in abandoned] == [e.call_id for e in offered]
    assert all((a.at - o.at).total_seconds() == 50 for o, a in zip(offered, abandoned, strict=True))
    assert _ring(pbx, str(offered[0].call_id), "g-0001", 700) == []
    assert pbx.counts.not_acted_on["rung after the caller left"] == 1 and pbx.counts.rung == 0
    assert pbx.counts.open == 0 and pbx.day_over
    out = pbx.log_out_everyone(700)
    assert sorted((e.agent, e.state) for e in out) == [("g-0001", "logged_out"), ("g-0002", "logged_out")]


def test_another_floors_decisions_are_ignored() -> None:
    pbx = _pbx()
    pbx.step()
    assert _ring(pbx, "elsewhere-1", "g-0001", 1) == [] and pbx.counts.rung == 0
    assert pbx.routed(LiveEvent(kind=K.CALL_RINGING, at=T0, source="web", call_id="x", agent="g-0001"), 1) == []
