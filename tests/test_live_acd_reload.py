"""`live route` picks up directory and nesting-plan changes while it runs: the ACD is reconfigured with nobody's
state lost (``LiveAcd.reconfigure``), and ``DirectoryWatch`` notices a change in the stored directory."""

from __future__ import annotations

import datetime as dt
import threading
import time

import sqlalchemy as sa

from callops.live.acd import AcdSettings, LiveAcd
from callops.live.events import LiveEvent, LiveEventKind
from callops.people.nesting import NestingPlan
from callops.records import Agent, AgentState
from callops.routing.config import AgentConfig, QueueConfig
from callops.services.live_acd import AcdRun, DirectoryWatch, acd_from_directory, replay_log, run_acd
from callops.store.directory import save_agent, save_queue
from callops.store.live_events import append_events, events_after
from callops.store.people_nesting import save_nesting

K = LiveEventKind
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
QUEUES = [QueueConfig("sales", "sales"), QueueConfig("care", "care")]


def ev(kind: LiveEventKind, s: float, *, call: str | None = None, queue: str | None = None,
       agent: str | None = None, state: str | None = None, source: str = "pbx") -> LiveEvent:
    return LiveEvent(kind=kind, at=T0 + dt.timedelta(seconds=s), source=source, call_id=call, queue=queue,
                     agent=agent, state=state)


def rings(events: list[LiveEvent]) -> list[tuple[str | None, str | None]]:
    return [(e.call_id, e.agent) for e in events if e.kind is K.CALL_RINGING]


def _state(acd: LiveAcd, agent: str) -> AgentState:
    return acd.router.by_id[agent].state


def _floor() -> LiveAcd:
    """A1 (sales) on a call, A2 (sales) ready, A3 (care) away; c2 and c3 wait for care, in that order."""
    acd = LiveAcd(QUEUES, [AgentConfig("A1", {"sales": 1}), AgentConfig("A2", {"sales": 1}),
                           AgentConfig("A3", {"care": 1})], AcdSettings(auto_ready=True))
    for s, agent in enumerate(("A1", "A2", "A3")):
        acd.apply(ev(K.AGENT_STATE, s, agent=agent, state="ready", source="web"))
    acd.apply(ev(K.AGENT_STATE, 4, agent="A3", state="away", source="web"))
    assert rings(acd.apply(ev(K.CALL_OFFERED, 5, call="c1", queue="sales"))) == [("c1", "A1")]
    acd.apply(ev(K.CALL_ANSWERED, 6, call="c1", agent="A1"))
    assert acd.apply(ev(K.CALL_OFFERED, 7, call="c2", queue="care")) == []
    assert acd.apply(ev(K.CALL_OFFERED, 8, call="c3", queue="care")) == []
    return acd


def test_a_ready_agent_given_a_skill_rings_at_once_and_every_state_is_kept() -> None:
    acd = _floor()
    a1_calls = acd.router.by_id["A1"].calls
    decided = acd.reconfigure(QUEUES, [AgentConfig("A1", {"sales": 1}), AgentConfig("A2", {"sales": 1, "care": 1}),
                                       AgentConfig("A3", {"care": 1})], T0 + dt.timedelta(seconds=20))
    assert rings(decided) == [("c2", "A2")]  # the care call that waited longest
    by_id = acd.router.by_id
    assert by_id["A1"].state is AgentState.ON_CALL and by_id["A1"].calls == a1_calls and by_id["A1"].since == \
        (T0 + dt.timedelta(seconds=6) - dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).total_seconds()
    assert by_id["A3"].state is AgentState.AWAY and acd.waiting() == {"sales": 0, "care": 1}
    # the floor goes on as before: A1's call ends and A1 is free; A3 back from away takes c3
    assert acd.apply(ev(K.CALL_ENDED, 30, call="c1", agent="A1")) == []
    assert _state(acd, "A1") is AgentState.READY
    assert rings(acd.apply(ev(K.AGENT_STATE, 31, agent="A3", state="ready", source="web"))) == [("c3", "A3")]
    assert not acd.ignored


def test_an_agent_taken_out_keeps_the_call_in_hand_and_takes_no_new_one() -> None:
    acd = _floor()
    acd.reconfigure(QUEUES, [AgentConfig("A2", {"sales": 1}), AgentConfig("A3", {"care": 1})],
                    T0 + dt.timedelta(seconds=20))
    assert acd.apply(ev(K.CALL_ENDED, 30, call="c1", agent="A1")) == [] and not acd.ignored
    assert rings(acd.apply(ev(K.CALL_OFFERED, 31, call="c4", queue="sales"))) == [("c4", "A2")]
    assert acd.apply(ev(K.CALL_OFFERED, 32, call="c5", queue="sales")) == []  # A1 is ready but not listed
    assert acd.router.by_id["A1"].state is AgentState.READY


def test_a_new_agent_who_pressed_ready_before_the_router_knew_them_rings() -> None:
    acd = _floor()
    pressed = ev(K.AGENT_STATE, 10, agent="N1", state="ready", source="web")
    assert acd.apply(pressed) == [] and acd.ignored  # unknown then: counted, not routed
    decided = acd.reconfigure(QUEUES, [AgentConfig("A1", {"sales": 1}), AgentConfig("A2", {"sales": 1}),
                                       AgentConfig("A3", {"care": 1}), AgentConfig("N1", {"care": 2})],
                              T0 + dt.timedelta(seconds=20), states={"N1": pressed})
    assert rings(decided) == [("c2", "N1")]


