"""Running the live ACD (``callops.live.acd``) against the event log: read, route, append the decisions.

The queues and agents come from the directory (a queue's skill is its name; an agent serves the queues
whose names are among its skills). On start the log of the current day is replayed to rebuild the state
(decisions dropped: they are in the log already); then new events are read as they are appended, and each
batch's decisions are appended in one transaction.

Waiting for the next event: with a fan-out bus (``callops.feeds.bus``; every writer publishes the new last id
after its append commits) the loop sleeps until the bus says the log grew past what it has read, and looks at
the log at least every ``safety_poll_s`` anyway, so a wake-up that is lost (Redis down, a writer without a
bus) only delays a decision, never loses it. The wake carries nothing the ACD trusts: it only says "look";
what is routed is what the log holds. Without a bus the loop polls the log every ``poll_s``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.feeds.bus import EventBus
from callops.live.acd import AcdSettings, LiveAcd
from callops.live.events import LiveEvent, LiveEventKind
from callops.records import AgentState
from callops.routing.config import AgentConfig, QueueConfig
from callops.store.directory import active_skills, queue_names
from callops.store.live_events import LogCursor, append_events, events_since, last_event_id, latest_agent_states
from callops.store.people_nesting import routing_skills

__all__ = ["AcdRun", "DirectoryChange", "DirectoryWatch", "acd_from_directory", "replay_log", "routing_config",
           "run_acd"]


@dataclass(slots=True)
class AcdRun:
    """What a run did: events read, decisions appended, the last event id read, events ignored by reason; and
    how it waited: ``looks`` at the log, ``woken`` by the bus, ``caught_by_poll`` (looks after a full safety
    poll's wait that ran out and found events: wake-ups that were lost or never sent; without a bus, every look
    that finds events)."""

    read: int = 0
    decisions: int = 0
    last_id: int = 0
    ignored: dict[str, int] = field(default_factory=dict)
    looks: int = 0
    woken: int = 0
    caught_by_poll: int = 0
    reloads: int = 0


class _Wait:
    """The idle wait of the ACD loop: on the bus with the safety poll as its timeout, or a plain poll."""

    LAG_S = 2.0  # longer than LogCursor's gap wait: an id heard of but unreadable this long is not ours

    def __init__(self, bus: EventBus | None, poll_s: float, safety_poll_s: float, hot_s: float) -> None:
        self.bus = bus
        self.poll_s = poll_s
        self.safety_poll_s = safety_poll_s
        self.hot_s = hot_s
        self.heard = 0  # the newest id the bus told of
        self._lag_since: float | None = None
        self.hot_until = 0.0  # monotonic: till then the wait is cut to poll_s (events came a moment ago)
        self.timed_out = False  # the last safety wait ran out without a wake-up

    def found(self) -> None:
        """A look found events: more are likely to follow at once (a busy floor)."""
        self.hot_until = time.monotonic() + self.hot_s

    def idle(self, read_up_to: int, run: AcdRun, *, until: float) -> None:
        """Nothing new was read (the cursor stands at ``read_up_to``): wait for the next append or ``until``
        (monotonic; the next ring-timeout tick), whichever is first."""
        left = max(0.0, until - time.monotonic())
        if self.bus is None:
            time.sleep(min(self.poll_s, left))
            self.timed_out = True
            return
        if self.heard > read_up_to:
            # the bus told of an id the cursor cannot read yet (on PostgreSQL an earlier id still committing;
            # or another log publishing on the channel): poll until it is read, and after LAG_S stop believing it
            now = time.monotonic()
            if self._lag_since is None:
                self._lag_since = now
            if now - self._lag_since < self.LAG_S:
                time.sleep(min(self.poll_s, left))
                return
            self.heard = read_up_to
        self._lag_since = None
        hot = time.monotonic() < self.hot_until
        heard = self.bus.wait(read_up_to, min(self.poll_s if hot else self.safety_poll_s, left))
        if heard > read_up_to:
            run.woken += 1
            self.heard = max(self.heard, heard)
            self.timed_out = False
        else:  # a hot wait or one cut short by the tick running out is a poll, not a wake-up lost
            self.timed_out = not hot and left >= self.safety_poll_s


def acd_from_directory(conn: sa.Connection, settings: AcdSettings | None = None, *,
                       on: dt.date | None = None) -> LiveAcd:
    """The ACD over the directory's queues and active agents with their skills; with ``on`` (the local day
    routed), an agent in a nesting period (``callops.people.nesting``) has the nesting plan's skills instead."""
    queues, agents = routing_config(conn, on=on)
    return LiveAcd(queues, agents, settings)


