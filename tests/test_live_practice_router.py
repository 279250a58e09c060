"""The practice floor through `callops live route`, two processes (SQLite: both poll; PostgreSQL: they wake
each other by NOTIFY): the floor plays the PBX and the people (`live practice --router live`), the router
decides who takes each call. Every call answered was rung by the router first (source acd), the floor itself
rings nobody, and its counts add up against the log."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from callops.live.events import LiveEventKind
from callops.services.practice_floor import check_directory
from callops.simulation import parse_scenario
from callops.store.live_events import events_after

K = LiveEventKind
SCENARIO = """
name: drill
interval_min: 4
intervals: 2
queues:
  - {name: sales, arrivals: 14, handle: {dist: exponential, mean_s: 30}, acw: {dist: constant, mean_s: 5},
     patience: {dist: exponential, mean_s: 300}}
  - {name: care, arrivals: [6, 8], handle: 40, patience: 300, max_wait_s: 400}
agents:
  - {group: s, skills: {sales: 2, care: 1}, count: 4, ring_s: 2}
  - {group: c, skills: {care: 2}, count: [2, 3], distressing_share: 0.2, recovery_s: 20,
     breaks: [{at_min: 2, minutes: 1, agents: 1, reason: tea}]}
"""


def _callops() -> str:
    return str(Path(sys.executable).with_name("callops"))


def test_the_practice_floor_is_routed_by_live_route(engine: sa.Engine, db_url: str, tmp_path: Path) -> None:
    postgres = engine.dialect.name == "postgresql"  # there both sleep on LISTEN and wake each other by NOTIFY
    scenario = tmp_path / "drill.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CALLOPS_REDIS_URL"}
    env["CALLOPS_DATABASE_URL"] = db_url
    # the router routes to the directory's agents: without the scenario's, the floor refuses to start
    refused = subprocess.run([_callops(), "live", "practice", "--scenario", str(scenario), "--router", "live"],
                             env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "--add-to-directory" in refused.stderr
    with engine.begin() as conn:  # what --add-to-directory does (callops.services.practice_floor)
        assert check_directory(conn, parse_scenario(SCENARIO), add=True) == (2, 7)
    router = subprocess.Popen([_callops(), "live", "route", "--wrap-up", "manual", "--poll", "0.002",
                               "--exit-after", "150"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    assert router.stderr is not None
    assert router.stderr.readline().startswith("routing 2 queues, 7 agents")
    how = router.stderr.readline()  # routing from here on
    assert how.startswith("waiting on PostgreSQL NOTIFY" if postgres else "polling the log"), how
    floor = subprocess.Popen([_callops(), "live", "practice", "--scenario", str(scenario), "--router", "live",
                              "--add-to-directory", "--speed", "60", "--seed", "4"],
                             env=env, stderr=subprocess.PIPE, text=True)
    try:
        _out, floor_err = floor.communicate(timeout=150)
        assert floor.returncode == 0, floor_err
    finally:
        router.send_signal(signal.SIGTERM)
        router_out, router_err = router.communicate(timeout=30)
    assert router.returncode == 0, router_err
    summary = re.search(r"(\d+) calls offered, (\d+) rung by the router, (\d+) answered, (\d+) ended, "
                        r"(\d+) abandoned, (\d+) timed out, (\d+) still open", floor_err)
    assert summary is not None, floor_err
    offered, rung, answered, ended, abandoned, timed_out, still_open = map(int, summary.groups())

    with engine.connect() as conn:
        log = events_after(conn, 0, limit=50_000)
    practice = [(i, e) for i, e in log if e.source.startswith("sim:practice-pbx:drill:")]
    by_kind = Counter(e.kind for _i, e in practice)
    # the floor's counts are the log's, and add up: every call offered is over
    assert by_kind[K.CALL_OFFERED] == offered > 20
    assert by_kind[K.CALL_ANSWERED] == answered == ended == by_kind[K.CALL_ENDED]
    assert by_kind[K.CALL_ABANDONED] == abandoned and by_kind[K.CALL_TIMEOUT] == timed_out
    assert still_open == 0 and offered == answered + abandoned + timed_out
    assert answered >= offered // 2  # a floor that works, not one where everybody gives up
    # the router routed: the floor rings nobody; each answer follows the router's ringing of that call to that agent
    assert by_kind[K.CALL_RINGING] == 0
    rang = {(e.call_id, e.agent): i for i, e in log if e.kind is K.CALL_RINGING and e.source == "acd"}
    assert len(rang) >= rung == answered
    for i, e in practice:
        if e.kind is K.CALL_ANSWERED:
            assert rang.get((e.call_id, e.agent), i) < i, f"{e.call_id} answered by {e.agent} without a ringing"
    # the people did their part: breaks, after-call work and recovery, and all logged out at the end
    states = Counter(e.state for _i, e in practice if e.kind is K.AGENT_STATE)
    assert states["after_call_work"] > 0 and states["break"] >= 1
    last_state = {e.agent: e.state for _i, e in practice if e.kind is K.AGENT_STATE}
    assert set(last_state) == {f"s-000{n}" for n in range(1, 5)} | {f"c-000{n}" for n in range(1, 4)}
    assert set(last_state.values()) == {"logged_out"}
    # and the router understood every event the floor wrote
    assert "ignored" not in router_out, router_out
    assert "0 directory changes routed with" in router_out  # the directory stood still: nothing re-read in vain
    if postgres:
        woken = re.search(r"(\d+) wake-ups, (\d+) caught by a poll", router_out)
        assert woken is not None and int(woken.group(1)) > 0, router_out
        assert "woken by PostgreSQL NOTIFY" in floor_err
