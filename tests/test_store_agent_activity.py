"""Agents as seen in calls: counts, answered, talk and handle totals and first/last call per agent, most calls
first; real calls or one scenario's."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa

from callops.records import Call, Direction, Outcome
from callops.store.agent_activity import AgentActivity, agents_in_calls
from callops.store.records import CallFilter, insert_calls

T0 = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)
_n = itertools.count()


def _call(minute: int, agent: str | None, outcome: Outcome, *, talk_s: float = 0.0, hold_s: float = 0.0,
          acw_s: float = 0.0, direction: Direction = Direction.INBOUND, scenario: str | None = None) -> Call:
    at = T0 + dt.timedelta(minutes=minute)
    answered = at + dt.timedelta(seconds=5) if outcome.answered else None
    return Call(source="t", source_call_id=str(next(_n)), direction=direction, outcome=outcome, queue="sales",
                queue_entered_at=at, answered_at=answered, ended_at=at + dt.timedelta(minutes=5), agent=agent,
                talk_s=talk_s, hold_s=hold_s, acw_s=acw_s, scenario=scenario)


CALLS = [
    _call(0, "b2", Outcome.ANSWERED, talk_s=100, hold_s=10, acw_s=20),
    _call(5, "b2", Outcome.TRANSFERRED, talk_s=50, acw_s=5),
    _call(9, "b2", Outcome.TIMEOUT),
    _call(10, "a1", Outcome.ANSWERED, talk_s=200, hold_s=30, acw_s=40),
    _call(20, "a1", Outcome.NO_ANSWER, direction=Direction.OUTBOUND),
    _call(30, "c3", Outcome.NO_ANSWER, direction=Direction.OUTBOUND),
    _call(40, "c3", Outcome.ANSWERED, talk_s=60, direction=Direction.OUTBOUND),
    _call(50, None, Outcome.ABANDONED),
    _call(60, "a1", Outcome.ANSWERED, talk_s=999, scenario="run-1"),
]


def _expected(calls: list[Call], scenario: str | None = None) -> list[AgentActivity]:
    """The activity computed from the records themselves, ordered by calls (descending), then agent."""
    mine = [c for c in calls if c.agent is not None and c.scenario == scenario]
    out = []
    for agent in sorted({c.agent for c in mine if c.agent is not None}):
        theirs = [c for c in mine if c.agent == agent]
        starts = [c.started_at for c in theirs if c.started_at is not None]
        out.append(AgentActivity(agent=agent, calls=len(theirs), answered=sum(c.outcome.answered for c in theirs),
                                 talk_s=sum(c.talk_s or 0 for c in theirs),
                                 handle_s=sum((c.talk_s or 0) + (c.hold_s or 0) + (c.acw_s or 0) for c in theirs),
                                 first_at=min(starts), last_at=max(starts),
                                 transferred=sum(c.outcome is Outcome.TRANSFERRED for c in theirs),
                                 outbound=sum(c.direction is Direction.OUTBOUND for c in theirs)))
    return sorted(out, key=lambda a: (-a.calls, a.agent))


def test_activity_per_agent_of_real_calls(engine: sa.Engine) -> None:
    """Every agent of the real calls once, with calls, answered (answered or transferred, outbound too), talk and
    handle totals and the first and last start; calls without an agent and the scenario's calls are left out."""
    with engine.begin() as conn:
        insert_calls(conn, CALLS)
        got = agents_in_calls(conn, CallFilter())
    assert got == _expected(CALLS)
    assert [a.agent for a in got] == ["b2", "a1", "c3"]  # 3 calls, then 2 and 2 in agent order
    b2 = got[0]
    assert (b2.calls, b2.answered, b2.handle_s) == (3, 2, 185.0)
    assert b2.aht_s == pytest.approx(92.5)


def test_filters_and_scenario_choose_the_calls(engine: sa.Engine) -> None:
    """The time and outcome filters narrow the calls counted; a scenario shows only its own agents' calls; an
    agent with no answered call has no AHT."""
    with engine.begin() as conn:
        insert_calls(conn, CALLS)
        later = agents_in_calls(conn, CallFilter(start_at=T0 + dt.timedelta(minutes=10)))
        timeouts = agents_in_calls(conn, CallFilter(outcome=Outcome.TIMEOUT))
        simulated = agents_in_calls(conn, CallFilter(scenario="run-1"))
    assert later == _expected([c for c in CALLS if c.started_at is not None
                               and c.started_at >= T0 + dt.timedelta(minutes=10)])
    assert [(a.agent, a.calls, a.aht_s) for a in timeouts] == [("b2", 1, None)]
    assert simulated == _expected(CALLS, scenario="run-1")
    assert [(a.agent, a.talk_s) for a in simulated] == [("a1", 999.0)]