def routing_config(conn: sa.Connection, *, on: dt.date | None = None) -> tuple[list[QueueConfig], list[AgentConfig]]:
    """The queues and agents (with the skills routing uses ``on`` a day) the ACD routes with, from the directory:
    three plain queries (queue names, active agents joined with their skills, the day's nesting plans), cheap
    enough to repeat every few seconds (``DirectoryWatch``)."""
    queues = [QueueConfig(name=name, skill=name) for name in queue_names(conn)]
    if not queues:
        raise InvalidInput("the directory has no queues: add them (callops agents, or an import) first",
                           field="queues")
    names = {q.name for q in queues}
    directory = active_skills(conn)
    if on is not None:
        directory = routing_skills(conn, directory, on=on)
    agents = [AgentConfig(agent, {s: lvl for s, lvl in skills.items() if s in names})
              for agent, skills in directory.items()]
    if not any(a.skills for a in agents):
        raise InvalidInput("no agent has a skill named like a queue: give agents skills first", field="agents")
    return queues, agents


def _signature(queues: list[QueueConfig], agents: list[AgentConfig]) -> tuple[object, ...]:
    return (tuple(sorted(q.name for q in queues)),
            tuple(sorted((a.agent_id, tuple(sorted(a.skills.items()))) for a in agents)))


@dataclass(frozen=True, slots=True)
class DirectoryChange:
    """What the directory holds now (queues, agents with the day's skills), read on ``day``."""

    queues: list[QueueConfig]
    agents: list[AgentConfig]
    day: dt.date


class DirectoryWatch:
    """Keeps a running ACD on the directory's queues, agents and the day's nesting plans: every ``check_s`` it
    reads them (the skills of the local day in ``zone``, so a new day's plans take over within ``check_s`` of
    midnight) and, when they differ from what the ACD routes with, the ACD is reconfigured
    (``LiveAcd.reconfigure``: nobody's state is lost).

    A content check rather than a version number: the directory is written by imports, the web app, the CLI and
    nesting plans, none of which need to tell the router. ``run_acd`` reads on a thread of its own
    (``watch_in_background``), so the look (about 15–20 ms for 1,000 agents on PostgreSQL on a loaded machine)
    never holds a routing decision up; only a change is handed to the routing loop. A directory that cannot be
    routed with (no queues left) is reported in ``problems`` and the ACD keeps what it had."""

    def __init__(self, zone: dt.tzinfo, *, check_s: float = 5.0) -> None:
        self.zone = zone
        self.check_s = check_s
        self.signature: tuple[object, ...] | None = None
        self.day: dt.date | None = None
        self.reloads = 0
        self.problems: list[str] = []
        self._pending: DirectoryChange | None = None
        self._lock = threading.Lock()

    def start(self, acd: LiveAcd, day: dt.date) -> None:
        """What ``acd`` was built with (from the directory on ``day``)."""
        router = acd.router
        self.day = day
        self.signature = _signature([q.config for q in router.queues.values()],
                                    [AgentConfig(a.agent_id, a.skills) for a in router.agents])

    def read(self, conn: sa.Connection, at: dt.datetime) -> DirectoryChange | None:
        """Read the directory as of ``at``; the change when it differs from the last read (or the day turned)."""
        day = at.astimezone(self.zone).date()
        try:
            queues, agents = routing_config(conn, on=day)
        except InvalidInput as exc:
            self.problems.append(f"directory not reloaded: {exc.reason}")
            return None
        signature = _signature(queues, agents)
        if signature == self.signature and day == self.day:
            return None
        self.signature, self.day = signature, day
        return DirectoryChange(queues, agents, day)

    def apply(self, conn: sa.Connection, acd: LiveAcd, change: DirectoryChange, at: dt.datetime) -> list[LiveEvent]:
        """Reconfigure ``acd``; agents new to it come in with their last state in the log (they may have pressed
        ready before the router knew them). The decisions that follow."""
        known = set(acd.router.by_id)
        states = latest_agent_states(conn, [a.agent_id for a in change.agents if a.agent_id not in known])
        self.reloads += 1
        return acd.reconfigure(change.queues, change.agents, at, states=states)

    def check(self, conn: sa.Connection, acd: LiveAcd, at: dt.datetime) -> list[LiveEvent]:
        """Read and, on a change, apply at once (one thread)."""
        change = self.read(conn, at)
        return [] if change is None else self.apply(conn, acd, change, at)

    def watch_in_background(self, engine: sa.Engine, stop: threading.Event,
                            clock: Callable[[], dt.datetime]) -> threading.Thread:
        """Read every ``check_s`` on a thread until ``stop``; a change waits in ``take`` for the routing loop."""
        def loop() -> None:
            while not stop.wait(self.check_s):
                try:
                    with engine.connect() as conn:
                        change = self.read(conn, clock())
                except sa.exc.SQLAlchemyError as exc:  # the database is away a moment: look again next time
                    self.problems.append(f"directory not read: {type(exc).__name__}")
                    continue
                if change is not None:
                    with self._lock:
                        self._pending = change

        thread = threading.Thread(target=loop, name="callops-directory-watch", daemon=True)
        thread.start()
        return thread

    def take(self) -> DirectoryChange | None:
        """The newest change read and not yet applied."""
        with self._lock:
            change, self._pending = self._pending, None
        return change


