"""The ACD woken by appends instead of polling: a decision follows an append at once through the bus (in-process
and over the local Redis server), and a wake-up that never comes is made up for by the safety poll."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from callops.feeds.bus import EventBus, LocalBus, PgNotifyBus, RedisBus, wake_bus
from callops.live.events import LiveEvent, LiveEventKind
from callops.records import Agent
from callops.services.live_acd import AcdRun, acd_from_directory, replay_log, run_acd
from callops.store.directory import save_agent, save_queue
from callops.store.live_events import append_events, events_after

K = LiveEventKind
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
REDIS_URL = "redis://127.0.0.1:6379/0"
NEVER = 3600.0  # a tick or a safety poll that cannot come within a test


def _event(kind: LiveEventKind, s: float, *, source: str = "pbx", call_id: str | None = None,
           queue: str | None = None, agent: str | None = None, state: str | None = None) -> LiveEvent:
    return LiveEvent(kind=kind, at=T0 + dt.timedelta(seconds=s), source=source, call_id=call_id, queue=queue,
                     agent=agent, state=state)


def _floor(engine: sa.Engine) -> int:
    """One queue, two ready agents; the id the router starts after."""
    with engine.begin() as conn:
        save_queue(conn, "sales")
        save_agent(conn, Agent("A1", "Amy", skills={"sales": 1}))
        save_agent(conn, Agent("A2", "Bob", skills={"sales": 1}))
        return append_events(conn, [_event(K.AGENT_STATE, 0, agent="A1", state="ready", source="web"),
                                    _event(K.AGENT_STATE, 1, agent="A2", state="ready", source="web")])


class Router:
    """``run_acd`` on its own thread until stopped; the result once it has stopped."""

    def __init__(self, engine: sa.Engine, bus: EventBus | None, *, safety_poll_s: float, tick_s: float = NEVER,
                 poll_s: float = 0.001, hot_s: float = 0.0) -> None:
        with engine.connect() as conn:
            self.acd = acd_from_directory(conn)
            self.after = replay_log(conn, self.acd, since=T0)
        self._stop = threading.Event()
        self.run: AcdRun | None = None

        def target() -> None:
            self.run = run_acd(engine, self.acd, after_id=self.after, bus=bus, poll_s=poll_s,
                               safety_poll_s=safety_poll_s, hot_s=hot_s, tick_s=tick_s,
                               stop=self._stop.is_set)

        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()

    def stop(self, bus: EventBus | None) -> AcdRun:
        self._stop.set()
        if bus is not None:
            bus.publish(10**12)  # wake the wait so it sees stop() (ids are only ever compared)
        self.thread.join(timeout=30)
        assert not self.thread.is_alive() and self.run is not None
        return self.run


def _offer(engine: sa.Engine, call: str, s: float, publish: Callable[[int], None] | None) -> int:
    with engine.begin() as conn:
        last = append_events(conn, [_event(K.CALL_OFFERED, s, call_id=call, queue="sales")])
    if publish is not None:
        publish(last)  # after the commit, as every writer does
    return last


def _await_ringing(engine: sa.Engine, after: int, calls: int, within_s: float = 10.0) -> list[tuple[str, str]]:
    """The router's ringing decisions after ``after`` once there are ``calls`` of them (or the wait ran out)."""
    deadline = time.monotonic() + within_s
    while True:
        with engine.connect() as conn:
            rung = [(str(e.call_id), str(e.agent)) for _, e in events_after(conn, after)
                    if e.kind is K.CALL_RINGING and e.source == "acd"]
        if len(rung) >= calls or time.monotonic() > deadline:
            return rung
        time.sleep(0.01)


def test_a_decision_follows_an_append_without_waiting_for_the_safety_poll(engine: sa.Engine) -> None:
    """The safety poll and the ring-timeout tick are an hour away: only the bus can have woken the router, and
    between the two offers it looked at the log a handful of times, not once a millisecond."""
    _floor(engine)
    bus = LocalBus()
    router = Router(engine, bus, safety_poll_s=NEVER)
    try:
        first = _offer(engine, "c1", 2, bus.publish)
        assert _await_ringing(engine, first - 1, 1) == [("c1", "A1")]
        time.sleep(0.5)  # idle: a 1 ms poll would look ~500 times here
        second = _offer(engine, "c2", 3, bus.publish)
        assert _await_ringing(engine, first - 1, 2) == [("c1", "A1"), ("c2", "A2")]
        assert second > first
    finally:
        run = router.stop(bus)
    assert run.decisions == 2 and run.caught_by_poll == 0
    assert run.woken >= 1 and run.looks <= 20, (run.looks, run.woken)


def test_a_lost_wake_up_is_caught_by_the_safety_poll(engine: sa.Engine) -> None:
    """A writer that appends and never publishes (a dropped Redis message): the decision still comes, from the
    safety poll, and the run says so."""
    _floor(engine)
    bus = LocalBus()
    router = Router(engine, bus, safety_poll_s=0.2)
    try:
        time.sleep(0.5)  # the router is waiting (not still starting: its first look would find the offer at once)
        offered = _offer(engine, "lost", 2, publish=None)
        assert _await_ringing(engine, offered - 1, 1) == [("lost", "A1")]
    finally:
        run = router.stop(bus)
    assert run.decisions == 1 and run.caught_by_poll >= 1


