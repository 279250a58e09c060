"""The fan-out bus: in-process, and over the local Redis server between two independent bus instances."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from callops.feeds.bus import LocalBus, RedisBus

REDIS_URL = "redis://127.0.0.1:6379/0"


def test_local_bus_wakes_a_waiter() -> None:
    bus = LocalBus()
    assert bus.wait(0, 0.01) == 0  # nothing yet: the timeout passes
    threading.Timer(0.05, bus.publish, args=(7,)).start()
    assert bus.wait(0, 5.0) == 7
    bus.publish(3)  # an older id never moves it back
    assert bus.wait(0, 0.0) == 7


def test_redis_bus_fans_out_between_processes_worth_of_clients() -> None:
    """A writer's RedisBus publishes; two listening RedisBus instances (as two web workers) both hear it."""
    channel = f"callops:test:{uuid.uuid4().hex}"
    try:
        workers = [RedisBus(REDIS_URL, channel=channel).start() for _ in range(2)]
    except Exception as exc:  # noqa: BLE001 - the message says what is missing
        pytest.fail(f"the local Redis server (127.0.0.1:6379) is needed: {exc}")
    writer = RedisBus(REDIS_URL, channel=channel)
    try:
        started = time.monotonic()
        writer.publish(41)
        assert [w.wait(0, 5.0) for w in workers] == [41, 41]
        assert time.monotonic() - started < 5.0
        assert writer.errors == 0 and all(w.errors == 0 for w in workers)
    finally:
        writer.close()
        for w in workers:
            w.close()


def test_redis_bus_survives_no_server() -> None:
    """Publishing to an unreachable Redis counts an error and never fails the writer (the log holds the event)."""
    bus = RedisBus("redis://127.0.0.1:1/0")
    bus.publish(5)
    assert bus.errors == 1 and bus.wait(0, 0.0) == 5
    bus.close()