def replay_log(conn: sa.Connection, acd: LiveAcd, *, since: dt.datetime,
               unlogged: list[LiveEvent] | None = None) -> int:
    """Apply the events from ``since`` on (decisions dropped: they are in the log); the last event id applied
    (0: none). With ``unlogged``, the ringing decisions the log lacks and that still stand at the end (calls
    offered while no router ran) are put there, for the caller to append."""
    last = 0
    made: dict[tuple[str | None, str | None], LiveEvent] = {}
    own = acd.settings.source
    while True:
        batch = events_since(conn, since, after_id=last)
        if not batch:
            break
        for event_id, event in batch:
            if event.source == own and event.kind is LiveEventKind.CALL_RINGING:
                made.pop((event.call_id, event.agent), None)  # logged when it was made
            for decision in acd.apply(event):
                if decision.kind is LiveEventKind.CALL_RINGING:
                    made[(decision.call_id, decision.agent)] = decision
            last = event_id
    if unlogged is not None:
        for decision in made.values():
            call = acd.calls.get(decision.call_id or "")
            if call is not None and call.agent is not None and call.agent.agent_id == decision.agent \
                    and call.agent.state is AgentState.RINGING and call.agent.call is call:
                unlogged.append(decision)
    return last


def run_acd(engine: sa.Engine, acd: LiveAcd, *, after_id: int | None = None, bus: EventBus | None = None,
            poll_s: float = 0.001, safety_poll_s: float = 0.25, hot_s: float = 0.0, tick_s: float = 1.0,
            stop: Callable[[], bool] = lambda: False,
            clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
            sink: Callable[[list[LiveEvent]], None] | None = None,
            directory: DirectoryWatch | None = None) -> AcdRun:
    """Route until ``stop()``: read the events after ``after_id`` (None: from the log's end), apply them,
    append the decisions, publish their id on ``bus``; every ``tick_s`` apply the ring timeouts. ``sink``, when
    given, is handed each batch of decisions once they are in the log (the switch adapter executes them).

    Idle, it waits on ``bus`` until the log grows, looking at the log at least every ``safety_poll_s`` (and at
    each tick); for ``hot_s`` after a look that found events the wait on the bus is cut to ``poll_s`` (on a
    busy floor the next event is a moment away: a look is cheaper than the wake-up's trip). Without a bus it
    looks every ``poll_s``. ``stop`` is checked after each wait. With ``directory``, the queues, agents and
    nesting plans are re-read as it says (``DirectoryWatch``) and a change applied without a restart."""
    run = AcdRun()
    if after_id is None:
        with engine.connect() as conn:
            after_id = last_event_id(conn)
    run.last_id = after_id
    next_tick = time.monotonic() + tick_s
    cursor = LogCursor(after_id)  # in id order, never over an append still committing
    wait = _Wait(bus, poll_s, safety_poll_s, hot_s)
    watching = threading.Event()
    if directory is not None:
        directory.watch_in_background(engine, watching, clock)
    with engine.connect() as reader:  # one connection for the reads; each read ends its transaction at once
        while not stop():
            batch = cursor.read(reader, limit=5_000)
            reader.rollback()  # no snapshot held between looks: the next one sees the newest appends
            run.looks += 1
            if batch:
                run.caught_by_poll += wait.timed_out
                wait.found()
            wait.timed_out = False
            change = directory.take() if directory is not None else None
            if change is not None and directory is not None:
                with engine.connect() as conn:
                    _append(engine, directory.apply(conn, acd, change, clock()), run, bus, sink)
                run.reloads = directory.reloads
            _route(engine, acd, batch, run, bus, tick_due=time.monotonic() >= next_tick, clock=clock, sink=sink)
            if time.monotonic() >= next_tick:
                next_tick = time.monotonic() + tick_s
            if not batch:
                wait.idle(cursor.last_id, run, until=next_tick)
    watching.set()
    run.ignored = dict(acd.ignored)
    return run


def _route(engine: sa.Engine, acd: LiveAcd, batch: list[tuple[int, LiveEvent]], run: AcdRun, bus: EventBus | None,
           *, tick_due: bool, clock: Callable[[], dt.datetime],
           sink: Callable[[list[LiveEvent]], None] | None = None) -> None:
    """Apply one batch (and the ring timeouts when due), append the decisions and publish their last id."""
    decisions = []
    for event_id, event in batch:
        decisions += acd.apply(event)
        run.last_id = event_id
    run.read += len(batch)
    if tick_due:
        decisions += acd.tick(clock())
    _append(engine, decisions, run, bus, sink)


def _append(engine: sa.Engine, decisions: list[LiveEvent], run: AcdRun, bus: EventBus | None,
            sink: Callable[[list[LiveEvent]], None] | None) -> None:
    if decisions:
        with engine.begin() as conn:
            last = append_events(conn, decisions)
        run.decisions += len(decisions)
        if bus is not None:
            bus.publish(last)
        if sink is not None:
            sink(decisions)