def test_a_wake_up_heard_of_before_the_log_shows_it_is_read_by_polling_then_forgotten(engine: sa.Engine) -> None:
    """The bus tells of an id the cursor cannot read (another log on the channel, or an append still committing
    on PostgreSQL): the router polls for it instead of spinning on the bus, gives up on it, and still routes the
    next real append at once."""
    _floor(engine)
    bus = LocalBus()
    router = Router(engine, bus, safety_poll_s=NEVER, poll_s=0.01)
    try:
        bus.publish(10**9)  # an id this log does not have
        time.sleep(0.3)
        offered = _offer(engine, "c1", 2, bus.publish)
        assert _await_ringing(engine, offered - 1, 1) == [("c1", "A1")]
    finally:
        run = router.stop(bus)
    assert run.decisions == 1


def test_the_router_is_woken_through_redis(engine: sa.Engine) -> None:
    """Two RedisBus instances as two processes: the writer publishes on the local Redis server, the router's bus
    hears it; with the safety poll an hour away the decisions can only have come from Redis wake-ups."""
    channel = f"callops:test:{uuid.uuid4().hex}"
    _floor(engine)
    try:
        router_bus = RedisBus(REDIS_URL, channel=channel).start()
    except Exception as exc:  # noqa: BLE001 - the message says what is missing
        pytest.fail(f"the local Redis server (127.0.0.1:6379) is needed: {exc}")
    writer = RedisBus(REDIS_URL, channel=channel)  # the PBX feed's process: publishes only
    router = Router(engine, router_bus, safety_poll_s=NEVER)
    try:
        first = _offer(engine, "r1", 2, writer.publish)
        assert _await_ringing(engine, first - 1, 1) == [("r1", "A1")]
        _offer(engine, "r2", 3, writer.publish)
        assert _await_ringing(engine, first - 1, 2) == [("r1", "A1"), ("r2", "A2")]
    finally:
        run = router.stop(writer)  # the stop wake-up goes through Redis too
        router_bus.close()
        writer.close()
    assert run.decisions == 2 and run.caught_by_poll == 0 and run.woken >= 1
    assert writer.errors == 0 and router_bus.errors == 0


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)  # NOTIFY/LISTEN is PostgreSQL's
def test_the_router_is_woken_through_postgresql_notify(engine: sa.Engine) -> None:
    """On PostgreSQL without Redis: the writer's PgNotifyBus sends NOTIFY after its append commits, the router's
    LISTENs on its own connection; the safety poll is an hour away, so the decisions came from NOTIFY."""
    assert engine.dialect.name == "postgresql"
    url = engine.url.render_as_string(hide_password=False)
    channel = f"callops_test_{uuid.uuid4().hex[:12]}"
    _floor(engine)
    router_bus = PgNotifyBus(url, channel=channel).start()
    writer = PgNotifyBus(url, channel=channel)  # the feed's process: publishes only, never listens
    router = Router(engine, router_bus, safety_poll_s=NEVER)
    try:
        first = _offer(engine, "n1", 2, writer.publish)
        assert _await_ringing(engine, first - 1, 1) == [("n1", "A1")]
        time.sleep(0.3)  # idle: a 1 ms poll would look ~300 times here
        _offer(engine, "n2", 3, writer.publish)
        assert _await_ringing(engine, first - 1, 2) == [("n1", "A1"), ("n2", "A2")]
    finally:
        run = router.stop(writer)  # the stop wake-up goes through NOTIFY too
        router_bus.close()
        writer.close()
    assert run.decisions == 2 and run.caught_by_poll == 0 and run.woken >= 1 and run.looks <= 20, run
    assert writer.errors == 0 and router_bus.errors == 0
    assert writer._listener is None  # a writer holds no listening connection


def test_wake_bus_picks_redis_then_notify_then_nothing(engine: sa.Engine) -> None:
    """What ``live route`` waits on: Redis when configured, NOTIFY on PostgreSQL, none on SQLite (it polls)."""
    url = engine.url.render_as_string(hide_password=False)
    bus = wake_bus(None, url)
    try:
        assert isinstance(bus, PgNotifyBus) if engine.dialect.name == "postgresql" else bus is None
    finally:
        if bus is not None:
            bus.close()
    redis_bus = wake_bus(REDIS_URL, url)
    assert isinstance(redis_bus, RedisBus)
    redis_bus.close()


def test_a_notify_bus_that_cannot_connect_counts_errors_and_never_fails_the_writer() -> None:
    bus = PgNotifyBus("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    bus.publish(5)  # nothing listens on port 1: counted, not raised
    assert bus.errors == 1
    assert bus.wait(4, 0.01) == 5  # the in-process side still works
    bus.close()
