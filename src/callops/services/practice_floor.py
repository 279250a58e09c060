"""The practice floor routed by ``callops live route``: the scenario's PBX and people on the wall clock.

``run_practice_pbx`` drives ``callops.simulation.practice_pbx.PracticePbx`` (pure) against the event log: it
sleeps until the next thing due at ``speed`` (one simulated minute per wall second at 60), appends what the
PBX and the people do, and reads the log for the router's decisions (``call_ringing`` from the router's
source), which ring the phones. Another process routes (``callops live route``), exactly as it routes for a
switch: the practice floor never decides where a call goes.

Waiting: with a bus that crosses processes (Redis, or NOTIFY on PostgreSQL) it sleeps until the next thing
due or a wake-up, whichever is first; without one it looks at the log every ``poll_s``. Either way a decision
is acted on at the simulated time the practice floor reaches when it reads it, so the router's latency costs
simulated time as it would on a floor (20 ms at speed 60 is 1.2 simulated seconds of ringing).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.feeds.bus import EventBus
from callops.live.events import EventSink, LiveEvent
from callops.records import Agent
from callops.simulation.practice_pbx import PbxCounts, PracticePbx, directory_of
from callops.simulation.realtime import MAX_SPEED
from callops.simulation.scenario import Scenario
from callops.store.directory import list_agents, list_queues, save_agent, save_queue
from callops.store.live_events import LogCursor, append_events, last_event_id

__all__ = ["PracticeRun", "check_directory", "run_practice_pbx"]


@dataclass(frozen=True, slots=True)
class PracticeRun:
    """How a practice run through the router went: the PBX's counts, events appended, simulated seconds
    covered, decisions read, the worst lateness (wall s) and whether it stopped with calls still open."""

    counts: PbxCounts
    events: int
    simulated_s: float
    decisions_read: int
    late_s: float


def check_directory(conn: sa.Connection, scenario: Scenario, *, add: bool) -> tuple[int, int]:
    """The directory must hold the scenario's queues and agents with their skills (the router reads it). With
    ``add``, what is missing is added (queues; agents with the skills the scenario gives them, an agent already
    there keeps theirs); else a missing one is an error naming it. Returns (queues added, agents added)."""
    queues, agents = directory_of(scenario)
    have_queues = {q.name for q in list_queues(conn)}
    have_agents = {a.agent_id for a in list_agents(conn, include_inactive=True)}
    missing_queues = [q for q in queues if q not in have_queues]
    missing_agents = [a for a in agents if a not in have_agents]
    if not add and (missing_queues or missing_agents):
        named = ", ".join((missing_queues + missing_agents)[:5])
        more = len(missing_queues) + len(missing_agents) - 5
        raise InvalidInput(f"the directory lacks the scenario's queues or agents ({named}"
                           + (f" and {more} more" if more > 0 else "") + "): add them with --add-to-directory",
                           field="directory")
    for queue in missing_queues:
        save_queue(conn, queue)
    for agent in missing_agents:
        save_agent(conn, Agent(agent, f"Practice {agent}", skills=agents[agent]))
    return len(missing_queues), len(missing_agents)


def run_practice_pbx(
    engine: sa.Engine, scenario: Scenario, *, speed: float, seed: int = 0, until_s: float | None = None,
    start_at: dt.datetime | None = None, bus: EventBus | None = None, poll_s: float = 0.01,
    router_source: str = "acd", also: EventSink | None = None, give_up_s: float = 10.0,
    stop: Callable[[], bool] = lambda: False, clock: Callable[[], float] = time.monotonic,
) -> PracticeRun:
    """Play ``scenario``'s PBX and people at ``speed`` until ``until_s`` simulated seconds, or (by default) until
    every call of the day is over; then everyone logs out. ``also`` sees every event appended (``--jsonl``).
    Stops early on ``stop()``, or when calls stay open with no decision read for ``give_up_s`` wall seconds
    after the day's last event (no router running)."""
    if not 1.0 <= speed <= MAX_SPEED:
        raise InvalidInput(f"speed must be between 1 and {MAX_SPEED:g}, got {speed:g}", field="speed")
    if until_s is not None and not until_s > 0:
        raise InvalidInput("until must be a positive duration", field="until")
    start = (start_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    source = f"sim:practice-pbx:{scenario.name}:{start:%Y%m%dT%H%M%SZ}"
    pbx = PracticePbx(scenario, np.random.SeedSequence(seed), start_at=start, source=source,
                      router_source=router_source)
    end = np.inf if until_s is None else until_s
    events = decisions = 0
    late = 0.0
    with engine.connect() as conn:
        cursor = LogCursor(last_event_id(conn))

    def append(batch: list[LiveEvent]) -> None:
        nonlocal events
        if not batch:
            return
        with engine.begin() as conn:
            last = append_events(conn, batch)
        events += len(batch)
        if bus is not None:
            bus.publish(last)
        if also is not None:
            for event in batch:
                also(event)

    wall_start = clock()
    last_progress = wall_start
    heard = 0  # the newest id the bus told of: the next wait is for a newer one
    now = 0.0
    with engine.connect() as reader:
        try:
            while not stop():
                now = min((clock() - wall_start) * speed, end)
                out: list[LiveEvent] = []
                due = pbx.peek()
                while due <= now:
                    late = max(late, now - due) if due < now else late
                    out += pbx.step()
                    due = pbx.peek()
                for _id, event in cursor.read(reader):
                    if event.source == router_source:
                        decisions += 1
                        out += pbx.routed(event, now)
                        last_progress = clock()
                reader.rollback()  # no snapshot held between looks
                append(out)
                if now >= end or pbx.day_over:
                    break
                if out:
                    last_progress = clock()
                elif pbx.peek() == np.inf and clock() - last_progress > give_up_s:
                    break  # calls wait for decisions that do not come
                wait = min(poll_s if bus is None else 0.25, max(0.0, (min(pbx.peek(), end) - now) / speed))
                if bus is not None:
                    heard = bus.wait(max(cursor.last_id, heard), wait)
                elif wait > 0:
                    time.sleep(wait)
        finally:
            append(pbx.log_out_everyone(now))
    return PracticeRun(counts=pbx.counts, events=events, simulated_s=now, decisions_read=decisions,
                       late_s=late / speed)
