"""The routing core on the wall clock: live events in, ringing decisions out, and the same state after a replay."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.live.acd import RING_NO_ANSWER, AcdSettings, LiveAcd
from callops.live.events import LiveEvent, LiveEventKind
from callops.records import Agent, AgentState
from callops.routing.config import AgentConfig, QueueConfig, Strategy
from callops.services.live_acd import acd_from_directory, replay_log, run_acd
from callops.store.directory import save_agent, save_queue
from callops.store.live_events import append_events, events_after

K = LiveEventKind
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
QUEUES = [QueueConfig("sales", "sales"), QueueConfig("service", "service")]
AGENTS = [AgentConfig("A1", {"sales": 1}), AgentConfig("A2", {"sales": 1, "service": 2}),
          AgentConfig("A3", {"service": 1})]


def ev(kind: LiveEventKind, s: float, *, call: str | None = None, queue: str | None = None,
       agent: str | None = None, state: str | None = None, source: str = "pbx") -> LiveEvent:
    return LiveEvent(kind=kind, at=T0 + dt.timedelta(seconds=s), source=source, call_id=call, queue=queue,
                     agent=agent, state=state)


def ready(acd: LiveAcd, agent: str, s: float) -> list[LiveEvent]:
    return acd.apply(ev(K.AGENT_STATE, s, agent=agent, state="ready", source="web"))


def rings(events: list[LiveEvent]) -> list[tuple[str | None, str | None]]:
    return [(e.call_id, e.agent) for e in events if e.kind is K.CALL_RINGING]


def test_an_offered_call_rings_the_longest_idle_skilled_agent() -> None:
    acd = LiveAcd(QUEUES, AGENTS)
    assert ready(acd, "A1", 0) == [] and ready(acd, "A2", 1) == [] and ready(acd, "A3", 2) == []
    assert rings(acd.apply(ev(K.CALL_OFFERED, 5, call="c1", queue="sales"))) == [("c1", "A1")]
    assert rings(acd.apply(ev(K.CALL_OFFERED, 6, call="c2", queue="sales"))) == [("c2", "A2")]
    assert acd.apply(ev(K.CALL_OFFERED, 7, call="c3", queue="sales")) == [] and acd.waiting()["sales"] == 1
    decision = acd.apply(ev(K.CALL_OFFERED, 8, call="c4", queue="service"))
    assert rings(decision) == [("c4", "A3")] and decision[0].source == "acd" and decision[0].queue == "service"


def test_hang_up_frees_the_agent_for_the_waiting_call_and_manual_wrap_up_waits_for_ready() -> None:
    for auto in (True, False):
        acd = LiveAcd(QUEUES, AGENTS, AcdSettings(auto_ready=auto))
        ready(acd, "A1", 0)
        acd.apply(ev(K.CALL_OFFERED, 1, call="c1", queue="sales"))
        acd.apply(ev(K.CALL_ANSWERED, 3, call="c1", agent="A1"))
        assert acd.apply(ev(K.CALL_OFFERED, 4, call="c2", queue="sales")) == []  # A1 is busy: c2 waits
        ended = acd.apply(ev(K.CALL_ENDED, 60, call="c1", agent="A1"))
        if auto:
            assert rings(ended) == [("c2", "A1")]
        else:
            assert ended == [] and acd.router.by_id["A1"].state is AgentState.AFTER_CALL_WORK
            assert rings(ready(acd, "A1", 90)) == [("c2", "A1")]
        assert "c1" not in acd.calls and acd.waiting()["sales"] == 0


def test_abandoned_calls_leave_the_queue_or_free_the_ringing_agent() -> None:
    acd = LiveAcd(QUEUES, AGENTS)
    acd.apply(ev(K.CALL_OFFERED, 0, call="w1", queue="sales"))
    acd.apply(ev(K.CALL_OFFERED, 1, call="w2", queue="sales"))
    assert acd.apply(ev(K.CALL_ABANDONED, 10, call="w1")) == [] and acd.waiting()["sales"] == 1
    assert rings(ready(acd, "A1", 12)) == [("w2", "A1")]
    acd.apply(ev(K.CALL_OFFERED, 13, call="w3", queue="sales"))
    assert rings(acd.apply(ev(K.CALL_ABANDONED, 14, call="w2"))) == [("w3", "A1")]  # hung up while it rang
    assert set(acd.calls) == {"w3"}


def test_a_ring_timeout_sets_the_agent_away_and_moves_the_call_and_a_replay_agrees() -> None:
    acd = LiveAcd(QUEUES, AGENTS, AcdSettings(ring_timeout_s=20))
    log = [ev(K.AGENT_STATE, 0, agent="A1", state="ready", source="web"),
           ev(K.AGENT_STATE, 1, agent="A2", state="ready", source="web"),
           ev(K.CALL_OFFERED, 2, call="c1", queue="sales")]
    for e in log:
        log += acd.apply(e)
    assert acd.tick(T0 + dt.timedelta(seconds=10)) == []
    timed_out = acd.tick(T0 + dt.timedelta(seconds=23))
    assert [(e.kind, e.agent, e.reason) for e in timed_out] == [(K.AGENT_STATE, "A1", RING_NO_ANSWER),
                                                                (K.CALL_RINGING, "A2", None)]
    log += timed_out
    assert acd.router.by_id["A1"].state is AgentState.AWAY
    again = LiveAcd(QUEUES, AGENTS, AcdSettings(ring_timeout_s=20))
    for e in log:
        again.apply(e)
    assert [(a.agent_id, a.state) for a in again.router.agents] == [(a.agent_id, a.state) for a in acd.router.agents]


def test_odd_events_are_counted_never_fatal_and_the_live_acd_refuses_chance_strategies() -> None:
    acd = LiveAcd(QUEUES, AGENTS)
    assert acd.apply(ev(K.CALL_OFFERED, 0, call="x", queue="nowhere")) == []
    assert acd.apply(ev(K.AGENT_STATE, 0, agent="ghost", state="ready")) == []
    assert acd.apply(ev(K.AGENT_STATE, 0, agent="A1", state="after_call_work")) == []  # logged_out -> acw: no
    assert acd.apply(ev(K.AGENT_STATE, 0, agent="A1", state="dancing")) == []
    assert acd.apply(ev(K.CALL_ANSWERED, 0, call="nope", agent="A1")) == []
    assert sum(acd.ignored.values()) == 5
    with pytest.raises(InvalidInput) as refused:
        LiveAcd(QUEUES, AGENTS, AcdSettings(strategy=Strategy.RING_ALL))
    assert refused.value.field == "strategy"


def _random_log(seed: int, n: int) -> list[LiveEvent]:
    """A plausible stream: agents come and go, calls are offered, answered, ended or abandoned."""
    rng = random.Random(seed)
    out: list[LiveEvent] = []
    t = 0.0
    for i in range(n):
        t += rng.random() * 5
        roll = rng.random()
        agent = rng.choice(["A1", "A2", "A3"])
        call = f"c{rng.randrange(max(i // 2, 1))}"
        if roll < 0.2:
            out.append(ev(K.AGENT_STATE, t, agent=agent, state=rng.choice(["ready", "away", "logged_out"]),
                          source="web"))
        elif roll < 0.5:
            out.append(ev(K.CALL_OFFERED, t, call=f"c{i}", queue=rng.choice(["sales", "service"])))
        elif roll < 0.7:
            out.append(ev(K.CALL_ANSWERED, t, call=call, agent=agent))
        elif roll < 0.85:
            out.append(ev(K.CALL_ENDED, t, call=call, agent=agent))
        else:
            out.append(ev(K.CALL_ABANDONED, t, call=call))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_replaying_the_log_rebuilds_the_same_state(seed: int) -> None:
    """Live: each event applied and its decisions appended, with ring timeouts ticking; a second core fed the
    resulting log (decisions included) ends with the same agents, calls and queues."""
    live = LiveAcd(QUEUES, AGENTS, AcdSettings(ring_timeout_s=8))
    log: list[LiveEvent] = []
    for event in _random_log(seed, 400):
        log.append(event)
        log += live.apply(event)
        log += live.tick(event.at)
    replayed = LiveAcd(QUEUES, AGENTS, AcdSettings(ring_timeout_s=8))
    for event in log:
        replayed.apply(event)

    def state(acd: LiveAcd) -> object:
        return ([(a.agent_id, a.state, acd._ids.get(a.call.call_id) if a.call else None) for a in acd.router.agents],
                sorted(acd.calls), acd.waiting())

    assert state(replayed) == state(live) and live.decisions > 20


def test_run_acd_routes_from_the_event_log(engine: sa.Engine) -> None:
    """The service on SQLite and PostgreSQL: the directory's queues and skills, today's log replayed, new events
    routed and the decisions appended to the log."""
    with engine.begin() as conn:
        save_queue(conn, "sales")
        save_agent(conn, Agent("A1", "Amy", skills={"sales": 1}))
        save_agent(conn, Agent("A2", "Bob", skills={"sales": 1}))
        append_events(conn, [ev(K.AGENT_STATE, 0, agent="A1", state="ready", source="web"),
                             ev(K.CALL_OFFERED, 1, call="old", queue="sales")])
    with engine.connect() as conn:
        acd = acd_from_directory(conn)
        last = replay_log(conn, acd, since=T0)
    assert acd.router.by_id["A1"].state is AgentState.RINGING and last > 0
    stop = threading.Event()
    with engine.begin() as conn:
        append_events(conn, [ev(K.AGENT_STATE, 2, agent="A2", state="ready", source="web"),
                             ev(K.CALL_OFFERED, 3, call="new", queue="sales")])

    def decided() -> bool:
        with engine.connect() as conn:
            found = [e for _, e in events_after(conn, last) if e.kind is K.CALL_RINGING]
        if found:
            stop.set()
        return stop.is_set()

    worker = threading.Thread(target=lambda: run_acd(engine, acd, after_id=last, poll_s=0.01, stop=decided))
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive()
    with engine.connect() as conn:
        rung = [(e.call_id, e.agent, e.source) for _, e in events_after(conn, last) if e.kind is K.CALL_RINGING]
    assert rung == [("new", "A2", "acd")]


def test_the_log_cursor_waits_for_an_append_still_committing(engine: sa.Engine) -> None:
    """On PostgreSQL a later id can commit first: the cursor stops before the gap until it fills, and steps over
    a gap left by a rolled-back append once it is older than gap_wait_s."""
    from callops.store.live_events import LogCursor

    now = [0.0]
    cursor = LogCursor(0, gap_wait_s=1.0, clock=lambda: now[0])
    concurrent = engine.dialect.name == "postgresql"  # SQLite serialises writers: a second one would wait
    slow = engine.connect()
    slow_tx = slow.begin()
    first = append_events(slow, [ev(K.CALL_OFFERED, 0, call="slow", queue="sales")])  # id taken, not committed
    if not concurrent:
        slow_tx.commit()
    with engine.begin() as conn:
        append_events(conn, [ev(K.CALL_OFFERED, 1, call="fast", queue="sales")])
    if concurrent:
        with engine.connect() as conn:
            assert cursor.read(conn) == []  # "fast" is held back behind the open gap
        slow_tx.commit()
    slow.close()
    with engine.connect() as conn:
        assert [e.call_id for _, e in cursor.read(conn)] == ["slow", "fast"] and cursor.last_id == first + 1
    rolled = engine.connect()
    rolled_tx = rolled.begin()
    append_events(rolled, [ev(K.CALL_OFFERED, 2, call="lost", queue="sales")])
    rolled_tx.rollback()
    rolled.close()
    with engine.begin() as conn:
        append_events(conn, [ev(K.CALL_OFFERED, 3, call="after", queue="sales")])
    with engine.connect() as conn:
        held = cursor.read(conn)
        now[0] = 1.5
        later = cursor.read(conn)
    if engine.dialect.name == "postgresql":  # the rolled-back id stays a gap: waited for, then stepped over
        assert held == [] and [e.call_id for _, e in later] == ["after"] and cursor.gaps_skipped == 1
    else:  # SQLite hands the rolled-back id out again: no gap
        assert [e.call_id for _, e in held] == ["after"] and later == []