# --- the watch over the stored directory, in the running router ---------------------------------------------

def _start_router(engine: sa.Engine, watch: DirectoryWatch) -> tuple[threading.Event, list[AcdRun],
                                                                     threading.Thread]:
    with engine.connect() as conn:
        acd = acd_from_directory(conn, on=dt.datetime.now(dt.UTC).date())
        after = replay_log(conn, acd, since=T0)
    watch.start(acd, dt.datetime.now(dt.UTC).date())
    stop = threading.Event()
    runs: list[AcdRun] = []
    thread = threading.Thread(target=lambda: runs.append(run_acd(
        engine, acd, after_id=after, poll_s=0.005, stop=stop.is_set, directory=watch)), daemon=True)
    thread.start()
    return stop, runs, thread


def _ringing(engine: sa.Engine, within_s: float = 10.0) -> list[tuple[str | None, str | None]]:
    deadline = time.monotonic() + within_s
    while True:
        with engine.connect() as conn:
            found = [(e.call_id, e.agent) for _i, e in events_after(conn, 0)
                     if e.kind is K.CALL_RINGING and e.source == "acd"]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def test_a_nesting_plan_saved_while_the_router_runs_is_routed_with(engine: sa.Engine) -> None:
    """A new hire (sales in the directory) is ready; a care call waits for nobody. A nesting plan that puts
    them on care today is saved while the router runs: within the check the call rings them, no restart."""
    today = dt.datetime.now(dt.UTC).date()
    with engine.begin() as conn:
        save_queue(conn, "sales")
        save_queue(conn, "care")
        save_agent(conn, Agent("H1", "New Hire", skills={"sales": 1}))
        append_events(conn, [ev(K.AGENT_STATE, 0, agent="H1", state="ready", source="web"),
                             ev(K.CALL_OFFERED, 1, call="k1", queue="care")])
    watch = DirectoryWatch(dt.UTC, check_s=0.1)
    stop, runs, thread = _start_router(engine, watch)
    try:
        time.sleep(0.4)
        assert _ringing(engine, within_s=0) == [] and watch.reloads == 0  # nothing changed: no reload
        with engine.begin() as conn:
            save_nesting(conn, NestingPlan("H1", today, today + dt.timedelta(days=7), {"care": 1}), actor="lead",
                         now=dt.datetime.now(dt.UTC))
        assert _ringing(engine) == [("k1", "H1")]
    finally:
        stop.set()
        thread.join(timeout=10)
    assert runs and runs[0].reloads == 1 and watch.reloads == 1


def test_a_new_day_reads_that_days_plans_and_a_directory_without_queues_is_not_taken(engine: sa.Engine) -> None:
    """The check reads the skills of the local day: tomorrow's plan takes over when the clock passes midnight.
    A directory left with no queues is reported and the ACD keeps routing with what it had."""
    today = dt.date(2026, 3, 2)
    with engine.begin() as conn:
        save_queue(conn, "sales")
        save_queue(conn, "care")
        save_agent(conn, Agent("H1", "New Hire", skills={"sales": 1}))
        save_nesting(conn, NestingPlan("H1", today + dt.timedelta(days=1), today + dt.timedelta(days=8),
                                       {"care": 2}), actor="lead", now=T0)
        acd = acd_from_directory(conn, on=today)
    watch = DirectoryWatch(dt.timezone(dt.timedelta(hours=8)), check_s=0)
    watch.start(acd, today)
    before_midnight = dt.datetime(2026, 3, 2, 15, 59, tzinfo=dt.UTC)  # 23:59 at UTC+8
    with engine.connect() as conn:
        assert watch.check(conn, acd, before_midnight) == [] and watch.reloads == 0
        assert watch.check(conn, acd, before_midnight + dt.timedelta(minutes=2)) == [] and watch.reloads == 1
    assert acd.router.by_id["H1"].skills == {"care": 2}
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM queues"))
    with engine.connect() as conn:
        assert watch.check(conn, acd, before_midnight + dt.timedelta(minutes=3)) == []
    assert watch.reloads == 1 and watch.problems and "queues" in watch.problems[0]
    assert acd.router.by_id["H1"].skills == {"care": 2}


def test_a_router_started_after_calls_were_offered_rings_for_them(engine: sa.Engine) -> None:
    """The replay on start finds a call offered while no router ran (its ringing is not in the log) and hands
    that decision back to be appended; a decision already in the log is not made twice."""
    with engine.begin() as conn:
        save_queue(conn, "sales")
        for agent in ("A1", "A2"):
            save_agent(conn, Agent(agent, agent, skills={"sales": 1}))
        append_events(conn, [ev(K.AGENT_STATE, 0, agent="A1", state="ready", source="web"),
                             ev(K.AGENT_STATE, 1, agent="A2", state="ready", source="web"),
                             ev(K.CALL_OFFERED, 2, call="c1", queue="sales"),
                             ev(K.CALL_RINGING, 2, call="c1", queue="sales", agent="A1", source="acd"),
                             ev(K.CALL_OFFERED, 3, call="c2", queue="sales"),  # no router ran from here
                             ev(K.CALL_OFFERED, 4, call="c3", queue="sales"),
                             ev(K.CALL_ABANDONED, 5, call="c3", queue="sales")])
        acd = acd_from_directory(conn)
        unlogged: list[LiveEvent] = []
        replay_log(conn, acd, since=T0, unlogged=unlogged)
    assert rings(unlogged) == [("c2", "A2")] and unlogged[0].source == "acd"
